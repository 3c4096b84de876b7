"""Backups that restore (SECURITY-CHECKLIST T32): `backup create` while writers commit, `backup restore`
into a fresh database, and the copy is consistent — integrity_check, every table's row count equal to
the snapshot the backup was taken from, history for every status, the app signs in on it. Files are
readable by their owner only."""
from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal.backup import manifest_path
from portal.extensions import db
from portal.models import ItemEvent, User, WorkItem
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, build_world, login, make_app, reset_database, sign_in


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def source(tmp_path):
    """The live database: a SQLite file (the suite's in-memory one has no file to back up), or the PG test database."""
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'live' / 'portal.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        reset_database()
        world = build_world()
        ids = {name: u.id for name, u in world.users.items()}
        items = [world.iA.id, world.iAB.id]
    yield app, ids, items
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored' / 'portal.db'}"
        return
    name = f"restore_{os.getpid()}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def writer(app, user_id: int, item_id: int, stop: threading.Event, acknowledged: list) -> None:
    """Toggles one item between 进行中 and 已完成 through the app, as fast as it is answered."""
    client = app.test_client()
    with app.app_context():
        token = sign_in(client, db.session.get(User, user_id))
        version = db.session.get(WorkItem, item_id).version
    target = "in_progress"
    while not stop.is_set():
        response = client.post(f"/items/{item_id}/status", data={"status": target, "version": version,
                                                                 "note": "完成了" if target == "done" else "",
                                                                 "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        acknowledged.append((item_id, target))
        version += 1
        target = "done" if target == "in_progress" else "in_progress"


def consistent(url: str) -> dict[str, int]:
    """The invariants a torn copy would break; the row count of every table."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if url.startswith("sqlite"):
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            items = conn.execute(select(WorkItem.id, WorkItem.status, WorkItem.version)).all()
            for item_id, status, version in items:
                events = conn.execute(select(ItemEvent.to_value).where(ItemEvent.item_id == item_id,
                                                                       ItemEvent.kind == "status")
                                      .order_by(ItemEvent.id)).scalars().all()
                assert len(events) == version - 1, (item_id, version, events)  # one history row per change
                if status != "not_started":
                    assert events[-1] == status  # history for every status
            audits = conn.execute(text("SELECT COUNT(*) FROM audit_entry WHERE object_type = 'work_item' "
                                       "AND operation = 'update'")).scalar()
            status_events = conn.execute(select(func.count()).select_from(ItemEvent)
                                         .where(ItemEvent.kind == "status")).scalar()
            assert audits == status_events  # the audit entry and the history row of a change: both or neither
            tables = [r[0] for r in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'" if url.startswith("sqlite")
                else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))]
            return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in sorted(tables)}
    finally:
        engine.dispose()


def test_backup_under_writes_restores_consistent(source, fresh_url, tmp_path):
    app, ids, items = source
    stop, acknowledged = threading.Event(), []
    threads = [threading.Thread(target=writer, args=(app, ids["staffAB"], item, stop, acknowledged)) for item in items]
    for thread in threads:
        thread.start()
    try:
        while len(acknowledged) < 6:  # writers are going
            time.sleep(0.05)
        backup = tmp_path / "backups" / "portal.backup"
        backup.parent.mkdir()
        result = app.test_cli_runner().invoke(args=["backup", "create", str(backup)])
        during = len(acknowledged)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert len(acknowledged) > during, "the writers were not held up by the backup"
    assert mode(backup) == 0o600 and mode(manifest_path(backup)) == 0o600
    live = app.config["SQLALCHEMY_DATABASE_URI"]
    assert sum(consistent(live).values()) > 0

    restored_app = make_app(SQLALCHEMY_DATABASE_URI=fresh_url)
    runner = restored_app.test_cli_runner()
    result = runner.invoke(args=["backup", "restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "checked against the manifest" in result.output
    snapshot = json.loads(manifest_path(backup).read_text())["counts"]
    assert consistent(fresh_url) == snapshot  # every table, as counted in the backup's own snapshot
    assert 0 < snapshot["item_event"] < len(acknowledged) + 1
    if not ON_POSTGRES:
        restored_file = Path(make_url(fresh_url).database)
        assert mode(restored_file) == 0o600 and mode(restored_file.parent) == 0o700

    # The app signs in on the restored copy, through the real form.
    client = restored_app.test_client()
    with restored_app.app_context():
        assert login(client, "staffA").status_code == 302
        assert client.get("/items").status_code == 200
        db.session.remove()
        db.engine.dispose()

    # A second restore onto the now full database is refused, and says how to insist.
    again = runner.invoke(args=["backup", "restore", str(backup)])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(args=["backup", "restore", "--force", str(backup)])
    assert forced.exit_code == 0, forced.output
    assert consistent(fresh_url) == snapshot


def test_backup_refuses_to_overwrite_a_file(source, tmp_path):
    app, _ids, _items = source
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(target)])
    assert result.exit_code != 0 and "已存在" in result.output
    assert target.read_text() == "keep me"


def test_database_file_and_instance_folder_are_owner_only(tmp_path, monkeypatch):
    import portal.config as config
    import portal.database as database

    os.umask(0o022)
    url = f"sqlite:///{tmp_path / 'new' / 'portal.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        db.session.execute(text("SELECT 1"))
        path = Path(make_url(url).database)
        assert mode(path) == 0o600 and mode(path.parent) == 0o700
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            assert mode(wal) == 0o600
        db.engine.dispose()
    loose = tmp_path / "loose.db"
    loose.write_text("")
    loose.chmod(0o644)
    database.prepare_sqlite_file(f"sqlite:///{loose}")
    assert mode(loose) == 0o600  # an existing file of ours is tightened

    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert config.secret_key()
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600
