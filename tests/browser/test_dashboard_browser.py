"""The leaders' dashboard in a browser: desktop and phone width, a number clicked through to its list,
the year switched in place; an instruction written by a leader and answered by staff in two browsers.

The instruction is written on the 农产品质量安全法 inspection of 农业与农村委员会 (staff account nyw),
which no other browser test changes.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import WorkItem

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def test_dashboard_desktop_and_a_number_to_its_list(open_page):
    page = open_page("leader")
    expect(page).to_have_url(re.compile(r"/dashboard$"))  # the leader's home
    expect(page.locator("h1")).to_contain_text("工作总览 · 2024")
    expect(page.locator(".headline[data-plan=supervision]")).to_contain_text("监督工作计划")
    page.screenshot(path=f"{SHOTS}/dashboard-desktop.png", full_page=True)
    # The matrix fits the page: no horizontal scrolling of the whole document.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    link = page.locator(".headline[data-plan=supervision] .headline-plan a[data-figure=not_started]")
    number = int(link.inner_text())
    link.click()
    expect(page).to_have_url(re.compile(r"/items\?.*status=not_started"))
    expect(page.locator("#counters a.counter").first.locator("strong")).to_have_text(str(number))


def test_dashboard_phone_width(open_page):
    page = open_page("leader", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/dashboard")
    expect(page.locator(".dash-bodies table.matrix")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/dashboard-phone.png", full_page=True)
    # Wide tables scroll inside their box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_instruction_written_by_a_leader_answered_by_staff(open_page, live_app):
    with live_app.app_context():
        item_id = db.session.scalars(select(WorkItem.id).where(WorkItem.title.contains("农产品质量安全法"),
                                                               WorkItem.parent_id.is_(None))).one()
        db.session.remove()
    leader = open_page("leader")
    staff = open_page("nyw")

    leader.goto(f"/items/{item_id}")
    leader.locator("#instruct textarea[name=text]").fill("请抓紧完成执法检查报告，6月底前报主任会议。")
    leader.locator("#instruct button[data-action=write]").click()
    expect(leader.locator("#instructions article[data-state=unread]")).to_contain_text("请抓紧完成执法检查报告")
    leader.screenshot(path=f"{SHOTS}/instruction-written.png", full_page=True)

    staff.goto("/items")
    mark = staff.locator(f"#item-{item_id} [data-instruction-mark]")
    expect(mark).to_be_visible()
    mark.click()
    expect(staff).to_have_url(re.compile(rf"/items/{item_id}#instructions$"))
    staff.locator("#instructions button[data-action=acknowledge]").click()
    expect(staff.locator("#instructions article[data-state=read]")).to_be_visible()
    staff.locator("#instructions textarea[name=answer]").fill("已制定检查方案，6月20日开展实地检查。")
    staff.locator("#instructions button[data-action=answer]").click()
    expect(staff.locator("#instructions article[data-state=answered]")).to_contain_text("已制定检查方案")
    expect(staff.locator("#history")).to_contain_text("答复批示")
    staff.screenshot(path=f"{SHOTS}/instruction-answered.png", full_page=True)

    leader.goto("/instructions")
    row = leader.locator("tr[data-state=answered]").filter(has_text="已制定检查方案")
    expect(row).to_be_visible()
    expect(leader.locator("#notice-count")).to_have_text(re.compile(r"\d+"))
    leader.goto("/notices")
    expect(leader.locator(".notice-answer")).to_contain_text("已制定检查方案")
    leader.screenshot(path=f"{SHOTS}/notices-leader.png", full_page=True)
