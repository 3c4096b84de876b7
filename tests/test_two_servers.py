"""Two application servers behind nginx, one database: nothing a user relies on lives in a worker.

Two gunicorn instances (each as `make run` starts it) behind Debian's nginx as a round-robin load
balancer on 127.0.0.1, sharing one database: on the PostgreSQL leg a database of its own on the leg's
server, on the SQLite leg one file. A user signs in through one server and keeps working through the
other; a lockout counted through one holds on the other; a status change made on one is seen on the
other at once; and nginx really spreads one session's requests over both.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.server import Gunicorn, build_demo_database, free_port
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

pytestmark = pytest.mark.server

PASSWORD = "two-servers-demo-2024"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream portal {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://portal;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> Iterator[str]:
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('two-servers') / 'portal.db'}"
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"portal_two_servers_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory) -> Iterator[tuple[str, str, str]]:
    """(server A, server B, nginx) base URLs."""
    tmp = tmp_path_factory.mktemp("nginx")
    build_demo_database(database_url, PASSWORD)
    with Gunicorn(database_url, tmp / "a.log") as a, Gunicorn(database_url, tmp / "b.log") as b:
        port = free_port()
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, a=a.port, b=b.port, port=port))
        nginx = subprocess.Popen([NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for(f"http://127.0.0.1:{port}/healthz", nginx, tmp)
            yield a.url, b.url, f"http://127.0.0.1:{port}"
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def _wait_for(url: str, nginx: subprocess.Popen, tmp: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise RuntimeError(f"nginx exited: {nginx.stderr.read().decode(errors='replace')}"
                               f"{(tmp / 'nginx-error.log').read_text(errors='replace') if (tmp / 'nginx-error.log').exists() else ''}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError("nginx did not answer within 20 s")


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'"X-CSRFToken":\s*"([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(base: str, username: str, password: str = PASSWORD) -> requests.Response:
    session = requests.Session()
    token = token_of(session.get(f"{base}/login", timeout=30).text)
    response = session.post(f"{base}/login", data={"username": username, "password": password, "csrf_token": token},
                            allow_redirects=False, timeout=30)
    response.session = session
    return response


def test_a_session_made_on_one_server_works_on_the_other_and_nginx_spreads_it(servers):
    a, b, balancer = servers
    signed = sign_in(a, "fgw")
    assert signed.status_code == 302
    session = signed.session
    # The cookie that server A set is a session on server B.
    on_b = session.get(f"{b}/items", allow_redirects=False, timeout=30)
    assert on_b.status_code == 200 and "/login" not in on_b.headers.get("Location", "")
    # Through the balancer, one session's requests go to both servers and stay signed in on each.
    upstreams = set()
    for _ in range(6):
        response = session.get(f"{balancer}/items", allow_redirects=False, timeout=30)
        assert response.status_code == 200
        upstreams.add(response.headers["X-Upstream"])
    assert len(upstreams) == 2, upstreams
    # Signing out on B ends the session on A too.
    token = token_of(on_b.text)
    assert session.post(f"{b}/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30).status_code == 302
    assert session.get(f"{a}/items", allow_redirects=False, timeout=30).status_code == 302


def test_a_status_change_on_one_server_is_seen_on_the_other_at_once(servers):
    a, b, _ = servers
    session = sign_in(a, "fgw").session
    item = next(i for i in session.get(f"{a}/api/items?year=2024", timeout=30).json()["items"]
                if i["status"] == "not_started")
    token = token_of(session.get(f"{a}/items/{item['id']}", timeout=30).text)
    changed = session.post(f"{a}/items/{item['id']}/status", headers={"HX-Request": "true"}, timeout=30,
                           data={"csrf_token": token, "status": "in_progress", "version": item["version"], "note": ""})
    assert changed.status_code == 200, changed.text[:300]
    seen = {i["id"]: i for i in session.get(f"{b}/api/items?year=2024", timeout=30).json()["items"]}[item["id"]]
    assert (seen["status"], seen["version"]) == ("in_progress", item["version"] + 1)
    # The version B now holds is the one A checks: a stale form posted to B is a conflict.
    stale = session.post(f"{b}/items/{item['id']}/status", headers={"HX-Request": "true"}, timeout=30,
                         data={"csrf_token": token, "status": "done", "version": item["version"], "note": "办结"})
    assert stale.status_code == 409


def test_a_lockout_counted_through_one_server_holds_on_the_other(servers):
    a, b, _ = servers
    from portal.accounts.lockout import MAX_FAILURES
    for attempt in range(MAX_FAILURES):
        server = a if attempt % 2 == 0 else b
        assert sign_in(server, "leader", "wrong-password-123").status_code in (401, 429)
    # The right password, on either server, is now refused like a wrong one.
    for server in (a, b):
        refused = sign_in(server, "leader")
        assert refused.status_code != 302, refused.headers
