"""Through a real gunicorn, started as `make run` starts it, on a demo database built by the CLI.

The test client hides what gunicorn refuses: a non-ASCII header value (an HX-Trigger carrying
Chinese text) turned every HTMX error answer into a bare 500 under gunicorn while every
test-client test passed. These tests see the answer a browser sees.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from bench.server import Gunicorn, build_demo_database

pytestmark = pytest.mark.server

PASSWORD = "gunicorn-demo-pass-2024"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Gunicorn]:
    tmp = tmp_path_factory.mktemp("gunicorn")
    url = f"sqlite:///{tmp / 'portal.db'}"
    build_demo_database(url, PASSWORD)
    with Gunicorn(url, tmp / "gunicorn.log") as gunicorn:
        yield gunicorn


def page_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken":\s*"([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def signed_in(server: Gunicorn, username: str) -> tuple[requests.Session, str]:
    """A session signed in over POST /login, and the CSRF token of its signed-in pages."""
    session = requests.Session()
    token = page_token(session.get(f"{server.url}/login", timeout=30).text)
    response = session.post(f"{server.url}/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:300]
    home = session.get(f"{server.url}/items", timeout=30)
    assert home.status_code == 200
    return session, page_token(home.text)


def an_item(session: requests.Session, server: Gunicorn) -> dict:
    items = session.get(f"{server.url}/api/items?year=2024", timeout=30).json()
    items = items["items"] if isinstance(items, dict) else items
    assert items, "the demo user sees no items"
    return items[0]


def test_healthz(server):
    response = requests.get(f"{server.url}/healthz", timeout=30)
    assert response.status_code == 200


def test_sign_in_over_http(server):
    session, token = signed_in(server, "fgw")
    workspace = session.get(f"{server.url}/items", timeout=30)
    assert workspace.status_code == 200
    assert "fgw" in workspace.text or "法制工作委员会" in workspace.text
    assert token


def test_not_found_page_is_404(server):
    session, _ = signed_in(server, "fgw")
    response = session.get(f"{server.url}/items/999999", timeout=30)
    assert response.status_code == 404
    assert "<html" in response.text


def test_htmx_not_found_is_404_not_500(server):
    session, _ = signed_in(server, "fgw")
    response = session.get(f"{server.url}/items/999999", headers={"HX-Request": "true"}, timeout=30)
    assert response.status_code == 404, (response.status_code, server.log_tail(1500))


def test_htmx_forbidden_is_403_not_500(server):
    session, token = signed_in(server, "leader")
    item = an_item(session, server)
    response = session.post(
        f"{server.url}/items/{item['id']}/status",
        data={"status": "in_progress", "version": item["version"], "note": "", "view": "row"},
        headers={"HX-Request": "true", "X-CSRFToken": token}, timeout=30,
    )
    assert response.status_code == 403, (response.status_code, server.log_tail(1500))


def test_htmx_csrf_failure_is_400_not_500(server):
    session, _ = signed_in(server, "fgw")
    item = an_item(session, server)
    response = session.post(
        f"{server.url}/items/{item['id']}/status",
        data={"status": "in_progress", "version": item["version"], "note": "", "view": "row"},
        headers={"HX-Request": "true", "X-CSRFToken": "not-a-token"}, timeout=30,
    )
    assert response.status_code == 400, (response.status_code, server.log_tail(1500))
