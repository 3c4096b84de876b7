"""Assignment (交办) and decomposition (分解) as the office does them in a browser, and the task
arriving on the desk of the body it was given to."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import Plan, WorkItem

pytestmark = pytest.mark.browser


def work_point(app, seq: int) -> int:
    with app.app_context():
        item_id = db.session.scalar(select(WorkItem.id).join(WorkItem.plan)
                                    .where(Plan.key == "work_points", WorkItem.seq == seq, WorkItem.parent_id.is_(None)))
        db.session.remove()
    return item_id


def test_office_assigns_and_decomposes_and_the_task_reaches_its_body(open_page, live_app, watch):
    item_id = work_point(live_app, 28)  # 深化人大工作联系协同: 办公室 leads, 调研室 supports (demo)
    admin = open_page("admin")
    admin.goto(f"/items/{item_id}")
    admin.get_by_role("link", name="交办", exact=True).click()
    expect(admin.locator("h1")).to_have_text("交办")

    # 教科文卫工委 supports as well; the supporting mark shows on the item page
    admin.get_by_label("教科文卫工委 配合").check()
    admin.get_by_role("button", name="保存交办").click()
    expect(admin.locator(".flash-success")).to_contain_text("已保存交办信息")
    supporting = admin.locator(".facts .body-tag.supporting")
    expect(supporting.filter(has_text="常委会教育科学文化卫生工作委员会")).to_have_count(1)
    expect(admin.locator("#history li").first).to_contain_text("交办")

    # a task for 民宗侨外工委, due in September
    admin.get_by_role("link", name="分解为任务").click()
    admin.get_by_label("任务名称").fill("联系省人大民宗侨外工委开展协同调研")
    admin.locator("#task-lead").select_option(label="民宗侨外工委")
    admin.locator("#task-due-month").select_option("9")
    admin.get_by_role("button", name="添加任务").click()
    expect(admin.locator(".flash-success")).to_contain_text("已添加分解任务")
    expect(admin.locator(".task-list li")).to_contain_text("联系省人大民宗侨外工委开展协同调研")

    # a missing name keeps the page and says what is missing
    watch.expect_http(400)
    admin.get_by_role("button", name="添加任务").click()
    expect(admin.locator("#task-title-error")).to_have_text("请填写任务名称。")

    staff = open_page("mzqwgw")
    task_row = staff.locator("tr.item-row", has_text="联系省人大民宗侨外工委开展协同调研")
    expect(task_row).to_have_count(1)
    expect(task_row.locator(".task-of")).to_contain_text("深化人大工作联系协同")
    expect(task_row.locator(".light .reason")).to_contain_text("计划9月")
