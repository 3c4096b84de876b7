"""Deputies in a browser: the duty form on a phone (390 px) with and without JavaScript, the in-place
confirm of the review queue, and a group's archive printed to PDF. Screenshots go to /tmp/shots-deputies/."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_no_navigation, set_marker, track_documents

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots-deputies")


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def fill_record(page: Page, content: str) -> None:
    page.fill("#date", "2024-06-10")
    page.select_option("#kind", "station_reception")
    page.fill("#place", "城关镇代表联络站")
    page.fill("#content", content)


def test_duty_form_on_a_phone_with_javascript(open_page):
    page = open_page("deputy1", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/duty-records/new")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is wider than the phone: {width}px"
    box = page.locator("button[type=submit].big").bounding_box()
    assert box["height"] >= 44 and box["width"] > 300
    fill_record(page, "接待群众8人次，收集道路维修意见（浏览器测试）")
    page.fill("#item_q", "代表")
    expect(page.locator("#item-choices input[name=item_id]").nth(1)).to_be_visible()
    page.locator("#item-choices input[name=item_id]").nth(1).check()
    shot(page, "duty-form-phone-js")
    page.locator("button[type=submit].big").click()
    expect(page.locator(".flash-success")).to_be_visible()
    card = page.locator(".duty-card", has_text="收集道路维修意见（浏览器测试）")
    expect(card).to_contain_text("服务事项")
    shot(page, "my-records-phone")


def test_duty_form_on_a_phone_without_javascript(open_page):
    page = open_page("deputy2", viewport=PHONE, java_script_enabled=False)
    page.goto("/duty-records/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    fill_record(page, "无脚本提交的履职记录")
    page.fill("#item_q", "代表")
    page.get_by_role("button", name="搜索事项").click()  # the no-JS search: the form comes back as typed
    expect(page.locator("#content")).to_have_value("无脚本提交的履职记录")
    assert page.locator("#item-choices input[name=item_id]").count() >= 2
    shot(page, "duty-form-phone-nojs-search")
    page.locator("button[type=submit].big").click()
    expect(page.locator(".duty-card", has_text="无脚本提交的履职记录")).to_be_visible()
    shot(page, "my-records-phone-nojs")


def test_review_queue_confirms_in_place(open_page, base_url):
    page = open_page("daibiao_gz")
    page.goto("/duty-records/review")
    documents = track_documents(page)
    set_marker(page)
    row = page.locator("table.review-queue tbody tr").first
    row_id = row.get_attribute("id")
    shot(page, "review-queue")
    row.get_by_role("button", name="确认").click()
    confirmed = page.locator(f"#{row_id}")
    expect(confirmed).to_have_class("state-confirmed")
    expect(confirmed).to_contain_text("已确认")
    assert_no_navigation(page, f"{base_url}/duty-records/review", documents)
    second = page.locator("table.review-queue tbody tr.state-submitted").first
    second_id = second.get_attribute("id")
    second.locator("input[name=reason]").fill("请补充参加人数")
    second.get_by_role("button", name="退回").click()
    expect(page.locator(f"#{second_id}")).to_contain_text("已退回")
    shot(page, "review-queue-after")


def test_group_archive_prints_to_pdf(open_page, live_app):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import DeputyGroup

    with live_app.app_context():
        group_id = db.session.scalars(select(DeputyGroup.id).order_by(DeputyGroup.id)).first()
        db.session.remove()
    page = open_page("daibiao_gz")
    page.goto(f"/deputies/groups/{group_id}/archive?year=2024")
    assert page.locator("section.archive").count() >= 2
    shot(page, "group-archive-screen")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "group-archive.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= page.locator("section.archive").count()
