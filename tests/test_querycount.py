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
        assert client.get("/healthz").headers["X-Query-Count"] == "1"  # its SELECT 1
        sign_in(client, world.users["staffA"])
        signed_in = int(client.get("/healthz").headers["X-Query-Count"])
        assert signed_in == 2  # plus the session check's user
        assert int(client.get("/items").headers["X-Query-Count"]) > signed_in
        db.session.remove()
