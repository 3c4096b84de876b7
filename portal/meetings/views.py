"""The year's meetings and agenda table (templates/meetings/index.html), one meeting's agenda
(templates/meetings/meeting.html), the office's changes to them, the print page, the spreadsheets and
/api/meetings.

Who sees what: the agenda itself (meetings, items' titles, bodies) is not secret inside the office, so
everyone who reads items sees the whole agenda; the follow-up of an agenda item (审议意见, report, vote)
only for the items the user may see (authz.items_visible_to), like every other detail of an item.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import authz, sheets
from portal.authz import requires
from portal.errors import Invalid, NotVisible
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import queries
from portal.meetings import bp, followup, operations
from portal.meetings.operations import DROPPED, MeetingChange, meeting_label
from portal.models import AgendaEntry, Meeting, Plan, Section, WorkItem
from portal.models.meetings import MEETING_STATES
from portal.timeutil import month_name, today
from portal.uow import saving
from portal.pagecache import cached_page

INDEX, MEETING, PRINT = "meetings/index.html", "meetings/meeting.html", "meetings/print_agenda.html"


def state_labels() -> dict[str, str]:
    return {"planned": _("计划召开"), "held": _("已举行")}


def chosen_year() -> int | None:
    years = queries.available_years()
    value = request.args.get("year", "") or request.form.get("year", "")
    if value.isdigit() and int(value) in years:
        return int(value)
    return years[0] if years else None


def get_meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotVisible()
    return meeting


def get_entry_or_404(entry_id: int) -> tuple[AgendaEntry, WorkItem]:
    entry = db.session.get(AgendaEntry, entry_id)
    if entry is None:
        raise NotVisible()
    return entry, db.session.get(WorkItem, entry.item_id)


def visible_followups(year: int, item_ids: list[int]) -> dict[int, followup.FollowUpStatus]:
    """The follow-up of the agenda items the user may see (one query for visibility, three for the rest)."""
    if not item_ids:
        return {}
    return {s.item.id: s for s in followup.followups_visible_to(current_user, year, today())}


def bodies_text(item: WorkItem) -> str:
    return "、".join(b.name for b in item.bodies)


def year_context(year: int | None, **extra) -> dict:
    meetings = operations.agenda_by_meeting(year) if year else []
    ids = [row.item.id for _m, rows in meetings for row in rows]
    return {
        "year": year, "years": queries.available_years(), "meetings": meetings,
        "followups": visible_followups(year, ids) if year else {},
        "STATE_LABELS": state_labels(), "MEETING_STATES": MEETING_STATES,
        "meeting_label": meeting_label, "errors": {}, "typed": {},
    } | extra


@bp.route("/meetings")
@requires("meeting.view")
@cached_page(reads=("work",))
def index():
    return render(INDEX, block="agenda", **year_context(chosen_year()))


@bp.route("/meetings/new", methods=["POST"])
@requires("meeting.manage")
def add():
    year = chosen_year()
    if year is None:
        abort(404)
    typed = {k: request.form.get(k, "") for k in ("number", "held_on", "place", "state", "month")}
    month = request.form.get("month", "")
    change = MeetingChange(typed["number"], typed["held_on"], typed["place"], typed["state"] or "planned",
                           int(month) if month.isdigit() else None)
    try:
        with saving():
            meeting = operations.add_meeting(current_user, year, change)
    except Invalid as exc:
        return render(INDEX, status=400, **year_context(year, errors=exc.errors, typed=typed))
    flash(_("已添加会议：%(m)s", m=meeting_label(meeting)), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))



def attendees(meeting: Meeting):
    from portal.meetings.attendance import attendees as of_meeting
    return of_meeting(meeting)

def meeting_context(meeting: Meeting, **extra) -> dict:
    rows = [r for m, rs in operations.agenda_by_meeting(meeting.year) if m.id == meeting.id for r in rs]
    others = [m for m in operations.meetings_of(meeting.year) if m.id != meeting.id]
    on_agenda = {r.item.id for r in rows if r.entry.state != DROPPED}
    candidates = []
    if authz.can(current_user, "meeting.manage"):
        candidates = [i for i in db.session.scalars(
            select(WorkItem).join(WorkItem.plan).join(WorkItem.section)
            .where(Plan.year == meeting.year, WorkItem.parent_id.is_(None))
            .order_by(Plan.sort_order, Plan.id, Section.number, WorkItem.seq)) if i.id not in on_agenda]
    return {
        "meeting": meeting, "rows": rows, "others": others, "candidates": candidates,
        "followups": visible_followups(meeting.year, [r.item.id for r in rows]),
        "STATE_LABELS": state_labels(), "MEETING_STATES": MEETING_STATES, "meeting_label": meeting_label,
        "errors": {}, "typed": {}, "row_errors": {}, "row_typed": {}, "error_entry": None,
        # 列席代表 (portal.meetings.attendance): names, levels and groups only.
        "attendees": attendees(meeting) if authz.can(current_user, "meeting.view_attendance") else [],
        "attendance_errors": {}, "attendance_typed": "", "attendance_saved": "",
    } | extra


@bp.route("/meetings/<int:meeting_id>")
@requires("meeting.view")
@cached_page
def meeting(meeting_id: int):
    return render(MEETING, block="agenda", **meeting_context(get_meeting_or_404(meeting_id)))


def _answer(meeting: Meeting, block: str, change, status_message: str, typed: dict, *, row: int | None = None):
    """Make `change` in one unit of work; answer with the block (htmx) or a redirect to the meeting page.
    Bad input: 400 with the block (or the page) showing the message next to what the user typed; for a
    row's form (`row`, the entry's id) next to that row."""
    try:
        with saving():
            change()
    except Invalid as exc:
        meeting = db.session.get(Meeting, meeting.id)
        shown = {"row_errors": exc.errors, "row_typed": typed, "error_entry": row} if row else \
            {"errors": exc.errors, "typed": typed}
        return render(MEETING, block=block, status=400, **meeting_context(meeting, **shown))
    meeting = db.session.get(Meeting, meeting.id)
    if wants_fragment():
        return add_trigger(render(MEETING, block=block, **meeting_context(meeting)), "agenda-updated")
    flash(status_message, "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>", methods=["POST"])
@requires("meeting.manage")
def edit(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    typed = {k: request.form.get(k, "") for k in ("number", "held_on", "place", "state")}
    change = MeetingChange(typed["number"], typed["held_on"], typed["place"], typed["state"])
    return _answer(meeting, "facts", lambda: operations.update_meeting(current_user, meeting, change),
                   _("会议信息已保存。"), typed)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
@requires("meeting.manage")
def add_item(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    typed = {"item": request.form.get("item", ""), "reason": request.form.get("reason", "")}

    def change():
        value = typed["item"]
        item = db.session.get(WorkItem, int(value)) if value.isdigit() else None
        if item is None:
            raise Invalid({"item": _("请选择要列入议题的事项。")})
        operations.add_to_agenda(current_user, meeting, item, typed["reason"])

    return _answer(meeting, "agenda", change, _("已列入议题。"), typed)


@bp.route("/meetings/agenda/<int:entry_id>/move", methods=["POST"])
@requires("meeting.manage")
def move_item(entry_id: int):
    entry, item = get_entry_or_404(entry_id)
    meeting = entry.meeting
    typed = {"meeting": request.form.get("meeting", ""), "reason": request.form.get("reason", "")}

    def change():
        value = typed["meeting"]
        target = db.session.get(Meeting, int(value)) if value.isdigit() else None
        if target is None:
            raise Invalid({"meeting": _("请选择调整到的会议。")})
        operations.move_entry(current_user, entry, item, target, typed["reason"])

    return _answer(meeting, "agenda", change, _("议题已调整到其他会议。"), typed, row=entry.id)


@bp.route("/meetings/agenda/<int:entry_id>/drop", methods=["POST"])
@requires("meeting.manage")
def drop_item(entry_id: int):
    entry, item = get_entry_or_404(entry_id)
    meeting = entry.meeting
    typed = {"reason": request.form.get("reason", ""), "drop": "1"}
    return _answer(meeting, "agenda", lambda: operations.drop_entry(current_user, entry, item, typed["reason"]),
                   _("已从议题中撤下。"), typed, row=entry.id)


# --- print, spreadsheets, JSON ---------------------------------------------------------------------

def _agenda_sheet(year: int) -> sheets.Sheet:
    rows = operations.agenda_rows(year)
    numbers: dict[int, int] = {}

    def lines():
        for row in rows:
            numbers[row.entry.meeting_id] = numbers.get(row.entry.meeting_id, 0) + 1
            meeting = row.entry.meeting
            yield (meeting.number or "", meeting.held_on or month_name(meeting.month),
                   numbers[row.entry.meeting_id], row.item.plan.title, row.item.number_label, row.item.title,
                   bodies_text(row.item), state_labels()[meeting.state])

    columns = [sheets.Column(_("会议"), 14), sheets.Column(_("会议日期"), 12, "date"), sheets.Column(_("序号"), 6, "int"),
               sheets.Column(_("计划"), 28), sheets.Column(_("计划编号"), 9), sheets.Column(_("议题"), 60),
               sheets.Column(_("责任单位"), 44), sheets.Column(_("会议状态"), 10)]
    return sheets.Sheet(_("%(year)s年度议题安排表", year=year), columns, lines())


@bp.route("/meetings/print")
@requires("meeting.view")
@cached_page(reads=("work",))
def print_agenda():
    year = chosen_year()
    if year is None:
        abort(404)
    meetings = operations.agenda_by_meeting(year)
    return render(PRINT, title=_("市人大常委会会议%(year)s年度议题安排表", year=year), as_of=today(), filter_text="",
                  back_url=url_for("meetings.index", year=year), meetings=meetings, meeting_label=meeting_label,
                  bodies_text=bodies_text, DROPPED=DROPPED,
                  item_count=sum(1 for _m, rows in meetings for r in rows if r.entry.state != DROPPED))


@bp.route("/meetings/agenda.<any(xlsx, csv):fmt>")
@requires("meeting.view")
def export_agenda(fmt: str):
    year = chosen_year()
    if year is None:
        abort(404)
    name = _("%(year)s年度议题安排表", year=year)
    if fmt == "xlsx":
        return sheets.xlsx_response([_agenda_sheet(year)], f"{name}.xlsx")
    return sheets.csv_response(_agenda_sheet(year), f"{name}.csv")


@bp.route("/api/meetings")
@requires("meeting.view")
def api():
    """CONTRACT.md "Meetings JSON": the year's meetings with their agenda items in plan order."""
    year = request.args.get("year", type=int) or chosen_year()
    if not year:
        return jsonify(error="no plan year"), 404
    return jsonify(meetings_json(year))


def meetings_json(year: int) -> dict:
    by_meeting = operations.agenda_by_meeting(year)
    return {"year": year, "meetings": [
        {"id": m.id, "number": m.number, "month": m.month, "date": m.held_on.isoformat() if m.held_on else None,
         "state": m.state, "place": m.place,
         "items": [{"id": r.item.id, "plan": r.item.plan.key, "section_no": r.item.section.number, "seq": r.item.seq,
                    "title": r.item.title, "bodies": [b.name for b in r.item.bodies]}
                   for r in rows if r.entry.state != DROPPED]}
        for m, rows in by_meeting]}
