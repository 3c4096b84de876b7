"""portal/pagecache.py: a kept page is never older than the data, never another user's, never another session's token."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import ChangeCounter, DutyRecord, NoticeRead, WorkItem
from portal.models.changes import AREAS
from portal.history import record
from portal.sheets import read_rows
from portal.uow import saving
from tests.conftest import build_world, make_app, reset_database, sign_in


def counter(area: str = "work") -> int:
    db.session.expire_all()
    return db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == AREAS[area])) or 0


def queries(response) -> int:
    return int(response.headers["X-Query-Count"])


def page_text(response) -> str:
    """The page without its CSRF tokens: Flask-WTF signs the token with the time, so it differs by the second."""
    return re.sub(r'(name="csrf_token" value=|"X-CSRFToken": )"[^"]+"', r'\1"-"',
                  response.get_data(as_text=True))


def status_of(html: str, item_id: int) -> str:
    row = re.search(rf'<tr id="item-{item_id}".*?</tr>', html, re.S).group(0)
    return re.search(r'class="status status-(\w+)"', row).group(1)


@pytest.fixture
def counting():
    """An app of its own that sends X-Query-Count, with the security world: (app, world)."""
    app = make_app(PORTAL_COUNT_QUERIES="1")
    with app.app_context():
        reset_database()
        yield app, build_world()
        db.session.remove()
        db.engine.dispose()


def test_the_counter_counts_committed_changes_only(app, world):
    before = counter()
    with saving():
        world.iA.title = "改过的标题"
    assert counter() == before + 1
    try:
        with saving():
            world.iA.title = "不会保存"
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert counter() == before + 1
    with saving():  # a read marker: no page but the notices (never kept) shows it
        db.session.add(NoticeRead(user_id=world.users["staffA"].id, key="x"))
    assert counter() == before + 1
    with saving():  # a history entry alone (a progress note) is not audited, and counts
        record(world.iA, world.users["staffA"], "note", note="进展")
    assert counter() == before + 2


def test_a_kept_page_follows_every_change_and_costs_fewer_queries(counting):
    app, world = counting
    staff, leader = app.test_client(), app.test_client()
    token = sign_in(staff, world.users["staffA"])
    sign_in(leader, world.users["leader"])
    first = leader.get("/items")
    again = leader.get("/items")
    assert '"X-CSRFToken": "-"' in page_text(first) and 'name="csrf_token" value="-"' in page_text(first)
    assert page_text(again) == page_text(first) and queries(again) < queries(first)  # served as kept
    fresh = leader.get("/items", headers={"Cache-Control": "no-cache"})  # a hard reload renders it
    assert page_text(fresh) == page_text(first) and queries(fresh) > queries(again)
    assert status_of(again.get_data(as_text=True), world.iA.id) == "not_started"

    # A change through the app, by another user: the leader's next page shows it.
    item = db.session.get(WorkItem, world.iA.id)
    response = staff.post(f"/items/{item.id}/status", data={"csrf_token": token, "status": "in_progress",
                                                             "version": item.version, "view": "row"},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    changed = leader.get("/items")
    assert queries(changed) > queries(again)  # rendered again
    assert status_of(changed.get_data(as_text=True), world.iA.id) == "in_progress"

    # A change made outside any view (a command, a test) counts the same.
    db.session.expire_all()
    item = db.session.get(WorkItem, world.iA.id)
    item.title = "命令行改过的标题"
    db.session.commit()
    assert "命令行改过的标题" in leader.get(f"/items/{item.id}").get_data(as_text=True)


def test_a_kept_page_is_one_users_and_carries_this_sessions_token(app, world):
    # Two sessions of one user: the second gets the kept page with its own token, which works.
    first, second = app.test_client(), app.test_client()
    sign_in(first, world.users["staffA"])
    token = sign_in(second, world.users["staffA"])
    html_first = first.get("/items").get_data(as_text=True)
    html_second = second.get("/items").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', html_second)
    assert tokens and set(tokens) == {tokens[0]} and tokens[0] not in html_first
    assert "\x00" not in html_second
    item = db.session.get(WorkItem, world.iA.id)
    response = second.post(f"/items/{item.id}/status", data={"csrf_token": tokens[0], "status": "in_progress",
                                                              "version": item.version})
    assert response.status_code == 302 and token
    # Another user asking for the same URL never gets it: staff of body B do not see body A's item.
    other = app.test_client()
    sign_in(other, world.users["staffB"])
    assert f'id="item-{world.iA.id}"' not in other.get("/items").get_data(as_text=True)


def test_a_flashed_message_shows_once_and_is_never_kept(app, world):
    client = app.test_client()
    token = sign_in(client, world.users["leader"])
    page = f"/items/{world.iA.id}"
    assert "请填写批示内容" not in client.get(page).get_data(as_text=True)  # now kept
    response = client.post(f"/items/{world.iA.id}/instructions", data={"csrf_token": token, "text": " "})
    assert response.status_code == 302  # refused: nothing changed, so the kept page is still current
    assert "请填写批示内容" in client.get(page).get_data(as_text=True)
    assert "请填写批示内容" not in client.get(page).get_data(as_text=True)


def test_switched_off_every_page_is_rendered():
    app = make_app(PORTAL_COUNT_QUERIES="1", PAGE_CACHE=False)
    with app.app_context():
        reset_database()
        world = build_world()
        client = app.test_client()
        sign_in(client, world.users["leader"])
        client.get("/items")
        assert queries(client.get("/items")) == queries(client.get("/items")) > 3
        db.session.remove()
        db.engine.dispose()


def test_a_kept_export_is_the_same_file_and_follows_a_change(counting):
    app, world = counting
    leader = app.test_client()
    sign_in(leader, world.users["leader"])
    first = leader.get("/exports/items.xlsx")
    again = leader.get("/exports/items.xlsx")
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and queries(again) < queries(first)
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert again.mimetype == first.mimetype and again.headers["Cache-Control"] == first.headers["Cache-Control"]
    with saving():
        db.session.get(WorkItem, world.iA.id).title = "导出之后改过的标题"
    changed = leader.get("/exports/items.xlsx")
    assert queries(changed) > queries(again)
    assert any("导出之后改过的标题" in cell for _n, cells in read_rows(changed.data, "x.xlsx") for cell in cells)


def test_a_deputys_record_leaves_the_committees_pages_kept_and_renders_the_deputies_pages(counting):
    from tests.deputy_world import add_roll

    app, world = counting
    roll = add_roll(world)
    staff, depaff = app.test_client(), app.test_client()
    sign_in(staff, world.users["staffA"])
    token = sign_in(depaff, world.users["depaff"])
    work, deputies = counter("work"), counter("deputies")
    kept_list = staff.get("/items")
    assert f'id="review-{roll["rec1"]}"' in depaff.get("/duty-records/review").get_data(as_text=True)
    # Deputy affairs confirm a record: only the deputies' counter moves.
    response = depaff.post(f"/duty-records/{roll['rec1']}/confirm", data={"csrf_token": token})
    assert response.status_code == 302
    assert (counter("work"), counter("deputies")) == (work, deputies + 1)
    again = staff.get("/items")
    assert page_text(again) == page_text(kept_list) and queries(again) < queries(kept_list)  # still kept
    queue = depaff.get("/duty-records/review").get_data(as_text=True)
    assert f'id="review-{roll["rec1"]}"' not in queue  # rendered again: the confirmed record has left the queue
    # A change of an item moves the work counter: the committee's list renders again.
    with saving():
        db.session.get(WorkItem, world.iA.id).title = "改过的标题"
    assert counter("work") == work + 1
    assert "改过的标题" in staff.get("/items").get_data(as_text=True)
    assert db.session.get(DutyRecord, roll["rec1"]).state == "confirmed"
