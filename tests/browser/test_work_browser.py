"""The item page in a browser: ticking stages in place, the regions that follow (history, the
status form's version), a conflict between two people, notes, uploading and removing a document.

Works on the 黄河保护法 inspection of 城乡建设环境保护委员会 and 常委会城乡建设环境保护工作委员会,
bodies no other browser test changes.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import WorkItem
from tests.browser.test_browser import assert_no_navigation, set_marker, track_documents

pytestmark = pytest.mark.browser

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def item_titled(app, words: str) -> int:
    with app.app_context():
        item_id = db.session.scalars(select(WorkItem.id).where(WorkItem.title.contains(words), WorkItem.parent_id.is_(None))).one()
        db.session.remove()
    return item_id


def stage(page: Page, position: int):
    return page.locator(f"#stages #stage-{position}")


def tick(page: Page, position: int, date: str, note: str) -> None:
    row = stage(page, position)
    row.locator("input[name=done]").check()
    row.locator("input[name=date]").fill(date)
    row.locator("input[name=note]").fill(note)
    row.get_by_role("button", name="保存").click()


def test_stages_notes_and_documents_in_place(open_page, live_app, watch):
    item_id = item_titled(live_app, "黄河保护法")
    page = open_page("chjw")
    page.goto(f"/items/{item_id}")
    url, documents = page.url, track_documents(page)
    set_marker(page)

    tick(page, 1, "2024-03-05", "印发检查方案")
    expect(stage(page, 1)).to_have_class(re.compile("stage-done"))
    expect(page.locator("#stages progress")).to_have_attribute("value", "17")
    expect(page.locator("#history")).to_contain_text("环节「制定方案」：未完成 → 2024-03-05")
    # The stage moved the item's version; the status form follows, so a status change now succeeds.
    expect(page.locator("#status-panel input[name=version]")).to_have_value("2")
    page.locator("#status-panel select[name=status]").select_option("in_progress")
    page.locator("#status-panel").get_by_role("button", name="更新").click()
    expect(page.locator("#status-panel .status")).to_have_text("进行中")
    # ... and the stage forms follow the status change in turn.
    expect(stage(page, 2).locator("input[name=version]")).to_have_value("3")
    tick(page, 2, "2024-05-20", "赴三县检查")
    expect(page.locator("#stages li.stage-done")).to_have_count(2)
    expect(page.locator("#stages .conflict")).to_have_count(0)

    page.locator("#notes textarea[name=note]").fill("已形成检查报告初稿")
    page.locator("#notes").get_by_role("button", name="记录").click()
    expect(page.locator("#notes .saved")).to_be_visible()
    expect(page.locator("#notes textarea[name=note]")).to_have_value("")
    expect(page.locator("#history")).to_contain_text("已形成检查报告初稿")
    assert_no_navigation(page, url, documents)

    # Upload: a plain multipart form that posts and comes back to the page.
    page.locator("#documents select[name=category]").select_option("plan")
    page.locator("#documents input[type=file]").set_input_files(
        {"name": "黄河保护法执法检查方案.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        page.locator("#documents").get_by_role("button", name="上传").click()
    link = page.locator("#documents a", has_text="黄河保护法执法检查方案.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "黄河保护法执法检查方案.pdf"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#documents").get_by_role("button", name="移除").click()
    expect(page.locator("#documents")).to_contain_text("暂无材料")
    expect(page.locator("#history")).to_contain_text("移除材料（方案）：黄河保护法执法检查方案.pdf")


def test_two_people_ticking_the_same_item(open_page, live_app, watch):
    item_id = item_titled(live_app, "中华人民共和国公共文化服务保障法")
    alice, bob = open_page("jkwwsw"), open_page("jkwwgw")
    for page in (alice, bob):
        page.goto(f"/items/{item_id}")
    tick(alice, 1, "2024-04-01", "甲先保存")
    expect(stage(alice, 1)).to_have_class(re.compile("stage-done"))

    watch.expect_http(409)
    tick(bob, 2, "2024-04-02", "乙的备注不丢失")
    expect(bob.locator("#stages .conflict")).to_be_visible()
    expect(stage(bob, 2).locator("input[name=note]")).to_have_value("乙的备注不丢失")
    expect(stage(bob, 1)).to_have_class(re.compile("stage-done"))  # the current state, Alice's tick
    stage(bob, 2).get_by_role("button", name="保存").click()        # resubmitting now carries the new version
    expect(bob.locator("#stages li.stage-done")).to_have_count(2)
    expect(bob.locator("#stages .conflict")).to_have_count(0)
