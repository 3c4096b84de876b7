"""The print-ready summaries: each a page for A4 (templates/summaries/, on templates/print/_base.html) and the
same tables as XLSX (the `.xlsx` address of the same view).

- /summaries/progress: the progress report as of a date, by plan and section, with the year-end paragraph;
- /summaries/bodies/<id>: one body's items, lead and supporting (a committee prints its own bodies only);
- /summaries/overdue: the overdue list;
- /summaries/instructions: the instructions (批示) and their state;
- /items/print (portal.items.print_view): the item list with its filters.
"""
from __future__ import annotations

import re
from datetime import date

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import authz
from portal.authz import requires
from portal.htmx import render
from portal.instructions.operations import STATE_LABELS
from portal.items import queries
from portal.items.workspace import filters_from
from portal.sheets import Column, Sheet, xlsx_response
from portal.summaries import bp, data, sheets
from portal.timeutil import today
from portal.pagecache import cached_page


def as_of_from(args) -> tuple[date, str, str]:
    """(the day a report is as of, the text typed, an error message): today when none or a bad one is given."""
    typed = args.get("as_of", "").strip()
    if not typed:
        return today(), "", ""
    try:
        return date.fromisoformat(typed), typed, ""
    except ValueError:
        return today(), typed, _("请填写有效的日期（如 2024-06-30）。")


def _filename(stem: str, year: int | None) -> str:
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", stem) or "export"  # a body's name, safe as a file name
    return f"{stem}-{year}.xlsx" if year else f"{stem}.xlsx"


# The page's rule is registered first (the lower decorator), so url_for without fmt builds the page's
# address and fmt="xlsx" the spreadsheet's.


def page(template: str, *, error: str = "", **context):
    return render(template, status=400 if error else 200, as_of_error=error, **context)


@bp.route("/summaries/progress.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/summaries/progress", defaults={"fmt": "html"})
@requires("item.view")
@cached_page(reads=("work",))
def progress(fmt: str):
    """The progress report (工作进展情况) of the year as of a day; the user's visible items only."""
    filters = filters_from(request.args)
    filters = queries.ItemFilters(year=filters.year, plan=filters.plan, section=filters.section)
    as_of, typed, error = as_of_from(request.args)
    parts = data.filter_parts(current_user, filters, as_of)
    reports = data.progress_report(current_user, filters, as_of) if filters.year else []
    if fmt == "xlsx":
        return xlsx_response(sheets.progress_sheets(reports), _filename(_("工作进展情况"), filters.year))
    return page("summaries/progress.html", error=error, reports=reports, filters=filters, as_of=as_of, typed=typed,
                title=_("%(year)s年度工作进展情况", year=filters.year) if filters.year else _("工作进展情况"),
                filter_text=data.wording.filter_text(parts),
                back_url=url_for("dashboard.index", year=filters.year) if authz.can(current_user, "dashboard.view")
                else url_for("items.workspace", **filters.as_args()),
                xlsx_url=url_for("summaries.progress", fmt="xlsx", as_of=typed or None, **filters.as_args()))


@bp.route("/summaries/bodies/<int:body_id>.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/summaries/bodies/<int:body_id>", defaults={"fmt": "html"})
@requires("item.view")
@cached_page(reads=("work",))
def body(body_id: int, fmt: str):
    """One body's report: its items and tasks of the year, lead and supporting. Staff: their own bodies only."""
    found = authz.get_body_or_404(current_user, body_id)
    year = filters_from(request.args).year
    now = today()
    report = data.body_report(current_user, found, year, now) if year else data.BodyReport(found, [], [])
    if fmt == "xlsx":
        return xlsx_response([sheets.items_sheet(report.lead, _("牵头事项")),
                              sheets.items_sheet(report.supporting, _("配合事项"))],
                             _filename(found.label, year))
    back = url_for("dashboard.index", year=year) if authz.can(current_user, "dashboard.view") \
        else url_for("items.workspace", year=year)
    return page("summaries/body.html", report=report, year=year, as_of=now, back_url=back,
                title=_("%(body)s%(year)s年度工作事项办理情况", body=found.name, year=year or ""),
                filter_text=data.wording.filter_text([(_("责任单位"), found.name)]),
                xlsx_url=url_for("summaries.body", body_id=found.id, fmt="xlsx", year=year))


@bp.route("/summaries/overdue.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/summaries/overdue", defaults={"fmt": "html"})
@requires("item.view")
@cached_page(reads=("work",))
def overdue(fmt: str):
    """The year's overdue items and tasks as of today, the longest overdue first."""
    year = filters_from(request.args).year
    now = today()
    found = data.overdue(current_user, year, now) if year else []
    if fmt == "xlsx":
        columns = [*sheets.item_columns(), Column(_("逾期天数"), 10, "int")]
        rows = ([*row, data.days_overdue(e, now)] for e, row in zip(found, sheets.item_rows(found)))
        return xlsx_response([Sheet(_("逾期事项"), columns, rows)], _filename(_("逾期事项"), year))
    parts = data.filter_parts(current_user, queries.ItemFilters(year=year), now)
    back = url_for("dashboard.index", year=year) if authz.can(current_user, "dashboard.view") \
        else url_for("items.workspace", year=year, light="red")
    return page("summaries/overdue.html", entries=found, year=year, as_of=now, back_url=back,
                days_overdue=lambda e: data.days_overdue(e, now),
                title=_("%(year)s年度逾期事项清单", year=year or ""),
                filter_text=data.wording.filter_text(parts + [(_("进度"), data.wording.light_on_paper("red", now))]),
                xlsx_url=url_for("summaries.overdue", fmt="xlsx", year=year))


@bp.route("/summaries/instructions.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/summaries/instructions", defaults={"fmt": "html"})
@requires("instruction.list")
@cached_page(reads=("work",))
def instructions(fmt: str):
    """Every instruction with its state (as the instructions page lists them); `?state=` narrows to one."""
    now = today()
    state = request.args.get("state", "")
    state = state if state in STATE_LABELS else ""
    rows = [i for i in data.instructions(current_user) if not state or i.state(now) == state]
    if fmt == "xlsx":
        columns = [Column(_("事项"), 50), Column(_("批示"), 50), Column(_("批示人"), 12), Column(_("批示日期"), 12, "date"),
                   Column(_("答复期限"), 12, "date"), Column(_("状态"), 10), Column(_("办理情况"), 50),
                   Column(_("办结"), 8)]
        table = ([i.item.title, i.text, i.author.display_name or i.author.username if i.author else "",
                  data.local_day(i.created_at), i.reply_by, str(STATE_LABELS[i.state(now)]), i.answer,
                  _("已办结") if i.closed_at else ""] for i in rows)
        return xlsx_response([Sheet(_("领导批示"), columns, table)], _filename(_("领导批示"), None))
    return page("summaries/instructions.html", instructions=rows, as_of=now, back_url=url_for("instructions.index"),
                title=_("领导批示办理情况"), INSTRUCTION_STATES=STATE_LABELS, local_day=data.local_day,
                filter_text=data.instruction_scope_text(state, STATE_LABELS),
                xlsx_url=url_for("summaries.instructions", fmt="xlsx", state=state or None))
