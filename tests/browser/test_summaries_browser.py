"""Print-ready summaries printed to PDF in headless Chromium (the browser's print is the path to PDF): A4, page
numbers, the table header on every page, the Chinese text there (pdftotext), nothing of the screen's toolbar."""
from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SHOTS = "/tmp"


def pdf_pages(path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
    return pages, size


def pdf_text(path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def printed(page, url: str, path) -> tuple[int, str]:
    page.goto(url)
    page.screenshot(path=f"{SHOTS}/summary-{path.stem}-screen.png")
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True)
    # The first two pages as pictures, to look at.
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-l", "2", str(path), f"{SHOTS}/summary-{path.stem}-page"], check=True)
    return pdf_pages(path)


def test_the_year_list_prints_on_a4_with_headers_on_every_page(open_page, tmp_path):
    page = open_page("leader")
    page.goto("/items?year=2024")
    with page.expect_navigation():
        page.locator("a.print-link", has_text="打印本列表").click()
    expect(page.locator("h1")).to_have_text("2024年度工作事项一览")
    rows = page.locator("tr.item-row").count()
    assert rows > 100  # the whole year: the four plans' items and the tasks

    pages, size = printed(page, page.url, tmp_path / "items.pdf")
    assert "A4" in size and size.startswith("841")  # A4 landscape, 297 mm wide
    assert 2 <= pages <= rows // 12  # well over eight items a page
    first, second, last = pdf_text(tmp_path / "items.pdf", 1), pdf_text(tmp_path / "items.pdf", 2), \
        pdf_text(tmp_path / "items.pdf", pages)
    assert "濮阳市人大常委会" in first and "2024年度工作事项一览" in first and "截至2024年6月15日" in first
    assert "全部事项" in first and "2024年度工作要点" in first
    for text in (second, last):  # the table header repeats on every page, and the page number says which
        assert re.search(r"序号\s+事项\s+时间\s+责任单位\s+状态", text), text[:400]
    assert re.search(rf"第\s*2\s*页\s*/\s*共\s*{pages}\s*页", second)
    assert "打印 / 存为 PDF" not in first and "返回" not in first and "本月到期" not in first + second


def test_the_progress_report_prints_with_its_year_end_paragraph(open_page, tmp_path):
    page = open_page("leader")
    page.goto("/dashboard")
    with page.expect_navigation():
        page.locator(".dash-prints a", has_text="打印进展情况报告").click()
    expect(page.locator("[data-year-end] [data-plan=supervision]")).to_contain_text("监督工作计划共安排46项")
    page.locator("input[name=as_of]").fill("2024-05-31")
    with page.expect_navigation():
        page.locator(".as-of button").click()
    expect(page.locator(".summary-meta")).to_contain_text("截至2024年5月31日")

    pages, _size = printed(page, page.url, tmp_path / "progress.pdf")
    assert pages >= 3
    text = "\n".join(pdf_text(tmp_path / "progress.pdf", n) for n in range(1, pages + 1))
    assert "2024年度工作进展情况" in text and "全年听取审议工作报告19项" in text and "截至2024年5月31日" in text
    assert re.search(r"序号\s+事项", pdf_text(tmp_path / "progress.pdf", pages))  # the items' header on the last page
