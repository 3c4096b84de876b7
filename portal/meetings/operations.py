"""Meetings and their agendas: made from the plan, changed by the office, read as the year's 议题安排表.

`sync_agenda` runs after every plan import (portal.plans.operations.import_plan, hence `demo load`
and `demo setup` too): each plan item the text puts on a Standing Committee meeting (WorkItem.meeting_month)
gets an agenda entry on that month's meeting, the meeting made if the year has none that month. It is
idempotent, and it never undoes the office: an entry the office added, moved or dropped (`by_hand`) is
left where the office put it, and so is one on a meeting already held. Only entries that still follow
the text move with it.

The office's changes (add a meeting, edit one, add an item to an agenda, move it, drop it) each take a
reason, write the item's history ("agenda") and, through the audited models, the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record
from portal.models import AgendaEntry, Meeting, Plan, Section, User, WorkItem
from portal.models.meetings import HELD, MEETING_STATES, PLANNED
from portal.timeutil import month_name, utcnow

ON, DROPPED = "on", "dropped"
REASON_MAX = 500


def meeting_label(meeting: Meeting) -> str:
    """"第十次会议（4月）", or "4月常委会会议" before the office has numbered it."""
    if meeting.number:
        return _("%(number)s（%(month)s）", number=meeting.number, month=month_name(meeting.month))
    return _("%(month)s常委会会议", month=month_name(meeting.month))


def meetings_of(year: int) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(Meeting.year == year)
        .order_by(Meeting.month, Meeting.held_on.is_(None), Meeting.held_on, Meeting.id)))


@dataclass
class AgendaRow:
    entry: AgendaEntry
    item: WorkItem


def agenda_rows(year: int, *, dropped: bool = False, meeting_id: int | None = None) -> list[AgendaRow]:
    """Every agenda entry of the year with its item, meetings in date order and items in plan order;
    two queries whatever the count (the entries with items, plans and sections; then the items' bodies)."""
    query = (select(AgendaEntry, WorkItem)
             .join(Meeting, Meeting.id == AgendaEntry.meeting_id)
             .join(WorkItem, WorkItem.id == AgendaEntry.item_id)
             .join(WorkItem.plan).join(WorkItem.section)
             .options(contains_eager(AgendaEntry.meeting), contains_eager(WorkItem.plan),
                      contains_eager(WorkItem.section))
             .where(Meeting.year == year)
             .order_by(Meeting.month, Meeting.held_on.is_(None), Meeting.held_on, Meeting.id,
                       Plan.sort_order, Plan.id, Section.number, WorkItem.seq))
    if not dropped:
        query = query.where(AgendaEntry.state == ON)
    if meeting_id is not None:
        query = query.where(AgendaEntry.meeting_id == meeting_id)
    return [AgendaRow(entry, item) for entry, item in db.session.execute(query).all()]


def agenda_by_meeting(year: int) -> list[tuple[Meeting, list[AgendaRow]]]:
    """The year's meetings, each with its agenda (dropped entries apart, at the end of each)."""
    rows = agenda_rows(year, dropped=True)
    by_meeting: dict[int, list[AgendaRow]] = {}
    for row in rows:
        by_meeting.setdefault(row.entry.meeting_id, []).append(row)
    return [(m, sorted(by_meeting.get(m.id, []), key=lambda r: r.entry.state == DROPPED)) for m in meetings_of(year)]


def entry_of(item: WorkItem) -> AgendaEntry | None:
    return db.session.scalar(select(AgendaEntry).where(AgendaEntry.item_id == item.id))


# --- from the plan ---------------------------------------------------------------------------------

def sync_agenda(year: int) -> dict[str, int]:
    """Meetings and agenda entries for the plan items of `year` that name a meeting month. Flushes."""
    items = db.session.execute(
        select(WorkItem.id, WorkItem.meeting_month).join(WorkItem.plan)
        .where(Plan.year == year, WorkItem.parent_id.is_(None))
    ).all()
    meetings = meetings_of(year)
    by_month: dict[int, Meeting] = {}
    for meeting in meetings:
        by_month.setdefault(meeting.month, meeting)
    item_ids = [i for i, _m in items]
    entries = {e.item_id: e for e in db.session.scalars(
        select(AgendaEntry).where(AgendaEntry.item_id.in_(item_ids)))} if item_ids else {}
    added = moved = removed = 0

    def meeting_for(month: int) -> Meeting:
        if month not in by_month:
            by_month[month] = Meeting(year=year, month=month, state=PLANNED, source="plan")
            db.session.add(by_month[month])
            db.session.flush()
        return by_month[month]

    for item_id, month in sorted(items, key=lambda row: (row[1] or 0, row[0])):
        entry = entries.get(item_id)
        if entry is not None and (entry.by_hand or entry.meeting.state == HELD):
            continue  # the office's decision stands; a hearing that took place is history
        if month is None:
            if entry is not None:  # the text no longer puts it on a meeting
                db.session.delete(entry)
                removed += 1
            continue
        if entry is None:
            db.session.add(AgendaEntry(item_id=item_id, meeting_id=meeting_for(month).id))
            added += 1
        elif entry.meeting.month != month:
            entry.meeting_id = meeting_for(month).id
            moved += 1
    db.session.flush()
    return {"added": added, "moved": moved, "removed": removed}


# --- the office's changes --------------------------------------------------------------------------

def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise Invalid({"reason": _("请填写调整的理由。")})
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": _("理由不能超过 %(n)s 个字。", n=REASON_MAX)})
    return reason


def parse_day(text: str | None, field: str, *, required: bool = False) -> date | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise Invalid({field: _("请填写日期。")})
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid({field: _("日期格式应为 YYYY-MM-DD。")}) from None


@dataclass
class MeetingChange:
    number: str = ""
    held_on: str = ""
    place: str = ""
    state: str = PLANNED
    month: int | None = None  # a new meeting without a date yet


def _check_meeting_fields(year: int, change: MeetingChange) -> tuple[str | None, date | None, str, str, int | None]:
    errors: dict[str, str] = {}
    number = (change.number or "").strip() or None
    if number and len(number) > 40:
        errors["number"] = _("会议届次不能超过 40 个字。")
    place = (change.place or "").strip()
    if len(place) > 200:
        errors["place"] = _("会议地点不能超过 200 个字。")
    if change.state not in MEETING_STATES:
        errors["state"] = _("未知的会议状态。")
    held_on = None
    try:
        held_on = parse_day(change.held_on, "held_on")
    except Invalid as exc:
        errors |= exc.errors
    if held_on and held_on.year != year:
        errors["held_on"] = _("会议日期须在 %(year)s 年内。", year=year)
    if change.state == HELD and held_on is None and "held_on" not in errors:
        errors["held_on"] = _("已举行的会议须填写会议日期。")
    month = held_on.month if held_on else change.month
    if month is None or not 1 <= month <= 12:
        errors.setdefault("held_on", _("请填写会议日期或选择月份。"))
    if errors:
        raise Invalid(errors)
    return number, held_on, place, change.state, month


def add_meeting(user: User, year: int, change: MeetingChange) -> Meeting:
    authz.check_allowed(user, "meeting.manage")
    number, held_on, place, state, month = _check_meeting_fields(year, change)
    meeting = Meeting(year=year, month=month, number=number, held_on=held_on, place=place, state=state, source="manual")
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(user: User, meeting: Meeting, change: MeetingChange) -> bool:
    """Number, date (the month follows it), place and state. Returns whether anything changed."""
    authz.check_allowed(user, "meeting.manage")
    change.month = change.month or meeting.month
    number, held_on, place, state, month = _check_meeting_fields(meeting.year, change)
    values = {"number": number, "held_on": held_on, "place": place, "state": state, "month": month}
    changed = {k: v for k, v in values.items() if getattr(meeting, k) != v}
    for key, value in changed.items():
        setattr(meeting, key, value)
    db.session.flush()
    return bool(changed)


def _mark(entry: AgendaEntry, user: User, reason: str) -> None:
    entry.by_hand, entry.reason, entry.changed_by_id, entry.changed_at = True, reason, user.id, utcnow()


def add_to_agenda(user: User, meeting: Meeting, item: WorkItem, reason: str | None) -> AgendaEntry:
    """Put an item on a meeting's agenda; an item already on another meeting (or dropped) moves here."""
    authz.check_allowed(user, "meeting.manage")
    text = _reason(reason)
    if item.plan.year != meeting.year:
        raise Invalid({"item": _("只能安排 %(year)s 年度计划的事项。", year=meeting.year)})
    entry = entry_of(item)
    if entry is not None and entry.state == ON and entry.meeting_id == meeting.id:
        raise Invalid({"item": _("该事项已在本次会议的议题中。")})
    before = meeting_label(entry.meeting) if entry is not None and entry.state == ON else ""
    if entry is None:
        entry = AgendaEntry(item_id=item.id, meeting_id=meeting.id)
        db.session.add(entry)
    entry.meeting_id, entry.state = meeting.id, ON
    entry.meeting = meeting
    _mark(entry, user, text)
    record(item, user, "agenda", before, "added", f"{meeting_label(meeting)}\n{text}")
    db.session.flush()
    return entry


def move_entry(user: User, entry: AgendaEntry, item: WorkItem, target: Meeting, reason: str | None) -> None:
    authz.check_allowed(user, "meeting.manage")
    text = _reason(reason)
    if target.year != entry.meeting.year:
        raise Invalid({"meeting": _("只能调整到同一年度的会议。")})
    if target.id == entry.meeting_id and entry.state == ON:
        raise Invalid({"meeting": _("请选择另一次会议。")})
    before = meeting_label(entry.meeting)
    entry.meeting_id, entry.state = target.id, ON
    entry.meeting = target
    _mark(entry, user, text)
    record(item, user, "agenda", before, "moved", f"{meeting_label(target)}\n{text}")
    db.session.flush()


def drop_entry(user: User, entry: AgendaEntry, item: WorkItem, reason: str | None) -> None:
    authz.check_allowed(user, "meeting.manage")
    text = _reason(reason)
    if entry.state == DROPPED:
        raise Invalid({"reason": _("该事项已从议题中撤下。")})
    entry.state = DROPPED
    _mark(entry, user, text)
    record(item, user, "agenda", meeting_label(entry.meeting), "dropped", text)
    db.session.flush()
