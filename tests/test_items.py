"""Work items over HTTP: scoping, status changes, conflicts, validation, CSRF, escaping, query counts."""
from __future__ import annotations

from datetime import date

import logging

import pytest
from markupsafe import escape
from sqlalchemy import event, func, select, text

from portal.extensions import db
from portal.models import ItemEvent, WorkItem
from tests.conftest import csrf_token, login, make_item, make_plan


def post_status(client, item_id, status, version, token=None, headers=None, **extra):
    if status == "done":
        extra.setdefault("note", "已按计划办结")  # a completion note is required
    data = {"status": status, "version": version, "csrf_token": token or csrf_token(client)} | extra
    return client.post(f"/items/{item_id}/status", data=data, headers=headers or {})


def history_count(item_id) -> int:
    return db.session.scalar(select(func.count()).select_from(ItemEvent).where(ItemEvent.item_id == item_id))


def fresh(item_id) -> WorkItem:
    db.session.expire_all()
    return db.session.get(WorkItem, item_id)


def test_staff_sees_only_own_items(client, world):
    login(client, "staffA")
    html = client.get("/items").get_data(as_text=True)
    assert world.iA.title in html and world.iAB.title in html
    assert world.iB.title not in html


def test_staff_cannot_read_other_body_item(client, world):
    """T03"""
    login(client, "staffA")
    for url in (f"/items/{world.iB.id}", f"/items/{world.iB.id}?x=1"):
        response = client.get(url)
        assert response.status_code == 404
        assert world.iB.title not in response.get_data(as_text=True)
    response = client.get(f"/items/{world.iB.id}", headers={"HX-Request": "true"})
    assert response.status_code == 404


def test_staff_cannot_update_other_body_item(client, world, caplog):
    """T04"""
    login(client, "staffA")
    before = fresh(world.iB.id)
    version, updated_at = before.version, before.updated_at
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        response = post_status(client, world.iB.id, "in_progress", version)
    assert response.status_code == 404
    after = fresh(world.iB.id)
    assert (after.status, after.version, after.updated_at) == ("not_started", version, updated_at)
    assert history_count(world.iB.id) == 0
    assert [r for r in caplog.records if getattr(r, "event", "") == "authz_denied"]


def test_api_items_scoped(client, world):
    """T05 for the API: exactly the ids of the user's bodies, shared items once."""
    login(client, "staffAB")
    ids = [i["id"] for i in client.get("/api/items?year=2024").get_json()["items"]]
    assert sorted(ids) == sorted([world.iA.id, world.iB.id, world.iAB.id])
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "staffA")
    data = client.get("/api/items?year=2024").get_json()
    assert sorted(i["id"] for i in data["items"]) == sorted([world.iA.id, world.iAB.id])
    assert {"id", "status", "version", "plan", "section_no", "seq", "title", "months", "bodies"} <= set(data["items"][0])


def test_status_change_plain_form_redirects_and_records_history(client, world):
    login(client, "staffA")
    response = post_status(client, world.iA.id, "in_progress", world.iA.version, note="已制定方案")
    assert response.status_code == 302
    item = fresh(world.iA.id)
    assert item.status == "in_progress" and item.version == 2
    event_row = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id)).one()
    assert (event_row.from_value, event_row.to_value, event_row.note) == ("not_started", "in_progress", "已制定方案")
    assert event_row.user.username == "staffA" and event_row.body.name == "甲委员会"


def test_status_change_htmx_returns_row_fragment(client, world):
    login(client, "staffA")
    response = post_status(client, world.iA.id, "done", world.iA.version, headers={"HX-Request": "true"}, view="row")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="item-{world.iA.id}"' in html and "<html" not in html and "已完成" in html
    assert "item-updated" in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]


def test_shared_item_history_names_acting_body(client, world):
    login(client, "staffB")
    assert post_status(client, world.iAB.id, "in_progress", world.iAB.version).status_code == 302
    event_row = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == world.iAB.id)).one()
    assert event_row.body.name == "常委会乙工作委员会"


