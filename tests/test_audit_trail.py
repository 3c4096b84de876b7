"""An audit you can trust: the audit trail and the item history are append-only in the database itself
(UPDATE, DELETE and TRUNCATE refused, on SQLite and PostgreSQL), the production app role owns no table,
admins read, filter and export the trail, and refused status changes are logged."""
from __future__ import annotations

import csv
import io
import logging
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from portal.extensions import db
from portal.models import AuditEntry, ItemEvent, WorkItem
from portal.timeutil import utcnow
from portal.uow import saving
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_app, sign_in


def _history_and_audit(world):
    """One status change through the app leaves an item event and an audit entry to attack."""
    from portal.items.status import StatusChange, change_status

    with saving():
        change_status(world.users["staffA"], world.iA, StatusChange("in_progress"), version=world.iA.version)
    assert db.session.scalar(select(ItemEvent.id).limit(1)) is not None
    assert db.session.scalar(select(AuditEntry.id).limit(1)) is not None


STATEMENTS = ["UPDATE {t} SET created_at = created_at", "DELETE FROM {t} WHERE id = (SELECT MIN(id) FROM {t})",
              "DELETE FROM {t}"] + (["TRUNCATE {t}", "TRUNCATE {t} CASCADE"] if ON_POSTGRES else [])


@pytest.mark.parametrize("table", ["audit_entry", "item_event"])
@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_database_refuses_to_rewrite_the_trail(app, world, table, statement):
    """Raw SQL as the tables' owner: the triggers refuse (on PostgreSQL TRUNCATE too, statement-level)."""
    _history_and_audit(world)
    before = db.session.scalar(text(f"SELECT COUNT(*) FROM {table}"))
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(statement.format(t=table)))
    db.session.rollback()
    assert db.session.scalar(text(f"SELECT COUNT(*) FROM {table}")) == before


def test_deleting_an_item_cannot_take_its_history_with_it(app, world):
    """The history's foreign key cascades; the cascade is refused like any other delete."""
    _history_and_audit(world)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM work_item WHERE id = :i"), {"i": world.iA.id})
    db.session.rollback()
    assert db.session.get(WorkItem, world.iA.id) is not None


@pytest.mark.only_sqlite  # there are no roles
def test_cli_grant_app_role_refuses_sqlite(app):
    result = app.test_cli_runner().invoke(args=["db", "grant-app-role", "portal_app"])
    assert result.exit_code != 0 and "PostgreSQL" in result.output


@pytest.fixture
def app_role(app):
    """A login role made by `flask db grant-app-role`, dropped afterwards (roles are cluster-wide)."""
    name = f"portal_app_t{os.getpid()}"
    result = app.test_cli_runner().invoke(args=["db", "grant-app-role", name])
    assert result.exit_code == 0, result.output
    assert "GRANT SELECT, INSERT ON \"audit_entry\"" in result.output or "GRANT SELECT, INSERT ON audit_entry" in result.output
    url = make_url(TEST_DATABASE_URL).set(username=name, password=None).render_as_string(hide_password=False)
    yield name, url
    db.session.remove()
    db.engine.dispose()
    with create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))


@pytest.mark.only_postgres  # SQLite has no roles
def test_the_app_role_can_work_but_cannot_rewrite_the_trail(app, world, app_role):
    """Connected as the role the portal uses in production: TRUNCATE, DELETE and UPDATE of the audit and
    the history are refused by privilege (not only by triggers, which an owner could drop); the
    ordinary work — a status change through the app, with its history and audit — goes through."""
    name, url = app_role
    _history_and_audit(world)
    engine = create_engine(url)
    try:
        for table in ("audit_entry", "item_event"):
            for statement in ("TRUNCATE {t}", "DELETE FROM {t}", "UPDATE {t} SET created_at = created_at",
                              "DROP TRIGGER {t}_no_truncate ON {t}", "ALTER TABLE {t} DISABLE TRIGGER ALL"):
                with pytest.raises(Exception, match="permission denied|must be owner"), engine.begin() as conn:
                    conn.execute(text(statement.format(t=table)))
        with engine.begin() as conn:  # ordinary tables: read and write
            assert conn.execute(text("SELECT COUNT(*) FROM audit_entry")).scalar() > 0
            conn.execute(text("UPDATE body SET sort_order = sort_order WHERE id = :b"), {"b": world.A.id})
    finally:
        engine.dispose()
    # The app itself, connected as the role: a status change with its history and audit entry.
    role_app = make_app(SQLALCHEMY_DATABASE_URI=url)
    client = role_app.test_client()
    with role_app.app_context():
        token = sign_in(client, db.session.get(type(world.users["staffB"]), world.users["staffB"].id))
        version = db.session.get(WorkItem, world.iB.id).version
    response = client.post(f"/items/{world.iB.id}/status", data={"status": "in_progress", "version": version,
                                                                 "note": "", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with role_app.app_context():
        assert db.session.scalar(select(ItemEvent).where(ItemEvent.item_id == world.iB.id)) is not None
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == str(world.iB.id))) is not None
        db.session.remove()
        db.engine.dispose()


