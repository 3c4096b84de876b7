"""The year's agenda table (议题安排表) printed to PDF in headless Chromium: A4, the Chinese text, the table
header on every page, page numbers; and the agenda screen at desktop and phone width."""
from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def test_agenda_prints_to_pdf_with_its_header_on_every_page(open_page, tmp_path):
    page = open_page("fgw")
    page.goto("/meetings?year=2024")
    expect(page.locator("h1")).to_contain_text("常委会会议议题安排 · 2024")
    page.screenshot(path=f"{SHOTS}/meetings-desktop.png", full_page=True)
    page.locator("a", has_text="打印议题安排表").click()
    expect(page.locator("h1")).to_have_text("市人大常委会会议2024年度议题安排表")
    page.emulate_media(media="print")
    pdf = tmp_path / "agenda.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                                  check=True).stdout.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    texts = [subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for n in range(1, pages + 1)]
    first = "".join(texts[0].split())
    assert "濮阳市人大常委会" in first and "截至2024年6月15日" in first and f"第1页/共{pages}页" in first
    assert "听取审议市政府关于2023年度法治政府建设工作情况的报告" in first
    assert "共5次会议，38项议题。" in "".join(texts[-1].split())
    for text in texts:  # the table's header row on every page, no navigation or buttons
        squeezed = "".join(text.split())
        assert "会议序号议题责任单位" in squeezed
        assert "打印/存为PDF" not in squeezed and "退出" not in squeezed


def test_agenda_at_phone_width(open_page):
    page = open_page("admin", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/meetings?year=2024")
    expect(page.locator(".meeting-block").first).to_contain_text("4月常委会会议")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=f"{SHOTS}/meetings-phone.png", full_page=True)
