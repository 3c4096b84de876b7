"""Work on an item: standard stages, progress notes, documents, the kind of work; admin stage templates."""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from datetime import date
from urllib.parse import quote

import pytest
from markupsafe import escape
from sqlalchemy import event, func, select, update

from portal.extensions import db
from portal.items import documents as document_ops
from portal.items import kinds, notes, stages
from portal.items.documents import display_filename
from portal.errors import Conflict, Forbidden, NotVisible
from portal.items.stages import DEFAULT_STAGES, ensure_stage_templates
from portal.models import ItemDocument, ItemEvent, ItemStage, Plan, Section, StageTemplate, WorkItem
from portal.plans.importer import classify_work_kind, parse_plan
from portal.plans.operations import alias_map, ensure_catalog_bodies, import_plan
from tests.conftest import csrf_token, login

SEED = open("portal/seed/puyang-2024-workplan.txt", "rb").read()


# ---------------------------------------------------------------- helpers

def fresh(item_id) -> WorkItem:
    db.session.expire_all()
    return db.session.get(WorkItem, item_id)


def events(item_id, kind=None) -> list[ItemEvent]:
    query = select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.id)
    if kind:
        query = query.where(ItemEvent.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(query))


def stage_rows(item_id) -> list[ItemStage]:
    db.session.expire_all()
    return list(db.session.scalars(select(ItemStage).where(ItemStage.item_id == item_id).order_by(ItemStage.position)))


@pytest.fixture
def staged(world):
    """iA, iB and iAB are law inspections with the default stages."""
    ensure_stage_templates()
    # As an import would have set it: a plain UPDATE, so the items stay at version 1.
    db.session.execute(update(WorkItem.__table__).values(work_kind="law_inspection"))
    db.session.commit()
    db.session.expire_all()
    return world


def tick(client, item_id, position, version, *, done="on", date="2024-05-10", note="", headers=None, **extra):
    data = {"csrf_token": csrf_token(client), "done": done, "date": date, "note": note, "version": version} | extra
    return client.post(f"/items/{item_id}/stages/{position}", data=data, headers=headers or {})


def post_note(client, item_id, note, headers=None):
    return client.post(f"/items/{item_id}/notes", data={"csrf_token": csrf_token(client), "note": note},
                       headers=headers or {})


def upload(client, item_id, content: bytes, filename: str, category="plan", headers=None):
    data = {"csrf_token": csrf_token(client), "category": category, "file": (io.BytesIO(content), filename)}
    return client.post(f"/items/{item_id}/documents", data=data, content_type="multipart/form-data",
                       headers=headers or {})


def documents(item_id) -> list[ItemDocument]:
    db.session.expire_all()
    return list(db.session.scalars(select(ItemDocument).where(ItemDocument.item_id == item_id)))


# Minimal but valid files of each allowed type, built here so the tests carry no binary fixtures.

def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def office_bytes(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx_bytes(first="[Content_Types].xml") -> bytes:
    parts = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<Relationships/>",
             "word/document.xml": "<w:document/>"}
    return office_bytes({first: parts.pop(first)} | parts)


def xlsx_bytes() -> bytes:
    return office_bytes({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": "<Relationships/>",
                         "xl/workbook.xml": "<workbook/>"})


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


# ---------------------------------------------------------------- kinds of work

@pytest.mark.parametrize("plan, section, title, expected", [
    ("supervision", "法律法规实施情况的检查", "听取审议《中华人民共和国黄河保护法》贯彻实施情况执法检查报告", "law_inspection"),
    ("supervision", "听取审议工作报告", "听取审议市政府关于新时代侨务工作情况的报告", "work_report"),
    ("supervision", "审查和批准决算,听取审议计划、预算执行……", "听取审议2024年市级预算调整方案(草案)报告", "work_report"),
    ("supervision", "专题询问", "结合听取审议市政府关于养老服务工作情况的报告,对我市养老工作情况进行专题询问", "inquiry"),
    ("supervision", "专题调研", "对我市托育服务工作情况开展调研", "research"),
    ("supervision", "述职测评", "对市人大常委会任命的市政府组成部门主要负责人开展述职测评", "appraisal"),
    ("supervision", "主任会议根据工作需要确定的其他监督事项", "开展《河南省某条例》执法检查", "law_inspection"),
    ("supervision", "主任会议根据工作需要确定的其他监督事项", "组织代表视察", None),
    ("decisions", "", "作出关于助力市域社会治理现代化的决定", "decision"),
    ("work_points", "用好宪法法律赋予的监督权", "开展黄河保护法执法检查", None),
    ("deputy_work", "增强代表在闭会期间履职活动实效", "统筹安排代表闭会期间的视察、专题调研", None),
])
def test_classify_work_kind(plan, section, title, expected):
    assert classify_work_kind(plan, section, title) == expected


