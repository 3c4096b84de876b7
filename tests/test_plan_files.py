"""Plans as Word (.docx) and PDF files: read in reading order, tables by their columns, scans refused.

The fixtures are made here: python-docx writes the Word files, reportlab the PDFs (with the
built-in STSong-Light CID font, whose text layer pypdf reads back as Chinese).
"""
from __future__ import annotations

import io
import json
import re

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from portal.plans.importer import PlanFormatError, decode_plan_bytes, parse_plan
from tests.conftest import csrf_token, login, make_user
from portal.extensions import db

SEED = open("portal/seed/puyang-2024-workplan.txt", "rb").read()

PLAN_LINES = [
    "鹤壁市人大常委会2025年度监督工作计划",
    "一、听取和审议专项工作报告",
    "1.听取和审议市人民政府关于文化旅游产业发展情况的报告（拟安排在4月份举行的常委会会议上进行，由教科文卫委负责做好相关工作）",
    "2.听取和审议市人民政府关于耕地保护工作情况的报告（拟于6月份进行，由农委负责组织实施）",
    "二、执法检查",
    "3.检查《中华人民共和国食品安全法》实施情况（拟于7—8月份进行，由教科文卫工委负责组织实施）",
]


def docx_bytes(paragraphs=(), tables=(), after=()) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(pages: list[list[str]]) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for lines in pages:
        pdf.setFont("STSong-Light", 9)
        y = 800
        for line in lines:
            pdf.drawString(30, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page with a picture-like drawing and no text: what a scanner produces, as far as text goes."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fields(doc):
    return [(i.plan, i.section_no, i.seq, i.title, i.months, i.bodies) for i in doc.items]


def test_docx_paragraphs_parse_like_the_text():
    from_word = parse_plan(docx_bytes(PLAN_LINES))
    from_text = parse_plan("\n".join(PLAN_LINES))
    assert fields(from_word) == fields(from_text)
    assert [i.months for i in from_word.items] == [[4], [6], [7, 8]]
    assert from_word.items[0].bodies == ["教育科学文化卫生委员会"]


def test_the_seed_as_a_word_file_parses_exactly():
    lines = SEED.decode("utf-8").split("\n")
    doc = parse_plan(docx_bytes(lines))
    assert {k: v for k, v in doc.to_json()["plans"].items()} == {
        "work_points": 28, "supervision": 46, "decisions": 5, "deputy_work": 27}
    assert fields(doc) == fields(parse_plan(SEED))


def test_docx_table_is_read_by_its_columns_in_reading_order():
    rows = [("序号", "事项", "时间", "责任单位"),
            ("1", "听取和审议市人民政府关于城市更新工作情况的报告", "4月", "城建环保委"),
            ("2", "检查《中华人民共和国大气污染防治法》实施情况", "5—6月", "城建环保工委、法工委"),
            ("3", "对全市养老服务工作情况进行专题调研", "", "社建委"),
            ("4", "听取和审议市人民检察院关于公益诉讼工作情况的报告", "10月", "")]
    data = docx_bytes(["焦作市人大常委会2025年度监督工作计划"], [rows], ["以上计划根据工作需要适时调整。"])
    text = decode_plan_bytes(data)
    assert text.index("监督工作计划") < text.index("城市更新") < text.index("适时调整")
    doc = parse_plan(data)
    assert [(i.seq, i.months, i.bodies) for i in doc.items] == [
        (1, [4], ["城乡建设环境保护委员会"]),
        (2, [5, 6], ["常委会城乡建设环境保护工作委员会", "常委会法制工作委员会"]),
        (3, [], ["社会建设委员会"]),
        (4, [10], []),
    ]
    assert doc.items[1].title == "检查《中华人民共和国大气污染防治法》实施情况"
    assert doc.items[1].schedule == "5—6月"


def test_docx_table_with_section_rows_and_a_helper_column():
    rows = [("序号", "工作内容", "完成时限", "牵头单位", "配合单位"),
            ("一、听取和审议专项工作报告", "", "", "", ""),
            ("1", "听取和审议市人民政府关于营商环境工作情况的报告", "6月", "经济委", "财经工委"),
            ("二、专题调研", "", "", "", ""),
            ("2", "对全市职业教育发展情况开展调研", "下半年", "教科文卫工委", "")]
    doc = parse_plan(docx_bytes(["新乡市人大常委会2025年监督工作计划"], [rows]))
    assert [(i.section_no, i.section_title, i.seq, i.months, i.schedule, i.bodies) for i in doc.items] == [
        (1, "听取和审议专项工作报告", 1, [6], "6月", ["经济委员会", "常委会财政经济工作委员会"]),
        (2, "专题调研", 2, [], "下半年", ["常委会教育科学文化卫生工作委员会"]),
    ]


def test_docx_list_numbering_drawn_by_word_is_read():
    document = docx.Document()
    document.add_paragraph("安阳市人大常委会2025年度重大事项决定工作计划")
    for text in ("听取和审议关于市级财政预算调整方案的报告（拟于8月份进行，由财经工委负责）",
                 "审议关于开展第九个五年法治宣传教育的决议（草案）（拟于10月份进行，由法工委负责）"):
        document.add_paragraph(text, style="List Number")  # the number is Word's, not in the text
    buffer = io.BytesIO()
    document.save(buffer)
    doc = parse_plan(buffer.getvalue())
    assert [(i.seq, i.months) for i in doc.items] == [(1, [8]), (2, [10])]


def test_pdf_text_layer_in_chinese_parses_like_the_text():
    data = pdf_bytes([PLAN_LINES[:4], PLAN_LINES[4:]])
    assert "文化旅游产业" in decode_plan_bytes(data)
    assert fields(parse_plan(data)) == fields(parse_plan("\n".join(PLAN_LINES)))


def test_scanned_pdf_gets_one_clear_message():
    with pytest.raises(PlanFormatError) as info:
        parse_plan(scanned_pdf())
    assert "扫描件" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("data, fragment", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "Word"),
])
def test_broken_files_get_one_clear_message(data, fragment):
    with pytest.raises(PlanFormatError) as info:
        parse_plan(data)
    assert fragment in str(info.value)


