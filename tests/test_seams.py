"""The shared seams: one unit of work with its audit trail, refusals answered once, the status rules
a new user tripped over (postponing, finishing, bulk changes), and pages whose cost follows what they show."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.items import stages
from portal.items.status import StatusChange, change_status
from portal.models import AuditEntry, ItemEvent, StageTemplate, WorkItem
from tests.conftest import csrf_token, login, make_item, make_plan
from tests.test_items import count_queries, fresh, history_count, post_status

ROOT = Path(__file__).resolve().parent.parent


def audit_rows(**where) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(db.session.scalars(query))


# --- the audit trail ---------------------------------------------------------------------------

def test_status_change_writes_one_audit_entry_with_before_and_after(client, world):
    login(client, "staffA")
    before = len(audit_rows())
    assert post_status(client, world.iA.id, "in_progress", 1).status_code == 302
    db.session.expire_all()
    entries = audit_rows(object_type="work_item", object_id=str(world.iA.id))
    assert len(audit_rows()) == before + 1
    entry = entries[-1]
    assert (entry.operation, entry.username, entry.ip) == ("update", "staffA", "127.0.0.1")
    assert entry.action == "item.update_status:items.update_status"
    assert entry.before["status"] == "not_started" and entry.after["status"] == "in_progress"
    assert "version" not in entry.after and "updated_at" not in entry.after


def test_refused_change_writes_no_audit(client, world):
    login(client, "staffA")
    before = len(audit_rows())
    assert post_status(client, world.iA.id, "postponed", 1, note="").status_code == 400  # no reason, no month
    assert post_status(client, world.iB.id, "in_progress", 1).status_code == 404
    assert post_status(client, world.iA.id, "in_progress", 99).status_code == 409
    db.session.expire_all()
    assert len(audit_rows()) == before


def test_audit_is_in_the_same_transaction(app, world):
    """A rolled-back change leaves no audit entry behind (the hook writes inside the flush)."""
    item = db.session.get(WorkItem, world.iA.id)
    item.title = "改过的标题"
    db.session.flush()
    assert audit_rows(object_type="work_item", operation="update")[-1].after == {"title": "改过的标题"}
    db.session.rollback()
    assert audit_rows(object_type="work_item", operation="update") == []


def test_stage_template_edits_and_imports_are_audited(client, world, app):
    login(client, "admin")
    response = client.post("/admin/stages", data={"csrf_token": csrf_token(client), "work_kind": "research",
                                                   "name": "征求代表意见"})
    assert response.status_code == 302
    template = db.session.scalar(select(StageTemplate).where(StageTemplate.name == "征求代表意见"))
    entry = audit_rows(object_type="stage_template", object_id=str(template.id))[-1]
    assert (entry.operation, entry.username, entry.after["name"]) == ("insert", "admin", "征求代表意见")


def test_cli_changes_are_audited_as_the_command(app, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text((ROOT / "portal/seed/puyang-2024-workplan.txt").read_text(encoding="utf-8"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["plan", "import", str(plan), "--year", "2024"])
    assert result.exit_code == 0, result.output
    items = audit_rows(object_type="work_item", operation="insert")
    assert len(items) == 106
    assert {(e.ip, e.username) for e in items} == {("cli", "")}
    assert all(e.action.endswith("plan import") for e in items)


def test_user_passwords_never_reach_the_audit(app, world):
    user = world.users["staffA"]
    user.set_password("a new and long password")
    db.session.commit()
    entries = audit_rows(object_type="user", object_id=str(user.id))
    assert entries and entries[-1].after["password_hash"] == "***"
    assert all("session_token" not in e.after for e in entries)


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET username = 'x'", "DELETE FROM audit_entry"])
def test_audit_is_append_only_in_the_database(app, world, statement):
    world.iA.title = "x"
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) >= 1


# --- status rules a new user hit ---------------------------------------------------------------

def test_postponing_to_an_earlier_or_past_month_is_refused(client, world):
    login(client, "staffB")  # iB is due in August; today is 2024-06-15
    for month, message in (("7", "须晚于现在的完成时间"), ("8", "须晚于现在的完成时间")):
        response = post_status(client, world.iB.id, "postponed", 1, note="等待市政府报告", month=month)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert fresh(world.iB.id).status == "not_started" and history_count(world.iB.id) == 0


def test_postponing_an_overdue_item_cannot_go_into_the_past(client, world):
    plan = world.iA.plan
    late = make_item(plan, 9, "三月的事项", [world.A], months=(3,))
    db.session.commit()
    login(client, "staffA")
    response = post_status(client, late.id, "postponed", 1, note="顺延", month="5")
    assert response.status_code == 400 and "不能早于本月" in response.get_data(as_text=True)
    assert post_status(client, late.id, "postponed", 1, note="顺延", month="6").status_code == 302


def test_postponing_across_the_year_end(client, world):
    login(client, "staffB")
    response = post_status(client, world.iB.id, "postponed", 1, note="跨年度办理", month="3", year="2025")
    assert response.status_code == 302
    item = fresh(world.iB.id)
    assert (item.postponed_to, item.due_date) == (date(2025, 3, 1), date(2025, 3, 31))
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "延期至2025年3月" in page and "计划2025年3月，按计划推进" in page
    # postponed again: only to a still later month
    response = post_status(client, item.id, "postponed", item.version, note="再次顺延", month="2", year="2025")
    assert response.status_code == 400
    assert post_status(client, item.id, "postponed", item.version, note="再次顺延", month="4", year="2025").status_code == 302
    assert post_status(client, item.id, "postponed", fresh(item.id).version, note="x", month="1", year="2026").status_code == 400


def test_done_asks_for_a_note_records_the_date_and_warns_of_open_stages(client, world):
    item = db.session.get(WorkItem, world.iA.id)
    item.work_kind = "law_inspection"
    stages.ensure_stage_templates()
    db.session.commit()
    login(client, "staffA")
    response = post_status(client, item.id, "done", item.version, note="")
    assert response.status_code == 400 and "请填写办结说明" in response.get_data(as_text=True)
    assert fresh(item.id).status == "not_started"

    response = post_status(client, item.id, "done", fresh(item.id).version, note="报告已审议",
                           headers={"HX-Request": "true"}, view="detail")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "还有 6 个工作环节未勾选" in html  # a warning, not a refusal
    item = fresh(item.id)
    assert (item.status, item.completed_on, item.status_note) == ("done", date(2024, 6, 15), "报告已审议")
    assert "已于2024-06-15办结" in html and "已完成 / 已完成" not in html
    assert "办结情况：报告已审议" in html


def test_same_status_writes_nothing(app, world):
    user = world.users["staffA"]
    item = db.session.get(WorkItem, world.iA.id)
    change_status(user, item, StatusChange("in_progress"), version=1)
    db.session.commit()
    from portal.errors import Invalid

    with pytest.raises(Invalid):
        change_status(user, item, StatusChange("in_progress"), version=item.version)
    db.session.rollback()
    assert history_count(item.id) == 1


def bulk(client, ids_versions, status, headers=None, **extra):
    data = {"status": status, "csrf_token": csrf_token(client), "items": [f"{i}:{v}" for i, v in ids_versions]} | extra
    return client.post("/items/bulk-status", data=data, headers=headers or {})


def test_bulk_leaves_rows_already_in_the_target_status_and_says_so(client, world):
    login(client, "staffAB")
    assert post_status(client, world.iA.id, "in_progress", 1).status_code == 302
    response = bulk(client, [(world.iA.id, 2), (world.iB.id, 1)], "in_progress", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已更新 1 项" in html and "1 项原已是“进行中”，未作改动" in html
    assert fresh(world.iB.id).status == "in_progress"
    assert history_count(world.iA.id) == 1 and history_count(world.iB.id) == 1


def test_bulk_counts_a_repeated_id_once(client, world):
    login(client, "staffA")
    response = bulk(client, [(world.iA.id, 1)] * 600, "in_progress", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert history_count(world.iA.id) == 1 and fresh(world.iA.id).version == 2


def test_bulk_without_javascript_says_what_it_did(client, world):
    login(client, "staffAB")
    response = bulk(client, [(world.iA.id, 1), (world.iB.id, 1)], "in_progress",
                    next="/items?year=2024")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已更新 2 项" in page


# --- answers that gunicorn accepts, pages that do not grow -------------------------------------

def test_htmx_error_headers_are_ascii(client, world):
    login(client, "staffA")
    response = client.get(f"/items/{world.iB.id}", headers={"HX-Request": "true"})
    assert response.status_code == 404
    for name, value in response.headers.items():
        value.encode("ascii")  # gunicorn refuses a non-ASCII header value with a 500
    assert "request-error" in response.headers["HX-Trigger"]


def test_region_answers_its_own_block(client, world):
    login(client, "staffA")
    page = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "hx-select" not in page  # regions ask for their own block, not the whole page
    for name, marker in (("history", 'id="history"'), ("status_panel", 'id="status-panel"'), ("stages", 'id="stages"')):
        response = client.get(f"/items/{world.iA.id}/regions/{name}", headers={"HX-Request": "true"})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and marker in html and "<html" not in html and 'id="counters"' not in html


def test_file_sizes_read_in_the_users_language(client, world):
    from portal.models import ItemDocument

    db.session.add(ItemDocument(item_id=world.iA.id, category="plan", filename="a.pdf", content_type="application/pdf",
                                size=45, sha256="0" * 64, data=b"x" * 45))
    db.session.commit()
    login(client, "staffA")
    html = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "45 字节" in html and "Bytes" not in html


def test_light_filter_and_counters_are_computed_in_sql(client, world):
    plan = world.iA.plan
    make_item(plan, 10, "逾期的事项", [world.A], months=(3,))
    make_item(plan, 11, "本月到期的事项", [world.A], months=(6,))
    db.session.commit()
    login(client, "staffA")
    html = client.get("/items?light=red").get_data(as_text=True)
    assert "逾期的事项" in html and "本月到期的事项" not in html and world.iA.title in html  # iA was due in April
    counters = client.get("/items/counters?year=2024", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(r'data-counter="overdue"[^>]*>[^<]*<strong>2</strong>', counters)
    assert re.search(r'data-counter="due"[^>]*>[^<]*<strong>1</strong>', counters)


@pytest.mark.parametrize("url", ["/items/{iA}", "/items/print?year=2024", "/items?year=2024&light=red",
                                 "/items/counters?year=2024"])
def test_query_count_does_not_grow_with_data(client, world, app, url):
    login(client, "staffAB")
    url = url.format(iA=world.iA.id)
    small = count_queries(app, lambda: client.get(url))
    plan = make_plan(year=2024, key="decisions", title="2024年度重大事项和项目决定工作计划")
    for n in range(80):
        item = make_item(plan, n + 1, f"批量事项{n}", [world.A, world.B], months=(n % 12 + 1,))
        db.session.add(ItemEvent(item_id=world.iA.id, kind="note", note=f"进展{n}"))
        if n % 3 == 0:
            item.status = "in_progress"
    db.session.commit()
    assert count_queries(app, lambda: client.get(url)) == small


def test_print_shows_the_whole_year_on_one_page(client, world):
    plan = world.iA.plan
    for n in range(60):
        make_item(plan, 20 + n, f"整年事项{n}", [world.A], months=(n % 12 + 1,))
    db.session.commit()
    login(client, "leader")
    html = client.get("/items/print?year=2024").get_data(as_text=True)
    assert html.count('class="item-row"') == 63 and "截至2024年6月15日" in html
    paper = html.split("</nav>", 1)[1]  # after the toolbar, which the print stylesheet hides
    assert "<form" not in paper and "<button" not in paper  # no controls on paper


# --- where the code says things ----------------------------------------------------------------

def test_no_view_or_template_tests_a_role_name():
    """Roles are capabilities in portal/authz.py; nothing else reads the account's role."""
    offenders = []
    for path in list((ROOT / "portal").rglob("*.py")) + list((ROOT / "templates").rglob("*.html")):
        if path.name == "authz.py" or "translations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.role\s*(==|!=|in\b)|\[\s*\S*\.role\s*\]", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_code_cites_only_documents_in_the_repository():
    offenders = []
    for path in list((ROOT / "portal").rglob("*.py")) + list((ROOT / "templates").rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in re.findall(r"\b([A-Z][A-Z-]+\.md)\b", line):
                if not (ROOT / "docs" / name).exists() and not (ROOT / name).exists():
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {name}")
            if "../shared" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: ../shared")
    assert offenders == []


@pytest.mark.parametrize("who, url", [("staffA", "/items"), ("admin", "/items"), ("staffA", "/items/{iA}"),
                                      ("leader", "/items/print?year=2024")])
def test_pages_show_no_python_object_text(client, world, who, url):
    """A template that prints a Python object instead of its value (a dict's method, a bound method)."""
    login(client, who)
    html = client.get(url.format(iA=world.iA.id)).get_data(as_text=True)
    assert "built-in method" not in html and "bound method" not in html and " object at 0x" not in html


def test_the_list_keeps_filters_it_has_no_control_for(client, world):
    """A dashboard number links to e.g. ?level=task&part=lead; changing the month must keep them."""
    login(client, "leader")
    html = client.get("/items?year=2024&level=item&part=lead").get_data(as_text=True)
    form = html.split('id="filters"')[1].split("</form>")[0]
    assert 'name="level" value="item"' in form and 'name="part" value="lead"' in form
