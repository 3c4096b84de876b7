"""Faults survived, through a real gunicorn (bench.server, as `make run` starts it):

1. kill -9 of workers in the middle of writes: every acknowledged write is there with its history,
   integrity_check is clean, the master brings the workers back;
2. a full disk while writing (RLIMIT_FSIZE 0 on the running server, SIGXFSZ ignored so a write gets
   EFBIG): a calm 503 page in Chinese, nothing half-written, serving again once space is back;
3. PostgreSQL stopped and restarted under load (a throwaway cluster): 503 with the calm page while it
   is down, and recovery without restarting the portal (pool_pre_ping).

Marked slow and server; they run in `make test`: 1 and 2 in the SQLite leg, 3 in the PostgreSQL leg.
"""
from __future__ import annotations

import http.client
import os
import resource
import signal
import sqlite3
import threading
import time
from contextlib import closing, contextmanager

import pytest

from bench.server import Client, Gunicorn, sign_in
from portal.extensions import db
from tests.conftest import ON_POSTGRES, PASSWORD, build_world, make_app
from tests.pg_server import NoPostgres, throwaway_cluster_handle

pytestmark = [pytest.mark.slow, pytest.mark.server]
# Each fault runs once per `make test`: the SQLite ones in the SQLite leg, PostgreSQL's restart (on a
# throwaway cluster of its own, never the shared test server) in the PostgreSQL leg.
sqlite_leg = pytest.mark.only_sqlite       # runs in the SQLite leg (its own SQLite files)
postgres_leg = pytest.mark.only_postgres   # runs in the PostgreSQL leg (a throwaway cluster)

USER = "staffAB"  # works both items of the test world that it shares (iA, iAB) and iB
CALM = "数据库暂时不可用"


def small_database(url: str) -> None:
    """The test world (tests/conftest.py: bodies A and B, three items, one user per principal) in a new
    database, built in-process: a fraction of a demo load's time (no subprocess, a fast password hash)."""
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()  # with the append-only triggers, as the migrations make them
        build_world()
        db.session.remove()
        db.engine.dispose()


def another_connection(server: Gunicorn, client: Client) -> Client:
    """The same signed-in session over a new connection (signing in again would cost a password hash)."""
    fresh = Client(server.port)
    fresh.cookies = dict(client.cookies)
    return fresh


def signed_in(server: Gunicorn, username: str = USER) -> tuple[Client, str]:
    client = Client(server.port)
    return client, sign_in(client, username, PASSWORD)


def item_ids(client: Client, n: int) -> list[int]:
    items = client.get("/api/items?year=2024").json()
    items = items["items"] if isinstance(items, dict) else items
    assert len(items) >= n
    return [item["id"] for item in items[:n]]


def add_note(client: Client, token: str, item_id: int, text: str):
    return client.post(f"/items/{item_id}/notes", {"note": text, "csrf_token": token},
                       headers={"HX-Request": "true", "X-CSRFToken": token})


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def notes_in(path: str) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT note FROM item_event WHERE kind = 'note'")}


def integrity(path: str) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory):
    """A small database built once; each test works on its own copy."""
    tmp = tmp_path_factory.mktemp("faults")
    small_database(f"sqlite:///{tmp / 'demo.db'}")
    return tmp / "demo.db"


@pytest.fixture
def sqlite_copy(demo_sqlite, tmp_path):
    target = tmp_path / "portal.db"
    with closing(sqlite3.connect(demo_sqlite)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@sqlite_leg
def test_kill_9_of_workers_mid_write_loses_no_acknowledged_write(sqlite_copy, tmp_path):
    with Gunicorn(sqlite_copy, tmp_path / "gunicorn.log", workers=2, threads=4) as server:
        stop, acknowledged, failed = threading.Event(), [], []

        first, token = signed_in(server)  # before the kills; the writers share the session
        sessions = [(another_connection(server, first), token) for _ in range(4)]
        ids = item_ids(first, 3)

        def write(n: int) -> None:
            client, token = sessions[n]
            i = 0
            while not stop.is_set():
                text = f"kill-9 写入 {n}-{i}"
                try:
                    response = add_note(client, token, ids[i % len(ids)], text)
                except (OSError, http.client.HTTPException):  # in flight when its worker died (no answer, or
                    # the headers without the whole body): not acknowledged
                    failed.append(text)
                    client = another_connection(server, client)
                else:
                    (acknowledged if response.status == 200 else failed).append(text)
                i += 1

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        try:
            killed = []

            def writes_advance(by: int, within: float = 15) -> None:
                goal, deadline = len(acknowledged) + by, time.monotonic() + within
                while len(acknowledged) < goal and time.monotonic() < deadline:
                    time.sleep(0.05)

            for _ in range(2):  # each kill lands while writes are in flight
                writes_advance(3)
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            writes_advance(3)  # and the portal goes on writing after the last one
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (len(server.worker_pids()) == 2
                                                   and not set(killed) & set(server.worker_pids())):
            time.sleep(0.1)
        assert len(server.worker_pids()) == 2, "the master did not bring the workers back"
        client, _token = signed_in(server)
        assert client.get("/items").status == 200
    path = sqlite_path(sqlite_copy)
    assert len(acknowledged) >= 9, (len(acknowledged), len(failed))
    stored = notes_in(path)
    assert set(acknowledged) <= stored, set(acknowledged) - stored  # every acknowledged write, with its history
    assert integrity(path) == "ok"


@contextmanager
def xfsz_ignored():
    """SIGXFSZ ignored in processes started inside: a write past RLIMIT_FSIZE then fails with EFBIG
    instead of killing the worker (an ignored disposition survives fork and exec)."""
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGXFSZ, previous)


