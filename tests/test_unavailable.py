"""A database that refuses (down, restarting, disk full) answers a calm 503, in process, on both engines;
tests/test_faults.py makes the real faults happen under gunicorn."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import sign_in


@pytest.fixture
def failing_query(app, monkeypatch):
    """The next user load raises what the driver raises when the disk is full."""
    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("database or disk is full"))

    from portal.extensions import login_manager

    return lambda: monkeypatch.setattr(login_manager, "_user_callback", refuse)


def test_database_refusal_is_a_calm_503_page(client, world, failing_query):
    sign_in(client, "staffA")
    failing_query()
    response = client.get("/items")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "数据库暂时不可用" in html and "参考编号" in html and "disk is full" not in html
    assert response.headers["Retry-After"] == "30" and response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers


def test_database_refusal_for_htmx_swaps_nothing(client, world, failing_query):
    sign_in(client, "staffA")
    failing_query()
    response = client.get("/items", headers={"HX-Request": "true"})
    assert response.status_code == 503 and response.headers["HX-Reswap"] == "none"
    assert "request-error" in response.headers["HX-Trigger"]
    response.headers["HX-Trigger"].encode("ascii")  # gunicorn refuses non-ASCII header values
