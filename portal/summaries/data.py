"""What the print-ready summaries and the spreadsheets hold, read once for the page and its XLSX alike.

Every list starts from the user's visible items (portal.items.queries, through authz.items_visible_to):
a committee's summary and export hold its own items only. The number of queries is fixed whatever
the number of items: the items with plan and section (one), their bodies (one, not selectin's one per
500), the parents of tasks (one) and, for a report as of a past date, the statuses then (one).

"As of a date" (截至): an item's status on that day is the `from` of its first status change after
the day, or its status now if it has not changed since; items created after the day are left out.
Its light is worked out against that day (portal.items.lights.light_color).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import get_locale, pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from portal import authz
from portal.extensions import db
from portal.items import lights, queries
from portal.items.rows import meeting_text, months_text, schedule_text
from portal.items.status import STATUS_LABELS, STATUSES
from portal.models import Body, Instruction, ItemBody, ItemEvent, Plan, Section, User, WorkItem
from portal.summaries import wording
from portal.timeutil import LOCAL_TZ, cn_numeral, to_local



def separator() -> str:
    """Between body names: "、" in Chinese, ", " in English."""
    return pgettext("list separator", "、")


def day_end_utc(day: date) -> datetime:
    """The first instant after `day` in the committee's time zone, as the naive UTC the database keeps."""
    start = datetime.combine(day + timedelta(days=1), time(), LOCAL_TZ)
    return start.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass
class Entry:
    """One item as a summary prints it."""

    item: WorkItem
    status: str       # as of the summary's date
    light: str
    state: str        # the status's name
    note: str         # dates only (wording.state_on_paper)
    number: str       # "1.3", a task "1.3-2"
    parent: WorkItem | None = None

    @property
    def schedule(self) -> str:
        return schedule_text(self.item)

    @property
    def meeting(self) -> str:
        return meeting_text(self.item)

    @property
    def when(self) -> tuple[str, str]:
        """(schedule, meeting) for the time column: "4月常委会会议" on one line when the item's one month is
        its meeting's."""
        item = self.item
        if item.meeting_month and item.months == [item.meeting_month]:
            return wording.meeting_month_text(item.meeting_month), ""
        return self.schedule, self.meeting

    @property
    def months(self) -> str:
        return months_text(self.item.months)

    def bodies(self, lead: bool | None = None) -> str:
        return separator().join(a.body.label for a in self.item.assignments if lead is None or a.lead == lead)

    def body_names(self, lead: bool | None = None) -> str:
        return separator().join(a.body.name for a in self.item.assignments if lead is None or a.lead == lead)


def _ordered(user: User, filters: queries.ItemFilters, created_before: datetime | None):
    query = queries.visible_items_query(user, filters).options(lazyload(WorkItem.assignments))
    if created_before is not None:
        query = query.where(WorkItem.created_at < created_before)
    return query


def load_items(user: User, filters: queries.ItemFilters, *, created_before: datetime | None = None) -> list[WorkItem]:
    """The filtered visible items in plan order with their bodies: two queries whatever the count."""
    items = list(db.session.scalars(_ordered(user, filters, created_before)))
    ids = queries.visible_ids_query(user, filters)
    if created_before is not None:
        ids = ids.where(WorkItem.created_at < created_before)
    found: dict[int, list[ItemBody]] = defaultdict(list)
    for assignment in db.session.scalars(select(ItemBody).options(joinedload(ItemBody.body))
                                         .where(ItemBody.item_id.in_(ids)).order_by(ItemBody.item_id, ItemBody.position)):
        found[assignment.item_id].append(assignment)
    for item in items:
        set_committed_value(item, "assignments", found.get(item.id, []))
    return items


def statuses_on(user: User, filters: queries.ItemFilters, day: date) -> dict[int, str]:
    """item id -> its status at the end of `day`, for the items whose status changed after that day."""
    later = (select(func.min(ItemEvent.id)).where(ItemEvent.kind == "status", ItemEvent.created_at >= day_end_utc(day),
                                                 ItemEvent.item_id.in_(queries.visible_ids_query(user, filters)))
             .group_by(ItemEvent.item_id))
    rows = db.session.execute(select(ItemEvent.item_id, ItemEvent.from_value).where(ItemEvent.id.in_(later)))
    return {item_id: status for item_id, status in rows if status in STATUSES}


def _parents(items: list[WorkItem]) -> dict[int, WorkItem]:
    parent_ids = sorted({i.parent_id for i in items if i.parent_id is not None})
    rows = db.session.scalars(select(WorkItem).options(lazyload(WorkItem.assignments)).where(WorkItem.id.in_(parent_ids)))
    return {p.id: p for p in rows}


def entries(user: User, filters: queries.ItemFilters, as_of: date, *, historical: bool = False) -> list[Entry]:
    """The items of `filters` as of `as_of`: with `historical`, their statuses on that day (else now's)."""
    created_before = day_end_utc(as_of) if historical else None
    items = load_items(user, filters, created_before=created_before)
    then = statuses_on(user, filters, as_of) if historical else {}
    parents = _parents(items)
    result = []
    for item in items:
        status = then.get(item.id, item.status)
        light = lights.light_color(SimpleNamespace(status=status, due_date=item.due_date), as_of)
        year = item.plan.year
        state, note = wording.state_on_paper(status, light, item.due_date, year,
                                             completed_on=item.completed_on if status == "done" else None,
                                             postponed_to=item.postponed_to if status == "postponed" else None)
        parent = parents.get(item.parent_id) if item.parent_id else None
        number = f"{parent.number_label}-{item.seq}" if parent else item.number_label
        result.append(Entry(item, status, light, state, note, number, parent))
    return result


