"""The print-ready summaries (portal/summaries/views.py, /items/print): their figures against counts of the
items themselves, the status as of a date, scope per role, the words on paper, constant queries."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.items import lights
from portal.models import Instruction, ItemBody, ItemEvent, Plan, WorkItem
from tests.conftest import make_item, make_plan, sign_in
from tests.test_dashboard import add_items
from tests.test_items import count_queries

STATUS_COLUMNS = ("done", "in_progress", "not_started", "postponed", "cancelled")


def html(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def document(page: str) -> str:
    """What goes on paper: the page without its toolbar."""
    return re.sub(r'<nav class="summary-toolbar".*?</nav>', "", page, flags=re.S)


def count_row(page: str, name: str) -> dict[str, int]:
    row = re.search(r"<tr[^>]*><th scope=\"row\">" + re.escape(name) + r"</th>(.*?)</tr>", page, re.S).group(1)
    return {col: int(n) for col, n in re.findall(r'data-col="(\w+)">(\d+)<', row)}


def test_progress_figures_equal_counts_of_the_items(client, world):
    add_items(world, 25, "decisions")
    db.session.commit()
    sign_in(client, world.users["leader"])
    page = html(client, "/summaries/progress?year=2024")
    now = date(2024, 6, 15)
    for plan in db.session.scalars(select(Plan)):
        own = select(WorkItem).where(WorkItem.plan_id == plan.id, WorkItem.parent_id.is_(None))
        items = db.session.scalars(own).all()
        figures = count_row(page, plan.title)
        assert figures["total"] == len(items)
        for status in STATUS_COLUMNS:
            assert figures[status] == sum(1 for i in items if i.status == status), status
        assert figures["overdue"] == sum(1 for i in items if lights.light_color(i, now) == lights.RED)
        # Every item of the plan is listed once, tasks are not.
        for item in items:
            assert f'data-item="{item.id}"' in page
    tasks = db.session.scalars(select(WorkItem.id).where(WorkItem.parent_id.is_not(None))).all()
    assert tasks and not any(f'data-item="{t}"' in page for t in tasks)


def test_year_end_paragraph_is_written_from_the_data(client, world):
    world.iA.status, world.iA.completed_on = "done", date(2024, 4, 28)
    world.iB.status = "postponed"
    world.iB.postponed_to = date(2024, 10, 1)
    db.session.commit()
    sign_in(client, world.users["leader"])
    page = html(client, "/summaries/progress?year=2024")
    paragraph = re.search(r'data-plan="supervision">(.*?)</p>', page).group(1)
    assert paragraph == "监督工作计划共安排3项，完成1项，调整1项，尚未启动1项。"


def test_progress_as_of_a_past_date_uses_the_history(client, world, app):
    # iA: not started → in progress on 10 May (local) → done on 20 June; the report as of 31 May says in progress.
    for item in (world.iA, world.iB, world.iAB):
        item.created_at = datetime(2024, 1, 2)  # imported at the start of the year
    world.iA.status = "done"
    db.session.add_all([
        ItemEvent(item_id=world.iA.id, kind="status", from_value="not_started", to_value="in_progress",
                  created_at=datetime(2024, 5, 10, 2, 0)),
        ItemEvent(item_id=world.iA.id, kind="status", from_value="in_progress", to_value="done",
                  created_at=datetime(2024, 6, 19, 17, 0)),  # 20 June 01:00 in Beijing
    ])
    db.session.commit()
    sign_in(client, world.users["leader"])
    for as_of, expected in (("2024-05-31", "in_progress"), ("2024-05-09", "not_started"), ("2024-06-19", "in_progress"),
                            ("2024-06-20", "done")):
        page = html(client, f"/summaries/progress?year=2024&as_of={as_of}")
        y, m, d = (int(p) for p in as_of.split("-"))
        assert f"截至{y}年{m}月{d}日" in page
        figures = count_row(page, "2024年度监督工作计划")
        assert figures[expected] == 1 + (2 if expected == "not_started" else 0), as_of
    # Before the items existed there is nothing to report.
    assert count_row(html(client, "/summaries/progress?year=2024&as_of=2023-12-31"), "2024年度监督工作计划")["total"] == 0


def test_a_bad_date_is_refused_in_place(client, world):
    sign_in(client, world.users["leader"])
    page = html(client, "/summaries/progress?year=2024&as_of=2024-13-45", status=400)
    assert "请填写有效的日期" in page and 'value="2024-13-45"' in page


def test_a_committee_reports_on_its_own_items_and_bodies_only(client, world):
    sign_in(client, world.users["staffA"])
    for url in ("/summaries/progress?year=2024", "/items/print?year=2024", f"/summaries/bodies/{world.A.id}?year=2024",
                "/summaries/overdue?year=2024"):
        page = html(client, url)
        assert "乙工委的秘密事项" not in page, url
    assert "本单位：甲委" in html(client, "/summaries/progress?year=2024")
    assert client.get(f"/summaries/bodies/{world.B.id}?year=2024").status_code == 404
    assert client.get("/summaries/bodies/999999?year=2024").status_code == 404
    assert client.get("/summaries/instructions").status_code == 403
    # The workspace links to its own body's report, not to another's.
    workspace = html(client, "/items?year=2024")
    assert f'data-body-report="{world.A.id}"' in workspace and f'data-body-report="{world.B.id}"' not in workspace


def test_body_report_splits_lead_and_supporting(client, world):
    supporting = db.session.get(ItemBody, (world.iAB.id, world.B.id))
    supporting.lead = False
    db.session.commit()
    sign_in(client, world.users["leader"])
    page = html(client, f"/summaries/bodies/{world.B.id}?year=2024")
    lead, support = page.split("二、配合事项")
    assert "乙工委的秘密事项" in lead and "两家共同负责的事项" not in lead
    assert "两家共同负责的事项" in support
    assert count_row(page, "牵头事项")["total"] == 1 and count_row(page, "配合事项")["total"] == 1
    assert "常委会乙工作委员会2024年度工作事项办理情况" in page
    # The dashboard's body matrix links to it.
    assert f'href="/summaries/bodies/{world.B.id}?year=2024"' in html(client, "/dashboard")


def test_overdue_list_longest_first_with_dates_not_relative_words(client, world):
    plan = world.iA.plan
    make_item(plan, 10, "三月到期的事项", [world.A], months=(3,))
    make_item(plan, 11, "六月到期的事项", [world.A], months=(6,), status="in_progress")
    db.session.commit()
    sign_in(client, world.users["leader"])
    page = html(client, "/summaries/overdue?year=2024")
    assert page.index("三月到期的事项") < page.index("甲委员会的事项")
    assert "六月到期的事项" not in page
    assert "截至6月15日逾期" in page and "共 2 项逾期未完成" in page
    assert "2024-03-31" in page and ">76<" in page  # 31 March to 15 June
    printed = html(client, "/items/print?year=2024")
    assert "6月30日前到期" in printed and "3月31日前应完成，已逾期" in printed
    for url in ("/items/print?year=2024", "/items/print?year=2024&light=yellow", "/summaries/progress?year=2024",
                "/summaries/overdue?year=2024", f"/summaries/bodies/{world.A.id}?year=2024"):
        paper = document(html(client, url))
        assert "本月" not in paper and "已逾期1" not in paper, url  # no word that goes stale on paper
    assert "进度：6月30日前到期" in html(client, "/items/print?year=2024&light=yellow")


def test_item_print_keeps_the_lists_filters_and_says_which(client, world):
    world.iB.status = "in_progress"
    db.session.commit()
    sign_in(client, world.users["leader"])
    page = html(client, f"/items/print?year=2024&status=in_progress&body={world.B.id}")
    assert "状态：进行中；责任单位：乙工委" in page
    assert page.count('class="item-row"') == 1 and "乙工委的秘密事项" in page
    assert "截至2024年6月15日" in page
    assert f'href="/exports/items.xlsx?year=2024&amp;status=in_progress&amp;body={world.B.id}"' in page
    paper = document(page)
    assert "<form" not in paper and "<button" not in paper and "<nav" not in paper
    assert "全部事项" in html(client, "/items/print?year=2024")
    # The list links to the print with its filters, and to both exports.
    workspace = html(client, "/items?year=2024&status=in_progress")
    assert 'href="/items/print?year=2024&amp;status=in_progress"' in workspace
    assert 'href="/exports/items.csv?year=2024&amp;status=in_progress"' in workspace


def test_instruction_summary_lists_every_state(client, world):
    leader = world.users["leader"]
    db.session.add_all([
        Instruction(item_id=world.iA.id, author_id=leader.id, text="请抓紧办理", reply_by=date(2024, 6, 1)),
        Instruction(item_id=world.iB.id, author_id=leader.id, text="请报进展", answer="已召开协调会",
                    answered_at=datetime(2024, 6, 2, 3, 0)),
    ])
    db.session.commit()
    sign_in(client, leader)
    page = html(client, "/summaries/instructions")
    assert 'data-state="overdue"' in page and 'data-state="answered"' in page and "已召开协调会" in page
    only = html(client, "/summaries/instructions?state=answered")
    assert "请抓紧办理" not in only and "状态：已答复" in only
    assert 'href="/summaries/instructions?state=answered"' in html(client, "/instructions?state=answered")


def test_every_summary_carries_title_date_and_filter(client, world, app):
    sign_in(client, world.users["admin"])
    for url in ("/summaries/progress?year=2024", "/items/print?year=2024", f"/summaries/bodies/{world.A.id}?year=2024",
                "/summaries/overdue?year=2024", "/summaries/instructions"):
        page = html(client, url)
        assert app.config["ORGANISATION_NAME"] in page and "<h1>" in page and "截至2024年6月15日" in page, url
        assert 'class="summary-meta"' in page and "summary.css" in page and "portal.css" not in page
        assert "<thead>" in page and 'href="/' in page


@pytest.mark.parametrize("url", ["/summaries/progress?year=2024", "/summaries/progress?year=2024&as_of=2024-05-01",
                                 "/items/print?year=2024", "/summaries/bodies/{A}?year=2024",
                                 "/summaries/overdue?year=2024", "/summaries/instructions", "/dashboard"])
def test_summary_queries_do_not_grow_with_data(client, world, app, url):
    sign_in(client, world.users["admin"])
    url = url.format(A=world.A.id)
    add_items(world, 6, "decisions")
    db.session.add(Instruction(item_id=world.iA.id, author_id=world.users["leader"].id, text="请办理"))
    db.session.commit()
    small = count_queries(app, lambda: client.get(url))
    add_items(world, 90, "deputy_work")
    for item in db.session.scalars(select(WorkItem).limit(40)):
        db.session.add(ItemEvent(item_id=item.id, kind="status", from_value="not_started", to_value=item.status))
        db.session.add(Instruction(item_id=item.id, author_id=world.users["leader"].id, text="请办理"))
    db.session.commit()
    large = count_queries(app, lambda: client.get(url))
    assert large == small
    assert db.session.scalar(select(func.count()).select_from(WorkItem)) > 100
