"""Screenshots of the main pages at desktop and phone width, to be looked at before a change is done.

    python -m tests.screenshots [outdir]        (default: screenshots/, git-ignored)

Serves the portal with the demo data (the same live server as the browser tests, on a fresh
database in a temporary directory), gives a few items of one body a history so the workspace
shows every status, and saves one PNG per page and width: <name>-desktop.png, <name>-phone.png.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from portal.demo import seed_text
from portal.extensions import db
from portal.items import status as item_status
from portal.models import User
from tests.browser.conftest import LiveServer, build_app, launch_browser, sign_in

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
A4_WIDTH = {"width": 680, "height": 962}  # 210 mm less 2 × 15 mm margins, in CSS pixels
MAX_HEIGHT = 4000  # the leader's list is very long at phone width; the top of it says enough
STAFF = "caiyu"    # two bodies, eight items: the richest staff workspace


def give_items_a_history(app) -> int:
    """Move the staff user's items through each status; return the id of the postponed one."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == STAFF))
        from portal.items import queries
        items = queries.visible_items(user, queries.ItemFilters())
        steps = [
            [("in_progress", "", None)],
            [("in_progress", "", None), ("done", "审议意见已交市政府研究处理", None)],
            [("postponed", "市政府专项报告推迟提交，经主任会议同意顺延", 9)],
            [("cancelled", "与第三季度执法检查合并进行", None)],
        ]
        for item, changes in zip(items, steps):
            for status, note, month in changes:
                change = item_status.StatusChange(status, note, item_status.postponement(month, None, item.plan.year))
                item_status.change_status(user, item, change, version=item.version)
                db.session.commit()
        return items[2].id


def revised_plan_text() -> bytes:
    """The seed plan as a later revision might read: one item moved to another month, one body misspelt."""
    lines = seed_text().decode("utf-8-sig").splitlines()
    for n, line in enumerate(lines):
        if line.startswith("8.听取审议市政府关于新时代侨务工作情况"):
            lines[n] = line.replace("6月份", "9月份").replace("常委会民族宗教侨务外事工作委员会", "市侨务外事委员会")
            break
    else:
        raise SystemExit("the seed plan changed: pick another line to revise")
    return "\n".join(lines).encode("utf-8")


def shoot(page: Page, outdir: Path, name: str, width: str) -> Path:
    path = outdir / f"{name}-{width}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    viewport = page.viewport_size
    page.screenshot(path=str(path), full_page=True,
                    clip={"x": 0, "y": 0, "width": viewport["width"], "height": min(height, MAX_HEIGHT)})
    return path


def run(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(str(Path(tmp) / "portal.db"))
        detail_id = give_items_a_history(app)
        plan_file = Path(tmp) / "puyang-2024-workplan.txt"
        plan_file.write_bytes(revised_plan_text())
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_browser(playwright)
            base = server.url
            for width, viewport in WIDTHS.items():
                def new_page(username: str | None = None) -> Page:
                    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN",
                                                  is_mobile=width == "phone", has_touch=width == "phone")
                    context.set_default_timeout(10_000)
                    page = context.new_page()
                    if username:
                        sign_in(page, base, username)
                    return page

                page = new_page()
                page.goto("/login")
                saved.append(shoot(page, outdir, "01-login", width))
                page.locator("#username").fill("nobody")
                page.locator("#password").fill("wrong password")
                page.locator(".login-box button").click()
                page.locator(".field-error").wait_for()
                saved.append(shoot(page, outdir, "02-login-error", width))
                page.context.close()

                page = new_page(STAFF)
                page.goto("/items")
                saved.append(shoot(page, outdir, "03-staff-workspace", width))
                rows = page.locator("tr.item-row")
                postpone_row = rows.nth(4)
                postpone_row.locator("select[name=status]").select_option("postponed")
                postpone_row.get_by_role("button", name="更新").click()
                postpone_row.locator(".field-error").first.wait_for()
                postpone_row.scroll_into_view_if_needed()
                saved.append(shoot(page, outdir, "04-staff-postpone-error", width))
                page.goto(f"/items/{detail_id}")
                saved.append(shoot(page, outdir, "05-item-detail", width))
                page.locator("#status-panel select[name=status]").select_option("postponed")
                saved.append(shoot(page, outdir, "06-item-detail-postpone", width))
                page.goto("/items")
                page.emulate_media(media="print")
                saved.append(shoot(page, outdir, "07-staff-workspace-print", width))
                if width == "desktop":  # what an A4 sheet gets: narrower than the phone breakpoint
                    page.set_viewport_size(A4_WIDTH)
                    saved.append(shoot(page, outdir, "07-staff-workspace-print", "a4"))
                    page.pdf(path=str(outdir / "07-staff-workspace-print.pdf"), format="A4")
                    saved.append(outdir / "07-staff-workspace-print.pdf")
                    page.set_viewport_size(viewport)
                page.emulate_media(media="screen")
                page.locator(".lang-switch").get_by_role("button", name="English").click()
                page.wait_for_url("**/items")
                saved.append(shoot(page, outdir, "08-staff-workspace-english", width))
                page.locator(".lang-switch").get_by_role("button", name="中文").click()
                page.wait_for_url("**/items")
                page.context.close()

                page = new_page("leader")
                page.goto("/items")
                saved.append(shoot(page, outdir, "09-leader-workspace", width))
                page.goto("/items?month=6")
                saved.append(shoot(page, outdir, "10-leader-workspace-june", width))
                page.goto("/items/print?year=2024")
                saved.append(shoot(page, outdir, "10b-leader-print-year", width))
                if width == "desktop":
                    page.pdf(path=str(outdir / "10b-leader-print-year.pdf"), format="A4")
                    saved.append(outdir / "10b-leader-print-year.pdf")
                page.context.close()

                page = new_page("admin")
                page.goto("/plans/import")
                saved.append(shoot(page, outdir, "11-plan-import", width))
                page.locator("#file").set_input_files(str(plan_file))
                page.locator("form.panel button[type=submit]").click()
                page.wait_for_load_state()
                saved.append(shoot(page, outdir, "12-plan-import-preview", width))
                page.goto("/plans/")
                saved.append(shoot(page, outdir, "13-plans", width))
                page.goto("/items/999999")
                saved.append(shoot(page, outdir, "14-not-found", width))
                page.goto("/admin/stages")
                saved.append(shoot(page, outdir, "15-admin-stages", width))
                page.goto("/plans/items/new")
                saved.append(shoot(page, outdir, "16-admin-new-item", width))
                with app.app_context():
                    from portal.models import Plan, WorkItem
                    point = db.session.scalar(select(WorkItem.id).join(WorkItem.plan).where(
                        Plan.key == "work_points", WorkItem.seq == 4, WorkItem.parent_id.is_(None)))
                    db.session.remove()
                page.goto(f"/items/{point}")
                saved.append(shoot(page, outdir, "16b-work-point-with-tasks", width))
                page.goto(f"/items/{point}/assign")
                saved.append(shoot(page, outdir, "16c-assign", width))
                page.goto("/plans/2024/close")
                saved.append(shoot(page, outdir, "16d-close-year", width))
                page.goto("/admin/users")
                saved.append(shoot(page, outdir, "16e-admin-users", width))
                page.context.close()

                page = new_page("deputy1")
                page.goto("/")
                saved.append(shoot(page, outdir, "17-deputy-home", width))
                page.context.close()
            browser.close()
    return saved


def main(argv: list[str]) -> None:
    outdir = Path(argv[1]) if len(argv) > 1 else Path("screenshots")
    for path in run(outdir):
        print(path)


if __name__ == "__main__":
    main(sys.argv)