def limit_file_size(server: Gunicorn, size: int) -> None:
    """No process of the server may write a byte past `size` into any file (a full disk, without root)."""
    for pid in [server.process.pid, *server.worker_pids()]:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))


@sqlite_leg
def test_a_full_disk_gets_a_calm_page_and_writes_nothing(sqlite_copy, tmp_path):
    path = sqlite_path(sqlite_copy)
    with xfsz_ignored():
        server = Gunicorn(sqlite_copy, tmp_path / "gunicorn.log", workers=1, threads=2)
        server.__enter__()
    try:
        client, token = signed_in(server)
        item = item_ids(client, 1)[0]
        assert add_note(client, token, item, "磁盘满之前").status == 200
        before = notes_in(path)

        limit_file_size(server, 0)
        full = [client.post(f"/items/{item}/notes", {"note": f"磁盘满时 {i}", "csrf_token": token}) for i in range(3)]
        assert [r.status for r in full] == [503, 503, 503], [r.text[:300] for r in full]
        assert CALM in full[0].text and "<html" in full[0].text and "Traceback" not in full[0].text
        assert full[0].headers["Retry-After"]
        htmx = add_note(client, token, item, "磁盘满时 htmx")
        assert htmx.status == 503 and "request-error" in htmx.headers.get("HX-Trigger", "")

        limit_file_size(server, resource.RLIM_INFINITY)
        assert notes_in(path) == before  # nothing half-written
        assert integrity(path) == "ok"
        assert add_note(client, token, item, "空间恢复之后").status == 200
        assert client.get("/items").status == 200
    finally:
        server.__exit__()
    assert "空间恢复之后" in notes_in(path) and not any(n.startswith("磁盘满时") for n in notes_in(path))
    assert integrity(path) == "ok"


@postgres_leg
def test_postgres_stopped_and_restarted_under_load(tmp_path):
    try:
        cluster_context = throwaway_cluster_handle("faults")
        cluster = cluster_context.__enter__()
    except NoPostgres as error:
        pytest.fail(f"no PostgreSQL binaries for a throwaway cluster: {error}")
    try:
        small_database(cluster.url)
        with Gunicorn(cluster.url, tmp_path / "gunicorn.log", workers=2, threads=2) as server:
            client, token = signed_in(server)
            item = item_ids(client, 1)[0]
            statuses: list[tuple[str, int, str]] = []
            phase = ["up"]
            stop = threading.Event()

            sessions = [(another_connection(server, client), token) for _ in range(3)]

            def load(n: int) -> None:
                reader, reader_token = sessions[n]
                i = 0
                while not stop.is_set():
                    started = phase[0]  # the phase a request was sent in
                    try:
                        response = reader.get("/items") if i % 2 else add_note(reader, reader_token, item, f"pg {n}-{i}")
                        statuses.append((started, response.status, response.text[:2000]))
                    except OSError:
                        statuses.append((started, -1, ""))
                        reader = another_connection(server, reader)
                    i += 1
                    time.sleep(0.02)

            threads = [threading.Thread(target=load, args=(n,)) for n in range(3)]
            for thread in threads:
                thread.start()
            try:
                time.sleep(0.5)
                phase[0] = "stopping"
                cluster.stop("fast")
                phase[0] = "down"
                time.sleep(1.5)
                phase[0] = "starting"
                cluster.start()
                time.sleep(0.5)
                phase[0] = "back"
                time.sleep(1.5)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=60)
            down = [(s, body) for p, s, body in statuses if p == "down"]
            assert down and all(s == 503 for s, _ in down), (sorted({s for s, _ in down}), server.log_tail(3000))
            assert any(CALM in body for s, body in down if body)
            assert all(s in (200, 503) for p, s, _ in statuses), (sorted({(p, s) for p, s, _ in statuses}),
                                                                  server.log_tail(3000))
            back = [s for p, s, _ in statuses if p == "back"]
            assert back and all(s == 200 for s in back), back  # no restart of the portal needed
            assert client.get("/items").status == 200
    finally:
        cluster_context.__exit__(None, None, None)
