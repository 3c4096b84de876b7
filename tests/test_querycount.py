"""The benchmark's query counter (portal/querycount.py): off by default, one header when switched on."""
from __future__ import annotations

from portal.extensions import db
from tests.conftest import build_world, make_app, reset_database, sign_in


def test_no_query_count_header_by_default(client):
    assert "X-Query-Count" not in client.get("/healthz").headers


def test_query_count_header_counts_each_requests_queries():
    app = make_app(PORTAL_COUNT_QUERIES="1")
    with app.app_context():
        reset_database()
        world = build_world()
        client = app.test_client()
        client.get("/healthz")  # a new connection's set-up statements (SQLite pragmas) are counted once
        anonymous = int(client.get("/healthz").headers["X-Query-Count"])
        assert anonymous in (1, 2)  # its SELECT 1 (and SQLite's explicit BEGIN, portal/database.py)
        sign_in(client, world.users["staffA"])
        client.get("/healthz")  # (the test's own open transaction on SQLite's one in-memory connection)
        assert int(client.get("/healthz").headers["X-Query-Count"]) == anonymous + 1  # the session's user
        assert int(client.get("/items").headers["X-Query-Count"]) > anonymous + 1
        db.session.remove()
        db.engine.dispose()
