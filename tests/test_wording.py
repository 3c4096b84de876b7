"""The words of the print-ready summaries (portal/summaries/wording.py): the year-end paragraph, states on paper
without relative words, the filter in words."""
from __future__ import annotations

from datetime import date

import pytest

from portal.summaries import wording
from portal.summaries.wording import Count


def count(total=0, overdue=0, **by_status) -> Count:
    return Count(total, by_status, overdue)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/"):
        yield


def test_the_issues_example_sentence():
    sections = [("听取审议工作报告", count(19, done=18, postponed=1))]
    text = wording.year_end_paragraph("监督工作计划", count(19, done=18, postponed=1), sections)
    assert text == "监督工作计划共安排19项，完成18项，调整1项。"  # one section: the plan's sentence says it all


def test_a_plan_with_sections_names_each_section_in_plan_order():
    sections = [
        ("听取审议工作报告", count(19, done=18, postponed=1)),
        ("法律法规实施情况的检查", count(6, done=6)),
        ("专题询问", count(2, in_progress=1, not_started=1, overdue=1)),
        ("主任会议根据工作需要确定的其他监督事项", count(0)),  # no items: not mentioned
        ("审查和批准决算,听取审议计划、预算执行情况的报告", count(5, done=3, cancelled=1, carried=1)),
    ]
    plan = count(32, done=27, postponed=1, in_progress=1, not_started=1, cancelled=1, carried=1, overdue=1)
    text = wording.year_end_paragraph("监督工作计划", plan, sections)
    assert text == (
        "监督工作计划共安排32项，完成27项，调整3项（延期1项、取消1项、结转下年度1项），正在推进1项，尚未启动1项，"
        "其中逾期未完成1项。其中：全年听取审议工作报告19项，完成18项，调整1项；全年开展法律法规实施情况的检查6项，已全部完成；"
        "全年开展专题询问2项，正在推进1项，尚未启动1项，其中逾期未完成1项；全年审查和批准决算等5项，完成3项，调整2项（取消1项、结转下年度1项）。")
    assert "其他监督事项" not in text


def test_a_plan_without_items_says_so():
    assert wording.year_end_paragraph("代表工作计划", count(0), []) == "代表工作计划本年度未安排事项。"


@pytest.mark.parametrize("title, phrase", [
    ("听取审议工作报告", "听取审议工作报告"),
    ("专题调研", "开展专题调研"),
    ("述职测评", "开展述职测评"),
    ("加强政治建设,把牢人大工作正确政治方向", "加强政治建设等"),
    ("  专题询问  ", "开展专题询问"),
])
def test_section_phrase(title, phrase):
    assert wording.section_phrase(title) == phrase


@pytest.mark.parametrize("status, light, due, extra, expected", [
    ("in_progress", "yellow", date(2024, 6, 30), {}, ("进行中", "6月30日前到期")),
    ("not_started", "red", date(2024, 4, 30), {}, ("未启动", "4月30日前应完成，已逾期")),
    ("in_progress", "green", date(2024, 10, 31), {}, ("进行中", "10月31日前完成")),
    ("not_started", "grey", date(2025, 3, 31), {}, ("未启动", "2025年3月31日前完成")),
    ("done", "green", date(2024, 4, 30), {"completed_on": date(2024, 5, 3)}, ("已完成", "5月3日办结")),
    ("postponed", "green", date(2024, 11, 30), {"postponed_to": date(2024, 11, 1)}, ("已延期", "延期至11月")),
    ("postponed", "green", date(2025, 2, 28), {"postponed_to": date(2025, 2, 1)}, ("已延期", "延期至2025年2月")),
    ("cancelled", "grey", date(2024, 4, 30), {}, ("已取消", "")),
    ("in_progress", "green", None, {}, ("进行中", "")),
])
def test_states_on_paper_carry_dates_not_relative_words(status, light, due, extra, expected):
    state = wording.state_on_paper(status, light, due, 2024, **extra)
    assert state == expected
    assert "本月" not in "".join(state) and "天" not in "".join(state)


def test_light_filters_on_paper_are_dates():
    assert wording.light_on_paper("yellow", date(2024, 6, 15)) == "6月30日前到期"
    assert wording.light_on_paper("red", date(2024, 6, 15)) == "截至6月15日逾期"
    assert wording.light_on_paper("green", date(2024, 6, 15)) == "正常"


def test_filter_text():
    assert wording.filter_text([]) == "全部事项"
    assert wording.filter_text([("计划", "2024年度监督工作计划"), ("状态", "进行中")]) == "计划：2024年度监督工作计划；状态：进行中"