def import_seed():
    ensure_catalog_bodies()
    report = import_plan(parse_plan(SEED, alias_map()), 2024)
    db.session.commit()
    return report


def kinds_by_section() -> dict[tuple[str, int], set]:
    rows = db.session.execute(select(Plan.key, Section.number, WorkItem.work_kind).join(WorkItem.plan).join(WorkItem.section))
    result: dict[tuple[str, int], set] = {}
    for key, number, kind in rows:
        result.setdefault((key, number), set()).add(kind)
    return result


def test_seed_import_classifies_items_and_seeds_stages(app):
    import_seed()
    kinds = kinds_by_section()
    assert kinds[("supervision", 1)] == {"work_report"}
    assert kinds[("supervision", 2)] == {"work_report"}
    assert kinds[("supervision", 3)] == {"law_inspection"}
    assert kinds[("supervision", 4)] == {"inquiry"}
    assert kinds[("supervision", 5)] == {"appraisal"}
    assert kinds[("supervision", 6)] == {"research"}
    assert kinds[("decisions", 0)] == {"decision"}
    assert all(v == {None} for (plan, _n), v in kinds.items() if plan in ("work_points", "deputy_work"))
    names = db.session.scalars(select(StageTemplate.name).where(StageTemplate.work_kind == "law_inspection")
                               .order_by(StageTemplate.position)).all()
    assert names == ["制定方案", "实地检查", "起草报告", "提请常委会会议审议", "审议意见交办", "研究处理情况反馈"]


def test_reimport_changes_nothing(app):
    import_seed()
    report = import_seed()
    assert report.unchanged == 106 and not report.changes_anything
    assert db.session.scalar(select(func.max(WorkItem.version))) == 1


def test_reimport_never_overwrites_the_admins_choice(app):
    import_seed()
    inspection = db.session.scalars(select(WorkItem).where(WorkItem.work_kind == "law_inspection")).first()
    point = db.session.scalars(select(WorkItem).join(WorkItem.plan).where(Plan.key == "work_points")).first()
    inspection.work_kind = "general"
    point.work_kind = "research"
    db.session.commit()
    import_seed()
    assert fresh(inspection.id).work_kind == "general"
    assert fresh(point.id).work_kind == "research"


def test_stage_templates_seeded_once(app):
    assert ensure_stage_templates() is True
    assert ensure_stage_templates() is False
    total = sum(len(v) for v in DEFAULT_STAGES.values())
    assert db.session.scalar(select(func.count()).select_from(StageTemplate)) == total
    # An admin who empties a kind means it: the next seeding leaves it empty.
    for template in db.session.scalars(select(StageTemplate).where(StageTemplate.work_kind == "research")):
        db.session.delete(template)
    db.session.flush()
    assert ensure_stage_templates() is False
    assert not db.session.scalars(select(StageTemplate).where(StageTemplate.work_kind == "research")).all()


# ---------------------------------------------------------------- stages

def test_detail_shows_template_stages_without_writing(client, staged):
    login(client, "staffA")
    html = client.get(f"/items/{staged.iA.id}").get_data(as_text=True)
    for name in DEFAULT_STAGES["law_inspection"]:
        assert name in html
    assert 'id="stages"' in html and "<progress" in html
    assert stage_rows(staged.iA.id) == []  # GET copies nothing
    assert fresh(staged.iA.id).version == 1


