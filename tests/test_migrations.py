"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from portal import create_app
from portal.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL


@pytest.fixture
def empty_db_url(tmp_path):
    """An empty database: a new SQLite file, or a private schema on PostgreSQL."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    engine = create_engine(TEST_DATABASE_URL)
    schema = f"migrate_{os.getpid()}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in TEST_DATABASE_URL else "?"
    yield f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def test_upgrade_matches_models_and_downgrades(empty_db_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        assert "item_event" in inspect(db.engine).get_table_names()
        # The append-only trigger comes with the migration too.
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO body (name, short_name, kind, sort_order, active) VALUES ('x', 'x', 'office', 0, true)"))
            conn.execute(text("INSERT INTO plan (year, key, title, sort_order, imported_at) VALUES (2024, 'k', 't', 0, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO section (plan_id, number, title) VALUES (1, 0, '')"))
            conn.execute(text(
                "INSERT INTO work_item (plan_id, section_id, seq, title, text, months_mask, schedule, status, status_note,"
                " source, version, created_at, updated_at) VALUES (1, 1, 1, 't', '', 0, '', 'not_started', '', 'import', 1,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO item_event (item_id, kind, from_value, to_value, note, created_at)"
                              " VALUES (1, 'status', '', '', '', CURRENT_TIMESTAMP)"))
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text("DELETE FROM item_event"))
        downgrade(revision="base")
        assert "work_item" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_upgrade_keeps_the_history_and_fills_due_dates(empty_db_url):
    """0004 and 0005 rebuild work_item; the append-only history that refers to it must survive
    (on SQLite a table rebuild with foreign keys on would cascade into it), and the due dates
    are computed from the old month fields."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_db_url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO body (name, short_name, kind, sort_order, active) VALUES ('x', 'x', 'office', 0, true)"))
            conn.execute(text("INSERT INTO plan (year, key, title, sort_order, imported_at) VALUES (2024, 'k', 't', 0, CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO section (plan_id, number, title) VALUES (1, 0, '')"))
            for seq, mask, postponed in ((1, 1 << 4, None), (2, (1 << 7) | (1 << 8), 11)):
                conn.execute(text(
                    "INSERT INTO work_item (plan_id, section_id, seq, title, text, months_mask, schedule, status, status_note,"
                    " source, version, created_at, updated_at, postponed_to_month) VALUES (1, 1, :seq, 't', '', :mask, '',"
                    " 'not_started', '', 'import', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :p)"),
                    {"seq": seq, "mask": mask, "p": postponed})
                conn.execute(text("INSERT INTO item_body (item_id, body_id, position) VALUES (:i, 1, 0)"), {"i": seq})
                conn.execute(text("INSERT INTO item_event (item_id, kind, from_value, to_value, note, created_at)"
                                  " VALUES (:i, 'status', '', '', '', CURRENT_TIMESTAMP)"), {"i": seq})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM item_event")).scalar() == 2
            assert conn.execute(text("SELECT COUNT(*) FROM item_body")).scalar() == 2
            rows = conn.execute(text("SELECT seq, due_date, postponed_to FROM work_item ORDER BY seq")).all()
        assert [(seq, str(due), str(postponed) if postponed else None) for seq, due, postponed in rows] == [
            (1, "2024-04-30", None), (2, "2024-11-30", "2024-11-01")]
        downgrade(revision="base")
        db.engine.dispose()
