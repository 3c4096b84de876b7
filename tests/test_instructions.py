"""Instructions (批示): written by a leader, marked for the item's bodies until read, answered, closed;
every step in the history and the audit trail; every refusal."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Instruction, ItemEvent
from tests.conftest import sign_in


def write(client, token, item_id, text="请抓紧办理，6月底前报结果。", reply_by="", htmx=False):
    return client.post(f"/items/{item_id}/instructions", data={"csrf_token": token, "text": text, "reply_by": reply_by},
                       headers={"HX-Request": "true"} if htmx else {})


def only_instruction() -> Instruction:
    db.session.expire_all()
    return db.session.scalar(select(Instruction))


def events(item_id) -> list[str]:
    return [e.to_value for e in db.session.scalars(
        select(ItemEvent).where(ItemEvent.item_id == item_id, ItemEvent.kind == "instruction").order_by(ItemEvent.id))]


def test_instruction_through_every_step(client, world):
    token = sign_in(client, "leader")
    assert write(client, token, world.iA.id, reply_by="2024-06-30").status_code == 302
    ins = only_instruction()
    assert (ins.text, ins.reply_by.isoformat(), ins.state(ins.reply_by)) == ("请抓紧办理，6月底前报结果。", "2024-06-30", "unread")

    # The item's staff see it marked on their row and on the item page until they read it.
    token = sign_in(client, "staffA")
    rows = client.get("/items").get_data(as_text=True)
    assert rows.count("data-instruction-mark") == 1
    page = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "请抓紧办理" in page and 'data-state="unread"' in page and 'data-action="acknowledge"' in page
    response = client.post(f"/instructions/{ins.id}/acknowledge", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'data-state="read"' in response.get_data(as_text=True)
    assert "<html" not in response.get_data(as_text=True)
    assert "data-instruction-mark" not in client.get("/items").get_data(as_text=True)
    assert only_instruction().acknowledged_by_id == world.users["staffA"].id

    # An empty answer is refused and nothing is written; then the answer.
    response = client.post(f"/instructions/{ins.id}/answer", data={"csrf_token": token, "answer": " "},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and "请填写办理情况" in response.get_data(as_text=True)
    assert only_instruction().answered_at is None
    assert client.post(f"/instructions/{ins.id}/answer",
                       data={"csrf_token": token, "answer": "已召开协调会，方案已报主任会议。"}).status_code == 302
    assert only_instruction().state(ins.reply_by) == "answered"

    # The leader sees it answered in the list and closes it.
    token = sign_in(client, "leader")
    listing = client.get("/instructions").get_data(as_text=True)
    assert 'data-state="answered"' in listing and "已召开协调会" in listing
    assert client.post(f"/instructions/{ins.id}/close", data={"csrf_token": token, "next": "list"}).headers[
        "Location"].endswith("/instructions")
    assert only_instruction().closed_at is not None

    assert events(world.iA.id) == ["written", "acknowledged", "answered", "closed"]
    history = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "领导批示" in history and "答复批示（办理情况）" in history and "批示办结" in history
    audit = list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "instruction")))
    assert [a.operation for a in audit] == ["insert", "update", "update", "update"]
    assert audit[0].username == "leader" and audit[2].after["answer"] == "已召开协调会，方案已报主任会议。"


def test_overdue_unanswered_state(client, world):
    token = sign_in(client, "leader")
    assert write(client, token, world.iA.id, reply_by="2024-06-20").status_code == 302
    ins = only_instruction()
    from datetime import date
    assert ins.state(date(2024, 6, 21)) == "overdue" and ins.state(date(2024, 6, 20)) == "unread"
    assert write(client, token, world.iA.id, reply_by="2024-06-01", htmx=True).status_code == 400  # in the past
    assert write(client, token, world.iA.id, text="", htmx=True).status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(Instruction)) == 1


def test_refusals(client, world):
    token = sign_in(client, "leader")
    write(client, token, world.iA.id)
    ins = only_instruction()
    # Staff of another body never see it, nor its item.
    token = sign_in(client, "staffB")
    assert client.post(f"/instructions/{ins.id}/acknowledge", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/instructions/{ins.id}/answer", data={"csrf_token": token, "answer": "x"}).status_code == 404
    assert "请抓紧办理" not in client.get(f"/items/{world.iAB.id}").get_data(as_text=True)
    # Staff cannot write one, nor close one.
    token = sign_in(client, "staffA")
    assert write(client, token, world.iA.id).status_code == 403
    assert client.post(f"/instructions/{ins.id}/close", data={"csrf_token": token}).status_code == 403
    assert client.get("/instructions").status_code == 403
    # A leader cannot change a status, nor answer for the bodies.
    token = sign_in(client, "leader")
    response = client.post(f"/items/{world.iA.id}/status", data={"csrf_token": token, "status": "in_progress",
                                                                 "version": world.iA.version})
    assert response.status_code == 403
    assert client.post(f"/instructions/{ins.id}/answer", data={"csrf_token": token, "answer": "x"}).status_code == 403
    # Deputy affairs sees every item but not the instructions; deputies reach nothing.
    sign_in(client, "depaff")
    assert "请抓紧办理" not in client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    sign_in(client, "deputy1")
    assert client.get(f"/items/{world.iA.id}").status_code == 403
    assert only_instruction().acknowledged_at is None and events(world.iA.id) == ["written"]


def test_leader_writes_from_a_dashboard_row(client, world):
    token = sign_in(client, "leader")
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'/items/{world.iA.id}#instruct' in page  # iA is overdue on 15 June
    detail = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert 'id="instruct"' in detail
    response = write(client, token, world.iA.id, htmx=True)
    assert response.status_code == 200 and 'data-state="unread"' in response.get_data(as_text=True)
    assert "item-history-updated" in response.headers["HX-Trigger"]


def test_an_answer_carries_documents_seen_only_where_the_instruction_is(client, world):
    from io import BytesIO

    from portal.models import ItemDocument
    from tests.test_work import pdf_bytes

    token = sign_in(client, "leader")
    write(client, token, world.iA.id)
    ins = only_instruction()
    token = sign_in(client, "staffA")
    # A bad file refuses the whole answer: no text kept, no document stored.
    response = client.post(f"/instructions/{ins.id}/answer", headers={"HX-Request": "true"}, data={
        "csrf_token": token, "answer": "已办理。",
        "documents": [(BytesIO(pdf_bytes()), "办理报告.pdf"), (BytesIO(b"MZ\x90\x00"), "run.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "run.pdf：" in response.get_data(as_text=True)
    assert only_instruction().answered_at is None
    assert db.session.scalar(select(db.func.count()).select_from(ItemDocument)) == 0

    response = client.post(f"/instructions/{ins.id}/answer", headers={"HX-Request": "true"}, data={
        "csrf_token": token, "answer": "已办理，报告附后。", "documents": [(BytesIO(pdf_bytes()), "办理报告.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "办理报告.pdf" in response.get_data(as_text=True)
    document = db.session.scalar(select(ItemDocument))
    assert (document.instruction_id, document.category, document.item_id) == (ins.id, "instruction_answer", world.iA.id)
    url = f"/items/{world.iA.id}/documents/{document.id}"
    assert client.get(url).data == pdf_bytes()
    # Listed with its instruction and named in its history entry, not among the item's own documents
    # (which those who see no instructions get).
    page = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    documents_region = client.get(f"/items/{world.iA.id}/regions/documents").get_data(as_text=True)
    assert page.count("办理报告.pdf") == 2 and "附件：办理报告.pdf" in page and "办理报告.pdf" not in documents_region
    sign_in(client, "leader")
    assert client.get(url).status_code == 200
    # Deputy affairs sees the item but not instructions, so not their documents either.
    sign_in(client, "depaff")
    assert client.get(url).status_code == 404
    assert "办理报告.pdf" not in client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    sign_in(client, "staffB")
    assert client.get(url).status_code == 404