def test_cli_parses_word_and_pdf(app, tmp_path):
    runner = app.test_cli_runner()
    for name, data in (("plan.docx", docx_bytes(PLAN_LINES)), ("plan.pdf", pdf_bytes([PLAN_LINES]))):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(args=["plan", "parse", str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["plans"] == {"supervision": 3}
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())
    result = runner.invoke(args=["plan", "parse", str(scan)])
    assert result.exit_code != 0 and "扫描件" in result.output


@pytest.fixture
def admin_client(app, client):
    make_user("admin", "admin")
    db.session.commit()
    login(client, "admin")
    return client


@pytest.mark.parametrize("name, make", [("计划.docx", lambda: docx_bytes(PLAN_LINES)),
                                        ("计划.pdf", lambda: pdf_bytes([PLAN_LINES]))])
def test_admin_uploads_word_and_pdf(admin_client, name, make):
    response = admin_client.post("/plans/import", data={"csrf_token": csrf_token(admin_client), "year": "",
                                                        "file": (io.BytesIO(make()), name)},
                                 content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"新增 <strong>3</strong>", html)


def test_admin_upload_of_a_scan_says_so(admin_client):
    response = admin_client.post("/plans/import", data={"csrf_token": csrf_token(admin_client), "year": "",
                                                        "file": (io.BytesIO(scanned_pdf()), "扫描.pdf")},
                                 content_type="multipart/form-data")
    assert response.status_code == 400
    assert "扫描件" in response.get_data(as_text=True)


def test_docx_table_with_merged_section_rows():
    document = docx.Document()
    document.add_paragraph("开封市人大常委会2025年度监督工作计划")
    rows = [("序号", "监督事项", "时间安排", "责任单位"),
            ("一、听取和审议专项工作报告", None, None, None),
            ("1", "听取和审议市人民政府关于文旅文创融合发展情况的报告", "5月", "教科文卫委"),
            ("二、执法检查", None, None, None),
            ("2", "检查《中华人民共和国文物保护法》实施情况", "9月", "教科文卫工委")]
    table = document.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        if row[1] is None:
            merged = table.cell(r, 0).merge(table.cell(r, 3))  # a heading spanning the table
            merged.text = row[0]
            continue
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    doc = parse_plan(buffer.getvalue())
    assert [(i.section_no, i.seq, i.months, i.bodies) for i in doc.items] == [
        (1, 1, [5], ["教育科学文化卫生委员会"]), (2, 2, [9], ["常委会教育科学文化卫生工作委员会"])]
