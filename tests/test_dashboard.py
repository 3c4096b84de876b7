"""The leaders' dashboard: every figure against a count of the items themselves, the JSON and the page
agree, every number links to the list behind it, a constant number of queries, and who reaches it."""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.history import record
from portal.items import lights
from portal.models import ItemBody, Plan, User, WorkItem
from tests.conftest import make_item, make_plan, sign_in
from tests.test_items import count_queries

TODAY = date(2024, 6, 15)  # tests/conftest.py pins PORTAL_TODAY


def add_items(world, n: int, key: str = "decisions") -> None:
    """n more items of another plan in every status, some with a supporting body, and a task of each third."""
    plan = make_plan(year=2024, key=key, title=f"2024年度{key}计划")
    statuses = ["not_started", "in_progress", "done", "postponed", "cancelled"]
    for i in range(n):
        item = make_item(plan, i + 1, f"{key}事项{i}", [world.A], months=(i % 12 + 1,),
                         meeting_month=(i % 12 + 1) if i % 2 else None, status=statuses[i % 5])
        if item.status == "postponed":
            item.postponed_to = date(2024, 11, 1)
        if i % 4 == 0:
            item.assignments.append(ItemBody(body_id=world.B.id, position=1, lead=False))
        if i % 3 == 0:
            task = WorkItem(plan_id=plan.id, section_id=plan.sections[0].id, seq=100 + i, title=f"任务{i}", text="",
                            parent_id=item.id, status=statuses[(i + 1) % 5], assigned_due=date(2024, 5, 1))
            task.assignments = [ItemBody(body_id=world.B.id, position=0)]
            db.session.add(task)
    db.session.commit()


@pytest.fixture
def board(world):
    world.iA.status = "in_progress"
    add_items(world, 20)
    return world


def expected_tally(items) -> dict:
    counts = Counter(i.status for i in items)
    colors = Counter(lights.light_color(i, TODAY) for i in items)
    return {"total": len(items), **{s: counts[s] for s in ("not_started", "in_progress", "done", "postponed", "cancelled")},
            "overdue": colors[lights.RED], "due_this_month": colors[lights.YELLOW]}


def subset(figures: dict) -> dict:
    return {k: figures[k] for k in ("total", "not_started", "in_progress", "done", "postponed", "cancelled",
                                    "overdue", "due_this_month")}


def test_every_figure_matches_a_count_of_the_items(client, board):
    sign_in(client, "leader")
    data = client.get("/api/dashboard?year=2024").get_json()
    items = list(db.session.scalars(select(WorkItem)))
    assert data["year"] == 2024 and data["today"] == "2024-06-15"
    for plan in data["plans"]:
        own = [i for i in items if i.plan.key == plan["plan"] and i.parent_id is None]
        assert subset(plan) == expected_tally(own), plan["plan"]
        for section in plan["sections"]:
            mine = [i for i in own if i.section.number == section["section_no"]]
            assert subset(section) == expected_tally(mine)
    assert {p["plan"] for p in data["plans"]} == {"supervision", "decisions"}
    for body in data["bodies"]:
        both = [i for i in items if body["id"] in i.body_ids]
        assert subset(body) == expected_tally(both), body["body"]
        lead = [i for i in items if any(a.body_id == body["id"] and a.lead for a in i.assignments)]
        assert subset(body["lead"]) == expected_tally(lead)
        assert body["lead"]["total"] + body["supporting"]["total"] == body["total"]
    assert data["bodies"][1]["supporting"]["total"] > 0  # B supports some of A's items
    assert set(data["overdue"]) == {i.id for i in items if lights.light_color(i, TODAY) == lights.RED}
    assert set(data["due_this_month"]) == {i.id for i in items if lights.light_color(i, TODAY) == lights.YELLOW}
    # Next meeting: the first meeting month from June on; iB (supervision, August) and decisions items of July.
    month = min(i.meeting_month for i in items if i.parent_id is None and (i.meeting_month or 0) >= 6)
    assert data["next_meeting"]["month"] == month == 6
    assert data["next_meeting"]["items"] == [i.id for i in sorted(
        (i for i in items if i.parent_id is None and i.meeting_month == month),
        key=lambda i: (i.plan.sort_order, i.plan.id, i.section.number, i.seq))]


def figure_links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n)) for href, n in
            re.findall(r'<a[^>]*data-figure="[^"]+"[^>]*href="([^"]+)"[^>]*>(?:<span class="dot"></span>)?\+?(\d+)</a>', page)]