def test_leader_reads_all_cannot_change_status(client, world):
    """T06 (status part)"""
    login(client, "leader")
    assert client.get(f"/items/{world.iB.id}").status_code == 200
    assert post_status(client, world.iB.id, "done", world.iB.version).status_code == 403
    assert fresh(world.iB.id).status == "not_started"


def test_stale_version_409(client, world, app):
    """T26: two people load version 1; the second save is refused with the current state, typed text kept."""
    alice, bob = client, app.test_client()
    login(alice, "staffA")
    login(bob, "staffAB")
    v = world.iA.version
    assert post_status(alice, world.iA.id, "in_progress", v, note="甲先保存").status_code == 302
    response = post_status(bob, world.iA.id, "cancelled", v, note="乙的说明不丢失",
                           headers={"HX-Request": "true"}, view="row")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "进行中" in html and "乙的说明不丢失" in html and "他人" in html
    item = fresh(world.iA.id)
    assert item.status == "in_progress" and item.version == v + 1
    assert history_count(world.iA.id) == 1


def test_missing_version_is_a_conflict(client, world):
    login(client, "staffA")
    response = client.post(f"/items/{world.iA.id}/status",
                           data={"status": "done", "csrf_token": csrf_token(client)})
    assert response.status_code == 409
    assert fresh(world.iA.id).status == "not_started"


@pytest.mark.parametrize("status, extra, field", [
    ("postponed", {"note": "", "month": "9"}, "请填写原因"),
    ("postponed", {"note": "等待调研", "month": ""}, "请选择延期到的月份"),
    ("postponed", {"note": "等待调研", "month": "13"}, "月份须在 1 到 12 之间"),
    ("cancelled", {"note": "  "}, "请填写原因"),
    ("finished", {}, "未知的状态"),
    ("in_progress", {"note": "长" * 10_001}, "不能超过"),
    ("in_progress", {"note": "x" * 200 * 1024}, "不能超过"),  # a 200 KB note
])
def test_status_validation(client, world, status, extra, field):
    """T10: bad input answers 400 with the message next to the field; nothing is saved."""
    login(client, "staffA")
    response = post_status(client, world.iA.id, status, world.iA.version, **extra)
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert fresh(world.iA.id).status == "not_started"
    assert history_count(world.iA.id) == 0


def test_forbidden_transition_is_refused(client, world):
    login(client, "staffA")
    assert post_status(client, world.iA.id, "done", world.iA.version).status_code == 302
    response = post_status(client, world.iA.id, "postponed", 2, note="x", month="9")
    assert response.status_code == 400
    assert "不能从" in response.get_data(as_text=True)
    assert fresh(world.iA.id).status == "done"


def test_postpone_sets_new_month(client, world):
    login(client, "staffA")
    assert post_status(client, world.iA.id, "postponed", 1, note="配合市政府调整", month="9").status_code == 302
    item = fresh(world.iA.id)
    assert (item.status, item.postponed_to, item.due_date, item.status_note) == (
        "postponed", date(2024, 9, 1), date(2024, 9, 30), "配合市政府调整")


