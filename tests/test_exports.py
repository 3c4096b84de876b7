"""GET /exports/items.xlsx and .csv (CONTRACT.md) and the summaries' XLSX: opened with openpyxl and the csv
module and read cell by cell, per role; formula cells neutralised through the real route; constant queries."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import ItemBody, Instruction
from tests.conftest import make_item, make_plan, sign_in
from tests.test_items import count_queries

HEADER = ["计划", "部分", "序号", "事项", "月份", "会议", "责任单位", "状态", "应完成日期", "牵头单位", "进展情况"]


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def titles_in(ws) -> list[str]:
    return [row[3] for row in ws.iter_rows(min_row=2, values_only=True)]


def every_cell(ws) -> str:
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_xlsx_cell_by_cell_for_a_committee(client, world):
    world.iA.status_note = "已完成实地检查"
    world.iA.status = "in_progress"
    db.session.commit()
    sign_in(client, world.users["staffA"])
    response = client.get("/exports/items.xlsx?year=2024")
    assert "attachment" in response.headers["Content-Disposition"]
    response.headers["Content-Disposition"].encode("ascii")  # gunicorn refuses non-ASCII headers
    ws = workbook(response).worksheets[0]
    assert ws.title == "工作事项" and ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1] == ("2024年度监督工作计划", "听取审议工作报告", "1.1", "甲委员会的事项", datetime(2024, 4, 1), "4月会议",
                       "甲委员会", "进行中", datetime(2024, 4, 30), "甲委员会", "已完成实地检查")
    assert rows[2] == ("2024年度监督工作计划", "听取审议工作报告", "1.3", "两家共同负责的事项", "7月—8月", None,
                       "甲委员会、常委会乙工作委员会", "未启动", datetime(2024, 8, 31), "甲委员会、常委会乙工作委员会", None)
    assert len(rows) == 3  # iB is another body's
    assert "乙工委的秘密事项" not in every_cell(ws)
    assert ws["E2"].is_date and ws["E2"].number_format == 'yyyy"年"m"月"'
    assert ws["I2"].is_date and ws["I2"].number_format == "yyyy-mm-dd"


def test_csv_cell_by_cell_for_a_committee(client, world):
    sign_in(client, world.users["staffB"])
    rows = csv_rows(client.get("/exports/items.csv?year=2024"))
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["2024年度监督工作计划", "听取审议工作报告", "1.2", "乙工委的秘密事项", "8月", "8月会议", "常委会乙工作委员会", "未启动",
         "2024-08-31", "常委会乙工作委员会", ""],
        ["2024年度监督工作计划", "听取审议工作报告", "1.3", "两家共同负责的事项", "7月—8月", "", "甲委员会、常委会乙工作委员会",
         "未启动", "2024-08-31", "甲委员会、常委会乙工作委员会", ""],
    ]


@pytest.mark.parametrize("role, expected", [
    ("staffA", ["甲委员会的事项", "两家共同负责的事项"]),
    ("staffB", ["乙工委的秘密事项", "两家共同负责的事项"]),
    ("staffAB", ["甲委员会的事项", "乙工委的秘密事项", "两家共同负责的事项"]),
    ("leader", ["甲委员会的事项", "乙工委的秘密事项", "两家共同负责的事项"]),
    ("admin", ["甲委员会的事项", "乙工委的秘密事项", "两家共同负责的事项"]),
])
def test_exports_hold_exactly_what_the_role_sees(client, world, role, expected):
    sign_in(client, world.users[role])
    assert titles_in(workbook(client.get("/exports/items.xlsx?year=2024")).worksheets[0]) == expected
    assert [r[3] for r in csv_rows(client.get("/exports/items.csv?year=2024"))[1:]] == expected
    listed = client.get("/api/items?year=2024").get_json()["items"]
    assert sorted(i["title"] for i in listed) == sorted(expected)  # the same items as the list's API


def test_exports_keep_the_lists_filters(client, world):
    world.iB.status = "in_progress"
    db.session.commit()
    sign_in(client, world.users["leader"])
    assert titles_in(workbook(client.get("/exports/items.xlsx?year=2024&status=in_progress")).worksheets[0]) \
        == ["乙工委的秘密事项"]
    assert [r[3] for r in csv_rows(client.get("/exports/items.csv?year=2024&q=两家"))[1:]] == ["两家共同负责的事项"]
    assert [r[3] for r in csv_rows(client.get(f"/exports/items.csv?year=2024&body={world.A.id}&month=4"))[1:]] \
        == ["甲委员会的事项"]
    # A committee's body filter naming another body still shows nothing of that body.
    sign_in(client, world.users["staffA"])
    assert [r[3] for r in csv_rows(client.get(f"/exports/items.csv?year=2024&body={world.B.id}"))[1:]] \
        == ["两家共同负责的事项"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_cells_are_neutralised_through_the_route(client, world, fmt):
    world.iA.title = '=HYPERLINK("http://evil.example","点击")'
    world.iA.status_note = "+cmd|' /C calc'!A0"
    world.iAB.title = "@SUM(1+1)"
    world.iB.title = "-2+3"
    db.session.commit()
    sign_in(client, world.users["admin"])
    response = client.get(f"/exports/items.{fmt}?year=2024")
    if fmt == "xlsx":
        ws = workbook(response).worksheets[0]
        cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
        assert all(c.data_type != "f" for c in cells)
        values = [c.value for c in cells]
    else:
        values = [v for row in csv_rows(response)[1:] for v in row]
    for text in ('=HYPERLINK("http://evil.example","点击")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"):
        assert "'" + text in values
        assert text not in values


def test_exports_refuse_deputies_and_send_strangers_to_sign_in(client, world):
    assert "/login" in client.get("/exports/items.xlsx?year=2024").headers["Location"]
    sign_in(client, world.users["deputy1"])
    assert client.get("/exports/items.csv?year=2024").status_code == 403


def test_summary_workbooks_have_one_sheet_per_table(client, world):
    db.session.add(Instruction(item_id=world.iA.id, author_id=world.users["leader"].id, text="=请抓紧办理",
                               reply_by=date(2024, 6, 1)))
    db.session.commit()
    sign_in(client, world.users["leader"])
    progress = workbook(client.get("/summaries/progress.xlsx?year=2024"))
    assert progress.sheetnames == ["计划执行情况", "年度总结", "工作事项"]
    summary = list(progress["计划执行情况"].iter_rows(values_only=True))
    assert summary[0] == ("计划和部分", "合计", "已完成", "进行中", "未启动", "已延期", "已取消", "逾期")
    assert summary[1] == ("2024年度监督工作计划", 3, 0, 0, 3, 0, 0, 1)  # iA (April) is overdue on 15 June
    assert list(progress["年度总结"].iter_rows(values_only=True))[1][1].startswith("监督工作计划共安排3项")

    body = workbook(client.get(f"/summaries/bodies/{world.A.id}.xlsx?year=2024"))
    assert body.sheetnames == ["牵头事项", "配合事项"]
    assert titles_in(body["牵头事项"]) == ["甲委员会的事项", "两家共同负责的事项"]

    overdue = workbook(client.get("/summaries/overdue.xlsx?year=2024")).worksheets[0]
    assert list(overdue.iter_rows(values_only=True))[1][3] == "甲委员会的事项"
    assert list(overdue.iter_rows(values_only=True))[1][-1] == 46  # 30 April to 15 June

    instructions = workbook(client.get("/summaries/instructions.xlsx")).worksheets[0]
    row = list(instructions.iter_rows(values_only=True))[1]
    assert row[0] == "甲委员会的事项" and row[1] == "'=请抓紧办理" and row[5] == "逾期未复"


def test_a_committee_gets_its_own_bodys_workbook_only(client, world):
    sign_in(client, world.users["staffA"])
    assert client.get(f"/summaries/bodies/{world.A.id}.xlsx?year=2024").status_code == 200
    assert client.get(f"/summaries/bodies/{world.B.id}.xlsx?year=2024").status_code == 404
    ws = workbook(client.get("/summaries/progress.xlsx?year=2024"))["工作事项"]
    assert "乙工委的秘密事项" not in every_cell(ws)


@pytest.mark.parametrize("url", ["/exports/items.xlsx?year=2024", "/exports/items.csv?year=2024",
                                 "/summaries/progress.xlsx?year=2024", "/summaries/bodies/{A}.xlsx?year=2024",
                                 "/summaries/overdue.xlsx?year=2024"])
def test_export_queries_do_not_grow_with_data(client, world, app, url):
    sign_in(client, world.users["staffAB"])
    url = url.format(A=world.A.id)
    bodies = []
    small = count_queries(app, lambda: bodies.append(client.get(url).data))
    plan = make_plan(year=2024, key="decisions", title="2024年度重大事项和项目决定工作计划")
    for n in range(120):
        item = make_item(plan, n + 1, f"批量事项{n}", [world.A], months=(n % 12 + 1,), status="in_progress")
        if n % 4 == 0:
            item.assignments.append(ItemBody(body_id=world.B.id, position=1, lead=False))
    db.session.commit()
    large = count_queries(app, lambda: bodies.append(client.get(url).data))
    assert large == small
    assert rows_in(bodies[1], url) >= rows_in(bodies[0], url) + 30  # the export did grow


def rows_in(data: bytes, url: str) -> int:
    if ".csv" in url:
        return data.count(b"\r\n")
    return sum(ws.max_row for ws in load_workbook(io.BytesIO(data)).worksheets)
