"""The summaries' tables as spreadsheet sheets (portal.sheets): one `Sheet` per printed table."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from flask_babel import gettext as _

from portal.sheets import Column, Sheet
from portal.summaries.data import Entry, PlanReport
from portal.summaries import wording


def item_columns() -> list[Column]:
    """CONTRACT.md's columns (plan, section, number, title, months, meeting, bodies, status), then due date,
    lead bodies and the progress note."""
    return [
        Column(_("计划"), 26), Column(_("部分"), 28), Column(_("序号"), 8), Column(_("事项"), 60),
        Column(_("月份"), 12, "month"), Column(_("会议"), 10), Column(_("责任单位"), 40), Column(_("状态"), 10),
        Column(_("应完成日期"), 12, "date"), Column(_("牵头单位"), 32), Column(_("进展情况"), 40),
    ]


def _months(entry: Entry, spreadsheet: bool):
    months = entry.item.months
    if spreadsheet and len(months) == 1:
        return date(entry.item.plan.year, months[0], 1)  # a real cell, shown as 2024年6月
    return entry.months or entry.item.schedule


def item_rows(found: Iterable[Entry], *, spreadsheet: bool = True) -> Iterator[list]:
    for e in found:
        item = e.item
        yield [item.plan.title, item.section.title, e.number, item.title, _months(e, spreadsheet), e.meeting,
               e.body_names(), e.state, item.due_date, e.body_names(lead=True), item.status_note]


def items_sheet(found: Iterable[Entry], title: str | None = None, *, spreadsheet: bool = True) -> Sheet:
    return Sheet(title or _("工作事项"), item_columns(), item_rows(found, spreadsheet=spreadsheet))


def count_columns(first: str) -> list[Column]:
    return [Column(first, 40), Column(_("合计"), 8, "int"), Column(_("已完成"), 8, "int"),
            Column(_("进行中"), 8, "int"), Column(_("未启动"), 8, "int"), Column(_("已延期"), 8, "int"),
            Column(_("已取消"), 8, "int"), Column(_("逾期"), 8, "int")]


def count_row(name: str, c: wording.Count) -> list:
    return [name, c.total, c.n("done"), c.n("in_progress"), c.n("not_started"), c.n("postponed"),
            c.n("cancelled"), c.overdue]


def progress_sheets(reports: list[PlanReport]) -> list[Sheet]:
    rows = []
    for report in reports:
        rows.append(count_row(report.plan.title, report.count))
        for s in report.sections:
            if s.section.number and s.count.total:
                rows.append(count_row("　" + s.section.title, s.count))
    summary = Sheet(_("计划执行情况"), count_columns(_("计划和部分")), rows)
    paragraphs = Sheet(_("年度总结"), [Column(_("计划"), 26), Column(_("总结"), 120)],
                       [[r.plan.title, r.paragraph] for r in reports])
    return [summary, paragraphs, items_sheet(e for r in reports for s in r.sections for e in s.entries)]
