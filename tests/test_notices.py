"""Notices (提醒) per role: new instructions, answers, items due this and next month, overdue; marked read
one or all, never announced twice, a constant number of queries."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import NoticeRead, WorkItem
from tests.conftest import make_item, sign_in
from tests.test_items import count_queries


def keys(client) -> list[str]:
    return re.findall(r'data-notice="([^"]+)"', client.get("/notices").get_data(as_text=True))


def unread_count(client) -> int:
    html = client.get("/notices/count", headers={"HX-Request": "true"}).get_data(as_text=True)
    return int(re.search(r'data-unread="(\d+)"', html).group(1))


def test_notices_per_role(client, world):
    # On 15 June: iA (April) is overdue; a new item of A due in June and one due in July; iB due in August.
    plan = world.iA.plan
    june = make_item(plan, 4, "六月到期的事项", [world.A], months=(6,))
    july = make_item(plan, 5, "七月到期的事项", [world.B], months=(7,))
    db.session.commit()
    token = sign_in(client, "leader")
    client.post(f"/items/{world.iA.id}/instructions", data={"csrf_token": token, "text": "请加快进度"})

    sign_in(client, "staffA")
    # iAB (July–August) is due at the end of August: not yet announced.
    assert keys(client) == ["ins:1", f"late:{world.iA.id}:2024-04-30", f"due:{june.id}:2024-06-30"]
    page = client.get("/notices").get_data(as_text=True)
    assert "请加快进度" in page and "已逾期" in page and "本月到期" in page
    sign_in(client, "staffB")
    assert keys(client) == [f"due:{july.id}:2024-07-31"]  # next month; iB (August) not yet
    sign_in(client, "depaff")
    assert client.get("/notices").status_code == 403

    token = sign_in(client, "staffA")
    client.post("/instructions/1/answer", data={"csrf_token": token, "answer": "已部署"})
    assert "ins:1" not in keys(client)  # answered, so read: nothing left to announce
    sign_in(client, "leader")
    assert [k.split(":")[0] for k in keys(client)] == ["ans"]
    assert "已部署" in client.get("/notices").get_data(as_text=True)


def test_mark_one_and_all_read_nothing_twice(client, world):
    plan = world.iA.plan
    make_item(plan, 4, "六月到期的事项", [world.A], months=(6,))
    db.session.commit()
    token = sign_in(client, "staffA")
    assert unread_count(client) == 2
    first = keys(client)[0]
    response = client.post("/notices/read", data={"csrf_token": token, "key": first}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "notices-read" in response.headers["HX-Trigger"]
    assert unread_count(client) == 1
    client.post("/notices/read", data={"csrf_token": token, "key": first})  # again: nothing new stored
    client.post("/notices/read", data={"csrf_token": token, "all": "1"})
    assert unread_count(client) == 0
    assert db.session.scalar(select(db.func.count()).select_from(NoticeRead)) == 2
    # A postponed item that falls due again is a new notice.
    item = db.session.get(WorkItem, world.iA.id)
    item.status, item.postponed_to = "postponed", date(2024, 7, 1)
    db.session.commit()
    assert unread_count(client) == 1 and keys(client)[0] == f"due:{world.iA.id}:2024-07-31"


def test_header_shows_the_count_without_costing_the_page(client, world):
    sign_in(client, "staffA")
    page = client.get("/items").get_data(as_text=True)
    assert 'hx-get="/notices/count"' in page and 'hx-trigger="load"' in page
    sign_in(client, "deputy1")
    assert "/notices" not in client.get("/duty-records/mine").get_data(as_text=True)


def test_notices_take_a_constant_number_of_queries(client, world, app):
    token = sign_in(client, "leader")
    client.post(f"/items/{world.iA.id}/instructions", data={"csrf_token": token, "text": "请加快进度"})
    sign_in(client, "staffAB")
    small = count_queries(app, lambda: client.get("/notices"))
    small_count = count_queries(app, lambda: client.get("/notices/count", headers={"HX-Request": "true"}))
    plan = world.iA.plan
    for n in range(40):
        make_item(plan, 10 + n, f"事项{n}", [world.A, world.B], months=(n % 8 + 1,))
    db.session.commit()
    token = sign_in(client, "leader")
    for item_id in (world.iB.id, world.iAB.id):
        client.post(f"/items/{item_id}/instructions", data={"csrf_token": token, "text": "请加快进度"})
    sign_in(client, "staffAB")
    assert count_queries(app, lambda: client.get("/notices")) == small
    assert count_queries(app, lambda: client.get("/notices/count", headers={"HX-Request": "true"})) == small_count
    assert len(keys(client)) > 30