def list_total(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    return int(re.search(r'<a class="counter" href="[^"]*"><strong>(\d+)</strong>', page).group(1))


def test_every_number_links_to_its_list_and_the_page_agrees_with_the_json(client, board):
    sign_in(client, "leader")
    page = client.get("/dashboard?scope=all").get_data(as_text=True)
    data = client.get("/api/dashboard?year=2024").get_json()
    links = figure_links(page)
    assert len(links) > 30
    for url, n in links:
        assert url.startswith("/items?") and "year=2024" in url
        assert list_total(client, url) == n, url
    # The headline counts are the JSON's, written as an office would.
    supervision = next(p for p in data["plans"] if p["plan"] == "supervision")
    text = re.sub(r"<[^>]+>", "", page)
    assert f"监督工作计划\n        {supervision['total']}项" in text or f"监督工作计划 {supervision['total']}项" in " ".join(text.split())
    assert (f"已完成{supervision['done']}项，进行中{supervision['in_progress']}项，逾期{supervision['overdue']}项，"
            f"已延期{supervision['postponed']}项，未启动{supervision['not_started']}项") in "".join(text.split())
    for body in data["bodies"]:
        assert f'data-body="{body["id"]}"' in page
    for item_id in data["overdue"] + data["due_this_month"] + data["next_meeting"]["items"]:
        assert f'data-item="{item_id}"' in page


def test_month_grid_counts_and_colours(client, board):
    """iA (April, in progress) is overdue on 15 June: red; iB (August) and iAB (July–August) not yet due: grey."""
    sign_in(client, "leader")
    page = client.get("/dashboard").get_data(as_text=True)
    row = re.search(r'<tr data-plan="supervision">(.*?)</tr>', page, re.S).group(1)
    cells = {m: (cls, n) for cls, m, n in re.findall(
        r'<td class="([^"]*)" data-month="(\d+)">(?:<a[^>]*><span class="dot"></span>(\d+)</a>)?', row)}
    assert cells["4"] == ("light-red", "1")
    assert cells["7"] == ("light-grey", "1") and cells["8"] == ("light-grey", "2")
    assert cells["1"] == ("", "")


def test_page_is_a_fragment_for_htmx_and_works_without(client, board):
    sign_in(client, "leader")
    full = client.get("/dashboard?year=2024")
    assert "<html" in full.get_data(as_text=True) and 'hx-push-url="true"' in full.get_data(as_text=True)
    fragment = client.get("/dashboard?year=2024", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div id="board"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_year_selectable_latest_by_default(client, board):
    make_plan(year=2025, key="supervision", title="2025年度监督工作计划")
    db.session.commit()
    sign_in(client, "leader")
    assert "工作总览 · 2025" in client.get("/dashboard").get_data(as_text=True)
    assert "工作总览 · 2024" in client.get("/dashboard?year=2024").get_data(as_text=True)
    assert client.get("/api/dashboard?year=2025").get_json()["plans"][0]["total"] == 0


def test_leader_of_some_bodies_sees_them_first_and_all_with_one_click(client, board):
    leader = db.session.scalar(select(User).where(User.username == "leader"))
    leader.led_bodies = [board.B]
    db.session.commit()
    sign_in(client, "leader")
    mine = client.get("/dashboard").get_data(as_text=True)
    assert f'data-body="{board.B.id}"' in mine and f'data-body="{board.A.id}"' not in mine
    assert "scope=all" in mine
    everything = client.get("/dashboard?scope=all").get_data(as_text=True)
    assert f'data-body="{board.A.id}"' in everything and f'data-body="{board.B.id}"' in everything


def test_leader_home_is_the_dashboard_and_others_are_refused(client, world):
    sign_in(client, "leader")
    assert client.get("/").headers["Location"].endswith("/dashboard")
    for role, status in (("staffA", 403), ("depaff", 403), ("deputy1", 403), ("admin", 200)):
        sign_in(client, role)
        assert client.get("/dashboard").status_code == status, role
        assert client.get("/api/dashboard?year=2024").status_code == status, role
    sign_in(client, "staffA")
    assert "/dashboard" not in client.get("/items").get_data(as_text=True)


def test_latest_changes_say_who_did_what_to_which_item(client, world):
    record(world.iB, world.users["staffB"], "status", "not_started", "in_progress", "")
    db.session.commit()
    sign_in(client, "leader")
    page = client.get("/dashboard").get_data(as_text=True)
    latest = page[page.index('id="h-latest"'):]
    assert "staffB" in latest and "乙工委的秘密事项" in latest and "未启动 → 进行中" in latest


def test_dashboard_queries_are_constant_as_data_grows(client, world, app):
    sign_in(client, "leader")
    add_items(world, 10, "decisions")
    small = count_queries(app, lambda: client.get("/dashboard"))
    small_api = count_queries(app, lambda: client.get("/api/dashboard?year=2024"))
    add_items(world, 100, "deputy_work")
    for item in db.session.scalars(select(WorkItem).limit(30)):
        record(item, world.users["admin"], "note", note="进展")
    db.session.commit()
    large = count_queries(app, lambda: client.get("/dashboard"))
    large_api = count_queries(app, lambda: client.get("/api/dashboard?year=2024"))
    assert small == large and small_api == large_api
    assert large <= 16
    assert db.session.scalar(select(Plan.id).where(Plan.key == "deputy_work"))