@pytest.mark.parametrize("how", ["missing", "other-session", "garbage"])
def test_csrf_required(client, world, app, how):
    """T11: no token, another session's token or a forged one changes nothing."""
    login(client, "staffA")
    data = {"status": "done", "version": 1, "note": "已办结"}
    if how == "other-session":
        other = app.test_client()
        data["csrf_token"] = csrf_token(other)
    elif how == "garbage":
        data["csrf_token"] = "x" * 40
    response = client.post(f"/items/{world.iA.id}/status", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert fresh(world.iA.id).status == "not_started"


def test_csrf_header_accepted(client, world):
    login(client, "staffA")
    response = client.post(f"/items/{world.iA.id}/status", data={"status": "done", "version": 1, "note": "已办结"},
                           headers={"X-CSRFToken": csrf_token(client), "HX-Request": "true"})
    assert response.status_code == 200
    assert fresh(world.iA.id).status == "done"


def test_mass_assignment_ignored(client, world):
    """T08: fields outside the allowlist change nothing."""
    login(client, "staffA")
    response = post_status(client, world.iA.id, "in_progress", 1, plan_id=999, seq=77, title="hacked",
                           body_ids=world.B.id, id=5)
    assert response.status_code == 302
    item = fresh(world.iA.id)
    assert (item.title, item.seq, item.body_ids) == ("甲委员会的事项", 1, {world.A.id})


PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<div hx-get="/admin" hx-trigger="load">x</div>', "{{7*7}}"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_inert(client, world, payload):
    """T14: notes render escaped in the page and in fragments."""
    login(client, "staffA")
    assert post_status(client, world.iA.id, "cancelled", 1, note=payload).status_code == 302
    for response in (client.get(f"/items/{world.iA.id}"),
                     client.get(f"/items/{world.iA.id}", headers={"HX-Request": "true"})):
        html = response.get_data(as_text=True)
        if "<" in payload:
            assert payload not in html and str(escape(payload)) in html
        else:  # shown as typed, never evaluated as a template
            assert f'<p class="event-note">{payload}</p>' in html


def test_history_append_only_orm_and_sql(client, world):
    """T29: the ORM refuses, and so does the database."""
    login(client, "staffA")
    post_status(client, world.iA.id, "in_progress", 1)
    row = db.session.scalars(select(ItemEvent)).one()
    row.note = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        db.session.flush()
    db.session.rollback()
    for sql in ("UPDATE item_event SET note = 'x'", "DELETE FROM item_event"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(sql))
        db.session.rollback()
    assert history_count(world.iA.id) == 1


def test_item_and_history_atomic(client, world, app):
    """T28: if the history insert fails, the status does not change and the user sees a reference id."""
    login(client, "staffA")
    token = csrf_token(client)

    def explode(mapper, connection, target):
        raise RuntimeError("disk full")

    event.listen(ItemEvent, "before_insert", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = post_status(client, world.iA.id, "done", 1, token=token)
    finally:
        event.remove(ItemEvent, "before_insert", explode)
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "参考编号" in html and "Traceback" not in html and "disk full" not in html
    assert fresh(world.iA.id).status == "not_started"


def count_queries(app, fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):  # transaction control, not a query (and the in-memory
            statements.append(statement)       # test database shares one connection, so BEGIN varies)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_workspace_query_count_constant(client, world, app):
    """The list page's SQL count does not grow with the number of items."""
    login(client, "staffAB")
    small = count_queries(app, lambda: client.get("/items"))
    plan = make_plan(year=2024, key="decisions", title="2024年度重大事项和项目决定工作计划")
    for n in range(60):
        make_item(plan, n + 1, f"批量事项{n}", [world.A, world.B], months=(n % 12 + 1,))
    db.session.commit()
    large = count_queries(app, lambda: client.get("/items"))
    html = client.get("/items").get_data(as_text=True)
    assert html.count('class="item-row') == 50 and "共 63 项" in html  # the first page of 63
    assert large == small
    last = client.get("/items?page=2").get_data(as_text=True)
    assert last.count('class="item-row') == 13


def bulk(client, pairs, status, headers=None, **extra):
    data = {"status": status, "csrf_token": csrf_token(client), "items": [f"{i}:{v}" for i, v in pairs]} | extra
    return client.post("/items/bulk-status", data=data, headers=headers or {})


def test_bulk_status_changes_all_selected(client, world):
    login(client, "staffAB")
    response = bulk(client, [(world.iA.id, 1), (world.iB.id, 1)], "in_progress", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="results"' in html and "<html" not in html and "已更新 2 项" in html
    assert {fresh(world.iA.id).status, fresh(world.iB.id).status} == {"in_progress"}
    assert history_count(world.iA.id) == history_count(world.iB.id) == 1


def test_bulk_is_all_or_nothing(client, world):
    login(client, "staffAB")
    assert post_status(client, world.iB.id, "done", 1).status_code == 302
    # iB is done now: "postponed" is not allowed from done, and iA's stale version conflicts too.
    response = bulk(client, [(world.iA.id, 1), (world.iB.id, 2), (world.iAB.id, 7)], "postponed",
                    headers={"HX-Request": "true"}, note="统一延期", month="10")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "不能从" in html and "他人已修改" in html and "没有任何事项被修改" in html
    assert fresh(world.iA.id).status == "not_started" and fresh(world.iB.id).status == "done"
    assert history_count(world.iA.id) == 0


def test_bulk_outside_scope_is_404_and_writes_nothing(client, world):
    login(client, "staffA")
    response = bulk(client, [(world.iA.id, 1), (world.iB.id, 1)], "in_progress")
    assert response.status_code == 404
    assert fresh(world.iA.id).status == "not_started"


def test_bulk_plain_form_redirects_back_to_filters(client, world):
    login(client, "staffA")
    response = bulk(client, [(world.iA.id, 1)], "cancelled", note="合并办理", next="/items?month=4&status=not_started")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/items?") and "month=4" in response.headers["Location"]
    assert fresh(world.iA.id).status == "cancelled"


def test_htmx_error_is_not_swapped_into_the_page(client, world):
    """An expired CSRF token on an HTMX post: nothing to swap, a message event instead of an error page."""
    login(client, "staffA")
    response = client.post(f"/items/{world.iA.id}/status", data={"status": "done", "version": 1, "csrf_token": "stale"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Reswap"] == "none"
    assert "request-error" in response.headers["HX-Trigger"] and response.get_data() == b""
    assert client.get(f"/items/{world.iB.id}", headers={"HX-Request": "true"}).headers["HX-Reswap"] == "none"


@pytest.mark.parametrize("query, expected", [
    ("秘密", {"iB"}),            # Chinese substring of a title
    ("两家共同", {"iAB"}),
    ("事项", {"iA", "iB", "iAB"}),
    ("%", set()),               # LIKE wildcards are matched literally, on both databases
    ("_", set()),
    ("ABC", {"iA"}),            # ASCII is matched without regard to case (ILIKE / SQLite LIKE)
])
def test_search_filter(client, world, query, expected):
    world.iA.text = "含有abc的说明。"
    db.session.commit()
    login(client, "leader")
    html = client.get("/items", query_string={"q": query}).get_data(as_text=True)
    shown = {name for name in ("iA", "iB", "iAB") if f'id="item-{getattr(world, name).id}"' in html}
    assert shown == expected


def test_filters_combine_and_ignore_bad_values(client, world):
    login(client, "leader")
    html = client.get("/items", query_string={"month": "8", "status": "not_started", "light": "bogus", "year": "x"}).get_data(as_text=True)
    assert f'id="item-{world.iB.id}"' in html and f'id="item-{world.iAB.id}"' in html
    assert f'id="item-{world.iA.id}"' not in html
    fragment = client.get("/items", query_string={"month": "4"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results">') and f'id="item-{world.iA.id}"' in fragment


def test_section_filter_follows_plan(client, world):
    login(client, "leader")
    page = client.get("/items").get_data(as_text=True)
    assert '<select name="section" disabled' in page  # no plan chosen yet
    fragment = client.get("/items", query_string={"plan": "supervision", "section": "1"},
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="section-filter" hx-swap-oob="true"' in fragment
    assert '<option value="1" selected>' in fragment
    assert f'id="item-{world.iA.id}"' in fragment
    empty = client.get("/items", query_string={"plan": "supervision", "section": "2"}).get_data(as_text=True)
    assert f'id="item-{world.iA.id}"' not in empty