def test_tick_and_untick_with_history(client, staged):
    login(client, "staffA")
    response = tick(client, staged.iA.id, 1, 1, note="印发检查方案")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/items/{staged.iA.id}#stages")
    rows = stage_rows(staged.iA.id)
    assert [r.name for r in rows] == list(DEFAULT_STAGES["law_inspection"])
    assert rows[0].done_on.isoformat() == "2024-05-10" and rows[0].note == "印发检查方案"
    assert rows[0].done_by.username == "staffA" and not any(r.done_on for r in rows[1:])
    item = fresh(staged.iA.id)
    assert item.version == 2 and item.progress == 17
    (entry,) = events(staged.iA.id, "stage")
    assert (entry.from_value, entry.to_value, entry.note) == ("", "2024-05-10", "制定方案\n印发检查方案")
    assert entry.user.username == "staffA" and entry.body.name == "甲委员会"

    response = tick(client, staged.iA.id, 1, 2, done="off", date="", note="印发检查方案")
    assert response.status_code == 302
    assert stage_rows(staged.iA.id)[0].done_on is None
    assert fresh(staged.iA.id).version == 3 and fresh(staged.iA.id).progress == 0
    last = events(staged.iA.id, "stage")[-1]
    assert (last.from_value, last.to_value) == ("2024-05-10", "")
    html = client.get(f"/items/{staged.iA.id}").get_data(as_text=True)
    assert "环节「制定方案」：2024-05-10 → 未完成" in html and "环节「制定方案」：未完成 → 2024-05-10" in html


def test_tick_without_date_means_today(client, staged):
    login(client, "staffA")
    assert tick(client, staged.iA.id, 2, 1, date="").status_code == 302
    assert stage_rows(staged.iA.id)[1].done_on.isoformat() == "2024-06-15"  # PORTAL_TODAY


def test_unchanged_tick_writes_nothing(client, staged):
    login(client, "staffA")
    assert tick(client, staged.iA.id, 1, 1, done="off", date="").status_code == 302
    assert stage_rows(staged.iA.id) == [] and events(staged.iA.id) == [] and fresh(staged.iA.id).version == 1


def test_shared_item_stage_names_acting_body(client, staged):
    login(client, "staffB")
    assert tick(client, staged.iAB.id, 1, 1).status_code == 302
    assert events(staged.iAB.id, "stage")[0].body.name == "常委会乙工作委员会"


def test_stage_htmx_returns_stages_block(client, staged):
    login(client, "staffA")
    response = tick(client, staged.iA.id, 3, 1, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="stages"') and "<html" not in html
    assert 'name="version" value="2"' in html and "item-stages-updated" in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]


