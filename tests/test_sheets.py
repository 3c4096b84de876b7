"""portal/sheets.py: the rules every spreadsheet export and import follows."""
import datetime as dt
import io

import pytest
from flask import Flask
from openpyxl import Workbook, load_workbook

from portal.sheets import Column, Sheet, UnreadableSheet, csv_response, read_rows, write_xlsx, xlsx_response

COLUMNS = [Column("标题", 40), Column("月份", 10, "month"), Column("日期", 12, "date"), Column("数量", 8, "int")]
ROWS = [
    ["听取审议市政府关于法治政府建设工作情况的报告", dt.date(2024, 4, 1), dt.date(2024, 4, 25), 3],
    ["=HYPERLINK(\"http://evil\")", None, None, None],
    ["-1+2", None, None, 0],
    ["@SUM(A1)", None, None, None],
]


def test_xlsx_has_a_frozen_header_real_dates_and_no_formulas():
    out = io.BytesIO()
    write_xlsx([Sheet("事项", COLUMNS, iter(ROWS)), Sheet("事项", COLUMNS, [])], out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    first, second = workbook.worksheets
    assert (first.title, second.title) == ("事项", "事项 (2)")
    assert first.freeze_panes == "A2"
    assert first.column_dimensions["A"].width == 40
    assert [c.value for c in first[1]] == ["标题", "月份", "日期", "数量"]
    month, day = first["B2"], first["C2"]
    assert month.is_date and month.value.date() == dt.date(2024, 4, 1) and "年" in month.number_format
    assert day.is_date and day.value.date() == dt.date(2024, 4, 25)
    assert first["D2"].value == 3 and first["D4"].value == 0
    texts = [first[f"A{n}"].value for n in (3, 4, 5)]
    assert texts == ["'=HYPERLINK(\"http://evil\")", "'-1+2", "'@SUM(A1)"]
    assert all(first[f"A{n}"].data_type == "s" for n in (3, 4, 5))


def test_csv_is_utf8_with_a_bom_and_neutralised():
    app = Flask(__name__)
    with app.test_request_context():
        response = csv_response(Sheet("事项", COLUMNS, iter(ROWS)), "2024年事项.csv")
        body = b"".join(response.response)
    assert body.startswith("\ufeff标题".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[1] == "听取审议市政府关于法治政府建设工作情况的报告,2024-04-01,2024-04-25,3"
    assert lines[2].startswith("\"'=HYPERLINK(")
    assert lines[3] == "'-1+2,,,0"
    disposition = response.headers["Content-Disposition"]
    disposition.encode("ascii")  # gunicorn refuses a header that is not ASCII
    assert "filename*=UTF-8''2024%E5%B9%B4" in disposition


def test_xlsx_response_streams_a_file_with_its_length():
    app = Flask(__name__)
    with app.test_request_context():
        response = xlsx_response([Sheet("事项", COLUMNS, iter(ROWS))], "事项.xlsx")
        body = b"".join(response.response)
    assert response.content_length == len(body) and body[:2] == b"PK"
    assert load_workbook(io.BytesIO(body)).worksheets[0]["A2"].value.startswith("听取审议")


def test_read_rows_gives_excel_row_numbers_from_both_formats():
    workbook = Workbook()
    ws = workbook.active
    ws.append(["代表编号", "姓名", "手机"])
    ws.append([None, None, None])
    ws.append(["D0001", " 张三 ", 13800000000])
    ws.append([dt.datetime(2024, 5, 1), "李四", "13900000000"])
    data = io.BytesIO()
    workbook.save(data)
    assert list(read_rows(data.getvalue(), "roll.XLSX")) == [
        (1, ["代表编号", "姓名", "手机"]), (3, ["D0001", "张三", "13800000000"]),
        (4, ["2024-05-01", "李四", "13900000000"])]
    gbk = "代表编号,姓名\r\n\r\nD0001,张三\r\n".encode("gb18030")
    assert list(read_rows(gbk, "roll.csv")) == [(1, ["代表编号", "姓名"]), (3, ["D0001", "张三"])]
    utf8 = "\ufeff代表编号,姓名\nD0002,\"王\n五\"\n".encode()
    assert list(read_rows(utf8, "roll.csv")) == [(1, ["代表编号", "姓名"]), (2, ["D0002", "王\n五"])]


def test_a_damaged_xlsx_is_one_clear_error():
    with pytest.raises(UnreadableSheet):
        list(read_rows(b"PK\x03\x04 not really a zip", "roll.xlsx"))