# --- the audit screen --------------------------------------------------------------------------

def _changes(world, n=3):
    from portal.items.status import StatusChange, change_status

    if world.iA.status == "not_started":
        with saving():
            change_status(world.users["staffA"], world.iA, StatusChange("in_progress"), version=world.iA.version)
    with saving():
        world.iB.title = "乙工委改过的标题"
    for i in range(n):
        with saving():
            world.iAB.text = f"第{i}次修改"


def test_admin_filters_the_audit_trail(client, world):
    _changes(world)
    sign_in(client, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "审计记录" in page and "乙工委改过的标题" in page
    by_type = client.get("/admin/audit?type=work_item&op=update&q=乙工委改过").get_data(as_text=True)
    assert "乙工委改过的标题" in by_type and "第0次修改" not in by_type
    nobody = client.get("/admin/audit?user=nobody").get_data(as_text=True)
    assert "没有符合条件的审计记录" in nobody
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert "没有符合条件的审计记录" in client.get(f"/admin/audit?from={tomorrow}").get_data(as_text=True)
    assert "乙工委改过的标题" in client.get(f"/admin/audit?to={tomorrow}").get_data(as_text=True)
    # Text search works on escaped JSON too, with LIKE wildcards taken literally.
    assert "没有符合条件的审计记录" in client.get("/admin/audit?q=%25").get_data(as_text=True)


def test_bad_filters_get_a_message_not_a_500(client, world):
    sign_in(client, "admin")
    response = client.get("/admin/audit?from=2024-13-45&type=nonsense&op=drop&page=99999999999999999999")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请输入有效的日期" in html and "未知的对象类型" in html and 'value="2024-13-45"' in html
    assert client.get("/admin/audit/export?from=x").status_code == 400


def test_audit_is_paged(client, world, monkeypatch):
    import portal.admin.audit as audit

    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    _changes(world, n=3)
    sign_in(client, "admin")
    first = client.get("/admin/audit?type=work_item").get_data(as_text=True)
    assert "第2次修改" in first and "第0次修改" not in first and "下一页" in first
    second = client.get("/admin/audit?type=work_item&page=2").get_data(as_text=True)
    assert "第0次修改" in second and "上一页" in second


def test_audit_export_csv_and_xlsx(client, world):
    _changes(world)
    sign_in(client, "admin")
    response = client.get("/admin/audit/export?format=csv&type=work_item")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["编号", "时间（北京时间）", "用户"]
    assert any("乙工委改过的标题" in cell for row in rows[1:] for cell in row)
    assert all(row[5] == "工作事项" for row in rows[1:])
    xlsx = client.get("/admin/audit/export?format=xlsx&q=乙工委改过")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 2 and "乙工委改过的标题" in values[1][9]


def test_audit_page_queries_stay_constant(client, world):
    """One page costs the same number of queries with 5 or 60 entries in the trail."""
    sign_in(client, "admin")

    def queries():
        count = 0

        def tick(*_):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", tick)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", tick)
        return count

    _changes(world, n=2)
    few = queries()
    _changes(world, n=30)
    assert queries() == few


# --- refused status changes are logged -----------------------------------------------------------

def test_refused_status_changes_are_logged(client, world, caplog):
    token = sign_in(client, "staffA")
    item = world.iA
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        invalid = client.post(f"/items/{item.id}/status", data={"status": "done", "version": item.version, "note": "",
                                                                 "csrf_token": token})
        stale = client.post(f"/items/{item.id}/status", data={"status": "in_progress", "version": item.version + 5,
                                                               "note": "秘密的说明", "csrf_token": token})
        hidden = client.post(f"/items/{world.iB.id}/status", data={"status": "in_progress", "version": 1,
                                                                   "csrf_token": token})
    assert (invalid.status_code, stale.status_code, hidden.status_code) == (400, 409, 404)
    refused = [r for r in caplog.records if getattr(r, "event", "") == "status_refused"]
    assert [(r.reason, r.item_id, r.to_status) for r in refused] == [("invalid", item.id, "done"),
                                                                     ("conflict", item.id, "in_progress")]
    assert refused[0].fields == ["note"]
    assert all("秘密的说明" not in str(vars(r)) for r in caplog.records)  # the typed note is not logged
    denied = [r for r in caplog.records if getattr(r, "event", "") == "authz_denied"]
    assert denied and denied[-1].status == 404
    # And the structured line carries who and where (portal.logs.JsonFormatter).
    from portal.logs import JsonFormatter

    with client.application.test_request_context(f"/items/{item.id}/status", method="POST"):
        line = JsonFormatter().format(refused[0])
    assert '"event": "status_refused"' in line and '"route": "/items/' in line
