"""The layout a new user tripped over: columns that jumped, rows too tall, the status panel 2,400 px
down on a phone, CSP errors after swaps, and finishing an item without a note."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import items_of, row

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def header_positions(page: Page) -> list[float]:
    return page.evaluate("Array.from(document.querySelectorAll('table.items thead th'))"
                         ".map(th => Math.round(th.getBoundingClientRect().left))")


def test_columns_stay_put_when_the_postpone_fields_open(open_page, live_app):
    item = items_of(live_app, "常委会调研室")[0]
    page = open_page("dys")
    before = header_positions(page)
    target = row(page, item.id)
    target.locator("select[name=status]").select_option("postponed")
    expect(target.locator("select[name=month]")).to_be_visible()
    assert header_positions(page) == before


def test_a_one_line_row_is_compact(open_page, live_app):
    page = open_page("fgw")
    heights = page.evaluate("Array.from(document.querySelectorAll('tr.item-row'))"
                            ".map(r => r.getBoundingClientRect().height)")
    assert heights and min(heights) <= 76, heights  # was about 110 px for one line of title


def test_time_and_light_columns_do_not_break_words(open_page, live_app):
    page = open_page("leader")
    # "12月" and "8月会议" on one line each: the 时间 column never wraps inside a phrase
    wrapped = page.evaluate(
        "Array.from(document.querySelectorAll('td.when')).filter(td => {"
        " const line = parseFloat(getComputedStyle(td).lineHeight);"
        " const first = td.firstChild && td.firstChild.nodeType === 3 ? td.firstChild : null;"
        " if (!first) return false; const r = document.createRange(); r.selectNodeContents(first);"
        " return r.getClientRects().length > 1; }).length")
    assert wrapped == 0


def test_item_page_on_a_phone_puts_the_status_panel_first(open_page, live_app):
    item = items_of(live_app, "常委会法制工作委员会")[0]
    page = open_page("fgw", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/items/{item.id}")
    panel = page.locator("#status-panel").bounding_box()
    history = page.locator("#history").bounding_box()
    assert panel["y"] < 700 and panel["y"] < history["y"]
    assert panel["width"] > 300  # the whole width of the phone, not a narrow column


def test_finishing_asks_for_a_note_and_many_swaps_raise_no_csp_violation(open_page, live_app, watch):
    """Several in-place swaps (status changes, filters, regions): the watch fails the test on any CSP
    violation or console error, after swaps as well as at first load."""
    body = "常委会城乡建设环境保护工作委员会"
    solo = [i for i in items_of(live_app, body) if i.body_names == {body}]  # items no other test's body shares
    shown = items_of(live_app, body, scheduled_only=False)
    page = open_page("chjgw")
    first = row(page, solo[0].id)
    first.locator("select[name=status]").select_option("in_progress")
    first.get_by_role("button", name="更新").click()
    expect(first.locator(".status")).to_have_text("进行中")

    watch.expect_http(400)
    first.locator("select[name=status]").select_option("done")
    expect(first.locator("input[name=note]")).to_be_visible()  # the completion note is asked for
    first.get_by_role("button", name="更新").click()
    expect(first.locator(".field-error")).to_have_text("请填写办结说明。")
    first.locator("input[name=note]").fill("报告已经常委会会议审议")
    first.get_by_role("button", name="更新").click()
    expect(first.locator(".status")).to_have_text("已完成")
    expect(first.locator(".light .reason")).to_have_text("已于2024-06-15办结")

    page.locator("#filters select[name=status]").select_option("done")
    expect(page.locator("tr.item-row")).to_have_count(1)
    page.locator("#filters select[name=status]").select_option("")
    expect(page.locator("tr.item-row")).to_have_count(len(shown))

    page.goto(f"/items/{solo[1].id}")
    stage = page.locator("#stages li.stage").first
    if stage.count():
        stage.locator("input[type=checkbox]").check()
        stage.get_by_role("button", name="保存").click()
        expect(page.locator("#history li").first).to_contain_text("环节")
    # A region whose style a script or the user changed (a resized textarea, CSSOM is allowed by the CSP):
    # htmx must not copy that style attribute onto the new element while settling (attributesToSettle).
    page.evaluate("document.getElementById('status-panel').style.minHeight = '10px'")
    page.locator("#status-panel select[name=status]").select_option("in_progress")
    page.locator("#status-panel").get_by_role("button", name="更新").click()
    expect(page.locator("#status-panel .status")).to_have_text("进行中")
    expect(page.locator("#history li").first).to_contain_text("进行中")