def test_stage_version_conflict(client, staged, app):
    """Two people tick the same item from the same page: the second gets 409, the current state and their text."""
    alice, bob = client, app.test_client()
    login(alice, "staffA")
    login(bob, "staffAB")
    assert tick(alice, staged.iA.id, 1, 1, note="甲先保存").status_code == 302
    response = tick(bob, staged.iA.id, 2, 1, note="乙的备注不丢失", date="2024-06-01", headers={"HX-Request": "true"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "他人" in html and "乙的备注不丢失" in html and 'value="2024-06-01"' in html
    assert 'name="version" value="2"' in html  # resubmitting now works
    assert len(events(staged.iA.id, "stage")) == 1 and stage_rows(staged.iA.id)[1].done_on is None
    # A status change also moves the version: a stage form from before it conflicts too.
    response = client.post(f"/items/{staged.iA.id}/status",
                           data={"csrf_token": csrf_token(alice), "status": "in_progress", "version": 2})
    assert response.status_code == 302
    assert tick(bob, staged.iA.id, 2, 2).status_code == 409
    assert tick(bob, staged.iA.id, 2, 3).status_code == 302


def test_missing_version_or_moved_stage_is_a_conflict(client, staged):
    login(client, "staffA")
    data = {"csrf_token": csrf_token(client), "done": "on", "date": "2024-05-10"}
    assert client.post(f"/items/{staged.iA.id}/stages/1", data=data).status_code == 409
    assert tick(client, staged.iA.id, 1, 1, stage="实地检查").status_code == 409  # the page showed another stage
    assert stage_rows(staged.iA.id) == []


@pytest.mark.parametrize("date, note, message", [
    ("2024-06-16", "", "不能晚于今天"),
    ("2022-12-31", "", "不能早于 2023-01-01"),
    ("2024-02-30", "", "没有这个日期"),
    ("10/05/2024", "", "日期格式"),
    ("20240510", "", "日期格式"),
    ("2024-05-10", "长" * 2001, "不能超过 2000 字"),
    ("2024-05-10", "长" * 200_000, "不能超过 2000 字"),
])
def test_stage_validation(client, staged, date, note, message):
    login(client, "staffA")
    response = tick(client, staged.iA.id, 2, 1, date=date, note=note)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and f'value="{date}"' in html  # the message, next to what was typed
    assert stage_rows(staged.iA.id) == [] and events(staged.iA.id) == [] and fresh(staged.iA.id).version == 1


def test_stage_date_bounds_are_inclusive(client, staged):
    login(client, "staffA")
    assert tick(client, staged.iA.id, 1, 1, date="2023-01-01").status_code == 302
    assert tick(client, staged.iA.id, 2, 2, date="2024-06-15").status_code == 302


def test_unknown_stage_or_item_without_stages_is_404(client, staged, world):
    login(client, "staffA")
    assert tick(client, staged.iA.id, 7, 1).status_code == 404
    fresh(staged.iA.id).work_kind = None
    db.session.commit()
    assert tick(client, staged.iA.id, 1, 1).status_code == 404
    html = client.get(f"/items/{staged.iA.id}").get_data(as_text=True)
    assert "没有标准工作环节" in html


def test_stage_needs_csrf(client, staged):
    login(client, "staffA")
    response = client.post(f"/items/{staged.iA.id}/stages/1", data={"done": "on", "version": 1})
    assert response.status_code == 400 and stage_rows(staged.iA.id) == []


def test_template_edits_do_not_rewrite_started_items(client, staged):
    login(client, "staffA")
    assert tick(client, staged.iA.id, 1, 1).status_code == 302
    first = db.session.scalars(select(StageTemplate).where(StageTemplate.work_kind == "law_inspection",
                                                           StageTemplate.position == 1)).one()
    first.name = "制定执法检查方案"
    db.session.commit()
    assert stage_rows(staged.iA.id)[0].name == "制定方案"
    assert "制定执法检查方案" not in client.get(f"/items/{staged.iA.id}").get_data(as_text=True)
    assert "制定执法检查方案" in client.get(f"/items/{staged.iAB.id}").get_data(as_text=True)


def test_progress_rule(app, staged):
    item = fresh(staged.iA.id)
    assert item.progress == 0  # not started, no stage ticked yet
    for status, expected in (("in_progress", None), ("postponed", None), ("cancelled", None), ("done", 100)):
        item.status = status
        assert item.progress == expected
    item.stages = [ItemStage(position=n, name=str(n), note="") for n in range(1, 4)]
    item.stages[0].done_on = item.stages[1].done_on = date(2024, 5, 1)
    assert item.progress == 67  # stages decide once they are tracked, whatever the status


# ---------------------------------------------------------------- operations, without HTTP

def test_operations_check_scope_and_role(app, staged):
    users, iA, iB = staged.users, fresh(staged.iA.id), fresh(staged.iB.id)
    for call in (lambda u, i: stages.tick_stage(u, i, 1, done=True, version=i.version),
                 lambda u, i: notes.add_note(u, i, "进展"),
                 lambda u, i: document_ops.upload_document(u, i, category="plan", filename="a.pdf", data=pdf_bytes())):
        with pytest.raises(NotVisible):
            call(users["staffA"], iB)
        with pytest.raises(Forbidden):
            call(users["leader"], iA)
    with pytest.raises(Forbidden):
        kinds.set_work_kind(users["staffA"], iA, "research", version=iA.version)
    assert events(iA.id) == [] and events(iB.id) == []


def test_save_racing_another_is_a_conflict_at_flush(app, staged):
    """The version read with the item matches the form, but another save lands before ours is flushed."""
    item = fresh(staged.iA.id)
    table = WorkItem.__table__
    db.session.execute(update(table).where(table.c.id == item.id).values(version=table.c.version + 1))
    with pytest.raises(Conflict) as raised:
        stages.tick_stage(staged.users["staffA"], item, 1, done=True, date_text="2024-05-10", version=1)
    assert raised.value.item.version == 1  # rolled back: the other save (simulated here) did not commit
    assert stage_rows(staged.iA.id) == [] and events(staged.iA.id) == []


# ---------------------------------------------------------------- notes

def test_note_is_recorded_without_touching_the_item(client, world):
    login(client, "staffA")
    response = post_note(client, world.iA.id, "  已召开协调会，明确分工。 ")
    assert response.status_code == 302
    (entry,) = events(world.iA.id, "note")
    assert entry.note == "已召开协调会，明确分工。" and entry.user.username == "staffA" and entry.body.name == "甲委员会"
    assert fresh(world.iA.id).version == 1
    assert "已召开协调会，明确分工。" in client.get(f"/items/{world.iA.id}").get_data(as_text=True)


@pytest.mark.parametrize("note, message", [("", "请填写进展情况"), ("   ", "请填写进展情况"),
                                           ("长" * 2001, "不能超过 2000 字"), ("长" * 200_000, "不能超过 2000 字")])
def test_note_validation(client, world, note, message):
    login(client, "staffA")
    response = post_note(client, world.iA.id, note, headers={"HX-Request": "true"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and html.lstrip().startswith('<section id="notes"')
    if note.strip() and len(note) < 5000:
        assert note in html  # what was typed is kept
    assert events(world.iA.id) == []


def test_note_htmx_answer_and_trigger(client, world):
    login(client, "staffA")
    response = post_note(client, world.iA.id, "第一次进展", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已记入办理记录" in response.get_data(as_text=True)
    assert "item-history-updated" in response.headers["HX-Trigger"]


def test_leader_cannot_add_notes(client, world):
    login(client, "leader")
    assert post_note(client, world.iA.id, "领导的话").status_code == 403
    assert events(world.iA.id) == []
    assert 'id="notes"' not in client.get(f"/items/{world.iA.id}").get_data(as_text=True)


# ---------------------------------------------------------------- documents

ALLOWED = [
    ("检查方案.pdf", pdf_bytes, "application/pdf"),
    ("现场照片.png", png_bytes, "image/png"),
    ("现场照片.JPG", jpeg_bytes, "image/jpeg"),
    ("调研报告.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("审议意见.docx", lambda: docx_bytes(first="word/document.xml"),  # parts in another order: still a DOCX
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("统计表.xlsx", xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]


@pytest.mark.parametrize("filename, make, content_type", ALLOWED)
def test_upload_and_download_each_allowed_type(client, world, filename, make, content_type):
    content = make()
    login(client, "staffA")
    response = upload(client, world.iA.id, content, filename, category="research_report")
    assert response.status_code == 302 and response.headers["Location"].endswith("#documents")
    (document,) = documents(world.iA.id)
    assert (document.filename, document.content_type, document.size, document.category) == (
        filename, content_type, len(content), "research_report")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    (entry,) = events(world.iA.id, "document")
    assert (entry.from_value, entry.to_value, entry.note) == ("research_report", "uploaded", filename)

    download = client.get(f"/items/{world.iA.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(filename)}" in disposition
    html = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert filename in html and "调研报告" in html


@pytest.mark.parametrize("content, filename, message", [
    (EXE, "report.pdf", "内容不属于这些类型"),
    (EXE, "report.exe", "内容不属于这些类型"),
    (b"just some text", "notes.txt", "内容不属于这些类型"),
    (png_bytes(), "scan.pdf", "扩展名与内容不符"),
    (pdf_bytes(), "report", "扩展名与内容不符"),
    (office_bytes({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<w/>",
                   "word/vbaProject.bin": "x"}), "macro.docx", "含有宏"),
    (office_bytes({"[Content_Types].xml": CONTENT_TYPES, "evil.txt": "x"}), "fake.docx", "内容不属于这些类型"),
    (office_bytes({"word/document.xml": "<w/>"}), "bare.docx", "内容不属于这些类型"),
    (b"PK\x03\x04broken zip", "broken.xlsx", "内容不属于这些类型"),
    (b"", "empty.pdf", "文件是空的"),
])
def test_refused_files_write_nothing(client, world, content, filename, message):
    login(client, "staffA")
    response = upload(client, world.iA.id, content, filename, category="opinions")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'id="document-file-error' in html
    assert '<option value="opinions" selected>' in html  # the category chosen is kept
    assert documents(world.iA.id) == [] and events(world.iA.id) == []


def test_wrong_or_missing_category_is_refused(client, world):
    login(client, "staffA")
    for category in ("", "secret", "plan'; DROP TABLE item_document; --"):
        response = upload(client, world.iA.id, pdf_bytes(), "方案.pdf", category=category)
        assert response.status_code == 400 and "请选择材料类别" in response.get_data(as_text=True)
    response = client.post(f"/items/{world.iA.id}/documents", data={"csrf_token": csrf_token(client), "category": "plan"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.get_data(as_text=True)
    assert documents(world.iA.id) == []


def test_oversize_file_is_refused(client, world, app):
    app.config["DOCUMENT_MAX_BYTES"] = 1000
    login(client, "staffA")
    response = upload(client, world.iA.id, pdf_bytes() + b"%" * 1000, "大文件.pdf")
    assert response.status_code == 400 and "大小限制" in response.get_data(as_text=True)
    assert documents(world.iA.id) == []


def test_request_over_the_app_limit_keeps_the_page(client, world, app):
    """Over MAX_CONTENT_LENGTH the request never reaches the view: the page comes back with the message."""
    app.config["MAX_CONTENT_LENGTH"] = 4096
    login(client, "staffA")
    response = upload(client, world.iA.id, pdf_bytes() + b"%" * 8192, "太大.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "大小限制" in html and world.iA.title in html and 'id="document-file-error' in html
    assert documents(world.iA.id) == []
    # Another body's item: the generic answer, nothing about the item.
    response = upload(client, world.iB.id, pdf_bytes() + b"%" * 8192, "太大.pdf")
    assert response.status_code == 413 and world.iB.title not in response.get_data(as_text=True)


def test_request_over_the_real_limit(client, world):
    """The configured 12 MB limit, end to end (10 MB per document is checked by the view)."""
    login(client, "staffA")
    response = upload(client, world.iA.id, pdf_bytes() + b"%" * (12 * 1024 * 1024), "扫描件.pdf")
    assert response.status_code == 413 and "10 MB" in response.get_data(as_text=True)
    response = upload(client, world.iA.id, pdf_bytes() + b"%" * (10 * 1024 * 1024), "扫描件.pdf")
    assert response.status_code == 400 and "10 MB" in response.get_data(as_text=True)
    assert documents(world.iA.id) == []


def test_documents_served_only_within_scope(client, world, app):
    login(client, "staffA")
    assert upload(client, world.iA.id, pdf_bytes(), "方案.pdf").status_code == 302
    (document,) = documents(world.iA.id)
    other = app.test_client()
    login(other, "staffB")
    assert other.get(f"/items/{world.iA.id}/documents/{document.id}").status_code == 404
    assert other.get(f"/items/{world.iB.id}/documents/{document.id}").status_code == 404
    both = app.test_client()
    login(both, "staffAB")
    assert both.get(f"/items/{world.iB.id}/documents/{document.id}").status_code == 404  # not iB's document
    assert both.get(f"/items/{world.iA.id}/documents/{document.id}").status_code == 200
    assert both.post(f"/items/{world.iB.id}/documents/{document.id}/remove",
                     data={"csrf_token": csrf_token(both)}).status_code == 404
    leader = app.test_client()
    login(leader, "leader")
    assert leader.get(f"/items/{world.iA.id}/documents/{document.id}").status_code == 200
    assert leader.post(f"/items/{world.iA.id}/documents/{document.id}/remove",
                       data={"csrf_token": csrf_token(leader)}).status_code == 403
    assert documents(world.iA.id)[0].removed_at is None


def test_removed_document_stays_in_history(client, world):
    login(client, "staffA")
    assert upload(client, world.iA.id, pdf_bytes(), "旧方案.pdf").status_code == 302
    (document,) = documents(world.iA.id)
    response = client.post(f"/items/{world.iA.id}/documents/{document.id}/remove", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get(f"/items/{world.iA.id}/documents/{document.id}").status_code == 404
    (stored,) = documents(world.iA.id)
    assert stored.removed_at is not None and stored.removed_by.username == "staffA" and stored.data == pdf_bytes()
    assert [(e.to_value, e.note) for e in events(world.iA.id, "document")] == [("uploaded", "旧方案.pdf"),
                                                                              ("removed", "旧方案.pdf")]
    html = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "移除材料（方案）：" in html and "上传材料（方案）：" in html and "暂无材料" in html
    assert f"/documents/{document.id}\"" not in html  # no download link any more
    # Removing again changes nothing.
    client.post(f"/items/{world.iA.id}/documents/{document.id}/remove", data={"csrf_token": csrf_token(client)})
    assert len(events(world.iA.id, "document")) == 2


def test_remove_document_htmx(client, world):
    login(client, "staffA")
    upload(client, world.iA.id, pdf_bytes(), "方案.pdf")
    (document,) = documents(world.iA.id)
    response = client.post(f"/items/{world.iA.id}/documents/{document.id}/remove",
                           data={"csrf_token": csrf_token(client)}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="documents"') and "暂无材料" in html
    assert "item-history-updated" in response.headers["HX-Trigger"]


@pytest.mark.parametrize("raw, shown", [
    ("..\\..\\windows\\report.pdf", "report.pdf"),
    ("/etc/passwd", "passwd"),
    ("a\r\nX-Injected: 1.pdf", "aX-Injected: 1.pdf"),
    ("evil\u202efdp.exe", "evilfdp.exe"),
    ("  报告   初稿 .pdf ", "报告 初稿 .pdf"),
    ("长" * 300 + ".docx", "长" * 115 + ".docx"),
    ("", ""),
])
def test_display_filename(raw, shown):
    assert display_filename(raw) == shown


def test_filename_is_for_display_only(client, world):
    login(client, "staffA")
    response = upload(client, world.iA.id, pdf_bytes(), "..\\..\\etc/passwd\t\u202e.pdf")
    assert response.status_code == 302
    (document,) = documents(world.iA.id)
    assert document.filename == "passwd.pdf"
    download = client.get(f"/items/{world.iA.id}/documents/{document.id}")
    assert download.headers["Content-Disposition"] == 'attachment; filename=passwd.pdf'


# ---------------------------------------------------------------- user text is inert

# No quotes: a browser sends them percent-encoded in a file name, the test client would not.
PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<div hx-get=/admin hx-trigger=load>x</div>']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_escaped_in_notes_stages_and_filenames(client, staged, payload):
    login(client, "staffA")
    assert post_note(client, staged.iA.id, payload).status_code == 302
    assert tick(client, staged.iA.id, 1, 1, note=payload).status_code == 302
    assert upload(client, staged.iA.id, png_bytes(), payload.replace("/", "") + ".png").status_code == 302
    for response in (client.get(f"/items/{staged.iA.id}"),
                     tick(client, staged.iA.id, 2, 2, headers={"HX-Request": "true"})):
        html = response.get_data(as_text=True)
        assert payload not in html and payload.replace("/", "") not in html
        assert str(escape(payload)) in html


def test_template_syntax_in_a_note_is_not_evaluated(client, world):
    login(client, "staffA")
    post_note(client, world.iA.id, "{{7*7}} {% if 1 %}x{% endif %}")
    html = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "{{7*7}} {% if 1 %}x{% endif %}" in html


# ---------------------------------------------------------------- kind of work (admin)

def test_admin_sets_work_kind(client, world):
    ensure_stage_templates()
    db.session.commit()
    login(client, "admin")
    response = client.post(f"/items/{world.iA.id}/kind",
                           data={"csrf_token": csrf_token(client), "work_kind": "research", "version": 1})
    assert response.status_code == 302
    item = fresh(world.iA.id)
    assert item.work_kind == "research" and item.version == 2
    (entry,) = events(world.iA.id, "kind")
    assert (entry.from_value, entry.to_value) == ("", "research")
    html = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "工作类型：未分类 → 专题调研" in html and "实地调研" in html
    # Once a stage is recorded the kind stays.
    assert tick(client, world.iA.id, 1, 2).status_code == 302
    response = client.post(f"/items/{world.iA.id}/kind",
                           data={"csrf_token": csrf_token(client), "work_kind": "general", "version": 3})
    assert response.status_code == 400 and "不能再更改工作类型" in response.get_data(as_text=True)
    assert fresh(world.iA.id).work_kind == "research"
    response = client.post(f"/items/{world.iA.id}/kind",
                           data={"csrf_token": csrf_token(client), "work_kind": "nonsense", "version": 3})
    assert response.status_code == 400 and "未知的工作类型" in response.get_data(as_text=True)
    response = client.post(f"/items/{world.iA.id}/kind",
                           data={"csrf_token": csrf_token(client), "work_kind": "general", "version": 1})
    assert response.status_code == 409


def test_staff_cannot_set_work_kind(client, world):
    login(client, "staffA")
    response = client.post(f"/items/{world.iA.id}/kind",
                           data={"csrf_token": csrf_token(client), "work_kind": "research", "version": 1})
    assert response.status_code == 403 and fresh(world.iA.id).work_kind is None


# ---------------------------------------------------------------- admin: stage templates

def template_names(kind) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(StageTemplate.name).where(StageTemplate.work_kind == kind)
                                   .order_by(StageTemplate.position)))


def template_id(kind, name) -> int:
    return db.session.scalars(select(StageTemplate.id).where(StageTemplate.work_kind == kind,
                                                             StageTemplate.name == name)).one()


def edit(client, kind, name, action, new_name=None):
    data = {"csrf_token": csrf_token(client), "action": action, "name": new_name or name}
    return client.post(f"/admin/stages/{template_id(kind, name)}", data=data)


def test_admin_edits_stage_templates(client, world):
    ensure_stage_templates()
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/stages").get_data(as_text=True)
    assert "执法检查" in page and "研究处理情况反馈" in page and page.count("<form") > 30
    response = client.post("/admin/stages", data={"csrf_token": csrf_token(client), "work_kind": "research",
                                                  "name": " 征求代表 意见 "})
    assert response.status_code == 302 and response.headers["Location"].endswith("#kind-research")
    assert template_names("research")[-1] == "征求代表 意见"
    assert edit(client, "research", "征求代表 意见", "up").status_code == 302
    assert template_names("research")[-2:] == ["征求代表 意见", "调研意见交办反馈"]
    assert edit(client, "research", "制定方案", "up").status_code == 302  # already first: unchanged
    assert edit(client, "research", "制定方案", "down").status_code == 302
    assert template_names("research")[:2] == ["实地调研", "制定方案"]
    assert edit(client, "research", "实地调研", "save", "实地调研（“四不两直”）").status_code == 302
    assert edit(client, "research", "制定方案", "delete").status_code == 302
    assert template_names("research") == ["实地调研（“四不两直”）", "起草调研报告", "报送主任会议", "征求代表 意见", "调研意见交办反馈"]
    positions = db.session.scalars(select(StageTemplate.position).where(StageTemplate.work_kind == "research")
                                   .order_by(StageTemplate.position)).all()
    assert positions == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name, message", [("", "请填写环节名称"), ("  \n ", "请填写环节名称"), ("环" * 101, "不能超过 100 字")])
def test_stage_template_validation(client, world, name, message):
    ensure_stage_templates()
    db.session.commit()
    login(client, "admin")
    before = template_names("inquiry")
    response = edit(client, "inquiry", "制定方案", "save", name or " ")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = client.post("/admin/stages", data={"csrf_token": csrf_token(client), "work_kind": "inquiry", "name": name})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    if name.strip():
        assert name in response.get_data(as_text=True)  # typed text kept
    assert template_names("inquiry") == before


def test_non_admin_cannot_edit_stage_templates(client, world):
    ensure_stage_templates()
    db.session.commit()
    for role in ("staffA", "leader"):
        login(client, role)
        assert client.get("/admin/stages").status_code == 403
        assert client.post("/admin/stages", data={"csrf_token": csrf_token(client), "work_kind": "research",
                                                  "name": "x"}).status_code == 403
        assert edit(client, "research", "制定方案", "delete").status_code == 403
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert template_names("research") == list(DEFAULT_STAGES["research"])


def test_admin_stage_template_text_escaped(client, world):
    login(client, "admin")
    client.post("/admin/stages", data={"csrf_token": csrf_token(client), "work_kind": "general",
                                       "name": "<script>alert(1)</script>"})
    html = client.get("/admin/stages").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# ---------------------------------------------------------------- query counts

def count_queries(fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_detail_query_count_does_not_grow_with_stages_and_documents(client, staged):
    login(client, "staffA")
    url = f"/items/{staged.iA.id}"
    assert tick(client, staged.iA.id, 1, 1).status_code == 302
    upload(client, staged.iA.id, pdf_bytes(), "一.pdf")
    post_note(client, staged.iA.id, "一")
    small = count_queries(lambda: client.get(url))
    for n in range(2, 7):
        assert tick(client, staged.iA.id, n, n).status_code == 302
    for n in range(8):
        upload(client, staged.iA.id, png_bytes(), f"照片{n}.png")
        post_note(client, staged.iA.id, f"进展{n}")
    large = count_queries(lambda: client.get(url))
    html = client.get(url).get_data(as_text=True)
    assert html.count('class="stage stage-done"') == 6 and len(re.findall(r"照片\d\.png</a>", html)) == 8
    assert large == small
