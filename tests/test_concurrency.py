"""Concurrent saves of one item: exactly one wins, the rest get 409, nothing is lost (T27, in-process).

Runs on a SQLite file (several connections, WAL, BEGIN IMMEDIATE for writers) or on PostgreSQL,
never on the shared in-memory database, so the requests really race.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ItemEvent, WorkItem
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, csrf_token, login, make_app, reset_database

WRITERS = 12


@pytest.fixture
def racing_app(tmp_path):
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'race.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_one_winner_among_concurrent_saves(racing_app, world_factory):
    world = world_factory()
    item_id = world.iAB.id
    # Outside a request the test's session writes with BEGIN IMMEDIATE like any command: end it first.
    db.session.commit()
    clients = []
    for n in range(WRITERS):
        client = racing_app.test_client()
        login(client, "staffAB" if n % 2 else "staffA")
        clients.append((client, csrf_token(client)))

    barrier = threading.Barrier(WRITERS)
    answers: list[int] = []
    lock = threading.Lock()

    def save(client, token, n):
        barrier.wait()
        response = client.post(f"/items/{item_id}/status", data={
            "status": "in_progress", "version": 1, "note": f"writer {n}", "csrf_token": token})
        with lock:
            answers.append(response.status_code)

    threads = [threading.Thread(target=save, args=(c, t, n)) for n, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [302] + [409] * (WRITERS - 1)
    db.session.expire_all()
    item = db.session.get(WorkItem, item_id)
    assert (item.status, item.version) == ("in_progress", 2)
    assert db.session.scalar(select(func.count()).select_from(ItemEvent).where(ItemEvent.item_id == item_id)) == 1