def tally(found: list[Entry]) -> wording.Count:
    by_status = {s: 0 for s in STATUSES}
    for entry in found:
        by_status[entry.status] += 1
    return wording.Count(len(found), by_status, sum(1 for e in found if e.light == lights.RED))


# --- the progress report (工作进展情况) --------------------------------------------------------------

@dataclass
class SectionReport:
    section: Section
    entries: list[Entry]
    count: wording.Count


@dataclass
class PlanReport:
    plan: Plan
    sections: list[SectionReport]
    count: wording.Count
    paragraph: str = ""

    @property
    def short_title(self) -> str:
        prefix = f"{self.plan.year}年度"
        return self.plan.title[len(prefix):] if self.plan.title.startswith(prefix) else self.plan.title


def progress_report(user: User, filters: queries.ItemFilters, as_of: date) -> list[PlanReport]:
    """Per plan and section: the plan's own items (no tasks) as of `as_of`, their counts and the paragraph."""
    filters.level = "item"
    found = entries(user, filters, as_of, historical=True)
    by_section: dict[int, list[Entry]] = defaultdict(list)
    for entry in found:
        by_section[entry.item.section_id].append(entry)
    reports = []
    for plan in queries.plans_for_year(filters.year):
        if filters.plan and plan.key != filters.plan:
            continue
        sections = [SectionReport(s, by_section.get(s.id, []), tally(by_section.get(s.id, []))) for s in plan.sections
                    if filters.section is None or s.number == filters.section]
        plan_entries = [e for s in sections for e in s.entries]
        report = PlanReport(plan, sections, tally(plan_entries))
        # "监督工作计划" as an office writes it; the plan's full title in another language (as the dashboard).
        name = report.short_title if str(get_locale() or "zh").startswith("zh") else plan.title
        report.paragraph = wording.year_end_paragraph(name, report.count,
                                                      [(s.section.title, s.count) for s in sections])
        reports.append(report)
    return reports


# --- one body's report ----------------------------------------------------------------------------

@dataclass
class BodyReport:
    body: Body
    lead: list[Entry]
    supporting: list[Entry]

    @property
    def lead_count(self) -> wording.Count:
        return tally(self.lead)

    @property
    def supporting_count(self) -> wording.Count:
        return tally(self.supporting)


def body_report(user: User, body: Body, year: int, as_of: date) -> BodyReport:
    """Every item and task of the year `body` is responsible for, lead and supporting apart."""
    found = entries(user, queries.ItemFilters(year=year, body=body.id), as_of)
    lead, supporting = [], []
    for entry in found:
        share = next((a for a in entry.item.assignments if a.body_id == body.id), None)
        (lead if share is None or share.lead else supporting).append(entry)
    return BodyReport(body, lead, supporting)


# --- the overdue list -----------------------------------------------------------------------------

def overdue(user: User, year: int, as_of: date) -> list[Entry]:
    """The year's items and tasks whose month has ended unfinished, the longest overdue first."""
    found = entries(user, queries.ItemFilters(year=year, light=lights.RED), as_of)
    return sorted(found, key=lambda e: (e.item.due_date or date.max))


def days_overdue(entry: Entry, as_of: date) -> int:
    return (as_of - entry.item.due_date).days if entry.item.due_date else 0


# --- instructions (批示) ----------------------------------------------------------------------------

def instructions(user: User, year: int | None = None) -> list[Instruction]:
    """The instructions on the user's visible items (of `year`), newest first: one query."""
    visible = authz.items_visible_to(user).with_only_columns(WorkItem.id)
    query = (select(Instruction).join(WorkItem, WorkItem.id == Instruction.item_id).join(WorkItem.plan)
             .where(WorkItem.id.in_(visible))
             .options(contains_eager(Instruction.item).contains_eager(WorkItem.plan), lazyload("*"),
                      joinedload(Instruction.author))
             .order_by(Instruction.id.desc()))
    if year:
        query = query.where(Plan.year == year)
    return list(db.session.scalars(query).unique())


def instruction_scope_text(state: str, labels) -> str:
    return wording.filter_text([(_("状态"), str(labels[state]))] if state else [])


def filter_parts(user: User, filters: queries.ItemFilters, as_of: date) -> list[tuple[str, str]]:
    """The list's filters in words, for the line under a summary's title (wording.filter_text)."""
    parts: list[tuple[str, str]] = []
    if not authz.sees_all_items(user):
        parts.append((_("本单位"), separator().join(b.label for b in user.bodies)))
    plan = next((p for p in queries.plans_for_year(filters.year) if p.key == filters.plan), None) \
        if filters.plan and filters.year else None
    if plan:
        parts.append((_("计划"), plan.title))
        section = next((s for s in plan.sections if s.number == filters.section), None)
        if section and section.number:
            parts.append((_("部分"), f"{cn_numeral(section.number)}、{section.title}"))
    if filters.month:
        parts.append((_("月份"), months_text([filters.month])))
    if filters.status:
        parts.append((_("状态"), str(STATUS_LABELS[filters.status])))
    if filters.light:
        parts.append((_("进度"), wording.light_on_paper(filters.light, as_of)))
    if filters.body:
        body = db.session.get(Body, filters.body)
        if body:
            share = {"lead": _("（牵头）"), "support": _("（配合）")}.get(filters.part, "")
            parts.append((_("责任单位"), body.label + share))
    if filters.level:
        parts.append((_("范围"), _("仅计划事项") if filters.level == "item" else _("仅分解任务")))
    if filters.q:
        parts.append((_("搜索"), _("“%(q)s”", q=filters.q)))
    return parts



def local_day(value: datetime | None) -> date | None:
    """The committee's calendar day of a stored UTC time."""
    local = to_local(value)
    return local.date() if local else None
