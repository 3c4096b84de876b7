"""The figures of the leaders' dashboard (领导驾驶舱), for the page and for /api/dashboard alike.

Every count is an aggregate in SQL, grouped by what the dashboard splits on (plan, section,
months, status, light; body and lead/supporting), so the number of queries does not grow with
the data: the page and the JSON are built from the same `Dashboard`, so they cannot disagree.
Overdue and due-this-month follow the traffic lights (portal.items.lights.light_sql).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, lazyload

from portal.extensions import db
from portal.items import lights, queries
from portal.items.status import STATUSES
from portal.models import Body, ItemBody, ItemEvent, Plan, Section, User, WorkItem
from portal.models import Meeting as MeetingRecord
from portal.models.meetings import PLANNED

# The columns of a tally, in the order the page shows them (CONTRACT.md "Dashboard JSON" keys).
COLUMNS = ("not_started", "in_progress", "done", "postponed", "cancelled", "overdue", "due_this_month")
# Worst first: the colour of a month × plan cell is its worst light.
LIGHT_RANK = {lights.RED: 4, lights.YELLOW: 3, lights.GREY: 2, lights.GREEN: 1}
LATEST_CHANGES = 12


@dataclass
class Tally:
    """Counts by status plus the two lights that matter to a leader (逾期, 本月到期)."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    overdue: int = 0
    due_this_month: int = 0

    def add(self, status: str, light: str, n: int) -> None:
        self.total += n
        self.by_status[status] += n
        self.overdue += n if light == lights.RED else 0
        self.due_this_month += n if light == lights.YELLOW else 0

    def get(self, column: str) -> int:
        if column == "overdue":
            return self.overdue
        if column == "due_this_month":
            return self.due_this_month
        return self.by_status[column]

    def as_json(self) -> dict:
        figures = {"total": self.total, **{s: n for s, n in self.by_status.items()}}
        if not figures["carried"]:
            del figures["carried"]
        return figures | {"overdue": self.overdue, "due_this_month": self.due_this_month}


@dataclass
class SectionFigures:
    section: Section
    tally: Tally = field(default_factory=Tally)


@dataclass
class MonthCell:
    count: int = 0
    rank: int = 0

    @property
    def light(self) -> str:
        return next((c for c, r in LIGHT_RANK.items() if r == self.rank), "")


@dataclass
class PlanFigures:
    plan: Plan
    tally: Tally = field(default_factory=Tally)
    sections: list[SectionFigures] = field(default_factory=list)
    months: dict[int, MonthCell] = field(default_factory=lambda: {m: MonthCell() for m in range(1, 13)})

    @property
    def short_title(self) -> str:
        """"2024年度监督工作计划" → "监督工作计划", as an office writes the headline."""
        prefix = f"{self.plan.year}年度"
        return self.plan.title[len(prefix):] if self.plan.title.startswith(prefix) else self.plan.title


@dataclass
class BodyFigures:
    body: Body
    lead: Tally = field(default_factory=Tally)
    supporting: Tally = field(default_factory=Tally)

    @property
    def all(self) -> Tally:
        both = Tally()
        for part in (self.lead, self.supporting):
            both.total += part.total
            both.overdue += part.overdue
            both.due_this_month += part.due_this_month
            for s, n in part.by_status.items():
                both.by_status[s] += n
        return both


@dataclass
class Meeting:
    """The next Standing Committee meeting as the dashboard shows it: from the meeting records
    (portal.meetings) when the year has them, else from the months the plan names."""

    month: int
    items: list[WorkItem]
    date: date | None = None
    id: int | None = None
    label: str = ""


@dataclass
class FollowUps:
    """What the oversight follow-up owes (portal.meetings.followup): counts and the overdue items."""

    opinions_owed: int = 0
    report_due: int = 0
    report_overdue: int = 0
    overdue: list = field(default_factory=list)  # FollowUpStatus, the longest overdue first

    def as_json(self) -> dict:
        return {"opinions_owed": self.opinions_owed, "report_due": self.report_due,
                "report_overdue": self.report_overdue, "overdue": [s.item.id for s in self.overdue]}


@dataclass
class Dashboard:
    year: int
    today: date
    plans: list[PlanFigures]
    bodies: list[BodyFigures]
    overdue: list[WorkItem]
    due_this_month: list[WorkItem]
    next_meeting: Meeting | None
    latest: list[tuple[ItemEvent, WorkItem]]
    followups: FollowUps = field(default_factory=FollowUps)

    def as_json(self) -> dict:
        """CONTRACT.md "Dashboard JSON" (plus titles, ids and the lead/supporting split)."""
        return {
            "year": self.year,
            "today": self.today.isoformat(),
            "plans": [{"plan": p.plan.key, "title": p.plan.title, **p.tally.as_json(),
                       "sections": [{"section_no": s.section.number, "title": s.section.title, **s.tally.as_json()}
                                    for s in p.sections]}
                      for p in self.plans],
            "bodies": [{"body": b.body.name, "id": b.body.id, "kind": b.body.kind, **b.all.as_json(),
                        "lead": b.lead.as_json(), "supporting": b.supporting.as_json()}
                       for b in self.bodies],
            "overdue": [i.id for i in self.overdue],
            "due_this_month": [i.id for i in self.due_this_month],
            "next_meeting": {"month": self.next_meeting.month,
                             "date": self.next_meeting.date.isoformat() if self.next_meeting.date else None,
                             "items": [i.id for i in self.next_meeting.items]} if self.next_meeting else None,
            "followups": self.followups.as_json(),
        }


def _grouped(columns: list, where: list, joins=()):
    """SELECT columns…, count(*) GROUP BY columns over the year's items, grouped outside a subquery:
    PostgreSQL does not match a GROUP BY expression whose bound parameters (today) are sent twice."""
    query = select(*columns).select_from(WorkItem)
    for target, on in joins:
        query = query.join(target, on)
    inner = query.where(*where).subquery()
    keys = [inner.c[c.key] for c in columns]
    return db.session.execute(select(*keys, func.count()).group_by(*keys)).all()


def plan_figures(year: int, now: date) -> list[PlanFigures]:
    """Headlines per plan and section and the month × plan grid: the plans' own items (no tasks); two queries."""
    plans = queries.plans_for_year(year)
    figures = {p.id: PlanFigures(p, sections=[SectionFigures(s) for s in p.sections]) for p in plans}
    light = lights.light_sql(WorkItem, now).label("light")
    rows = _grouped(
        [WorkItem.plan_id.label("plan_id"), WorkItem.section_id.label("section_id"),
         WorkItem.months_mask.label("months_mask"), WorkItem.status.label("status"), light],
        [WorkItem.parent_id.is_(None), WorkItem.plan_id.in_(list(figures))],
    ) if figures else []
    for plan_id, section_id, mask, status, color, n in rows:
        plan = figures[plan_id]
        plan.tally.add(status, color, n)
        next(s for s in plan.sections if s.section.id == section_id).tally.add(status, color, n)
        for month in range(1, 13):
            if (mask or 0) & (1 << month):
                cell = plan.months[month]
                cell.count += n
                cell.rank = max(cell.rank, LIGHT_RANK[color])
    return list(figures.values())


def body_figures(year: int, now: date) -> list[BodyFigures]:
    """Body × status, lead and supporting apart, items and tasks alike; two queries. Special committees
    first, then working bodies, then offices (each in the bodies' order)."""
    order = {"special_committee": 0, "working_committee": 1, "office": 2}
    bodies = sorted(db.session.scalars(select(Body).where(Body.active.is_(True)).order_by(Body.sort_order, Body.id)),
                    key=lambda b: order.get(b.kind, 3))
    figures = {b.id: BodyFigures(b) for b in bodies}
    light = lights.light_sql(WorkItem, now).label("light")
    rows = _grouped(
        [ItemBody.body_id.label("body_id"), ItemBody.lead.label("lead"), WorkItem.status.label("status"), light],
        [Plan.year == year],
        joins=[(ItemBody, ItemBody.item_id == WorkItem.id), (Plan, Plan.id == WorkItem.plan_id)],
    )
    for body_id, lead, status, color, n in rows:
        if body_id in figures:
            part = figures[body_id].lead if lead else figures[body_id].supporting
            part.add(status, color, n)
    return list(figures.values())


def _year_items(year: int):
    return (select(WorkItem).join(WorkItem.plan).join(WorkItem.section)
            .options(contains_eager(WorkItem.plan), contains_eager(WorkItem.section))
            .where(Plan.year == year))


def items_by_light(year: int, now: date) -> tuple[list[WorkItem], list[WorkItem]]:
    """Overdue (red) and due this month (yellow), items and tasks, the longest overdue first; one query
    (and one for their bodies)."""
    light = lights.light_sql(WorkItem, now)
    found = db.session.scalars(
        _year_items(year).where(light.in_([lights.RED, lights.YELLOW]))
        .order_by(WorkItem.due_date, Plan.sort_order, Plan.id, Section.number, WorkItem.seq, WorkItem.id)
    ).all()
    overdue = [i for i in found if lights.light_color(i, now) == lights.RED]
    due = [i for i in found if lights.light_color(i, now) == lights.YELLOW]
    return overdue, due


def next_meeting(year: int, now: date) -> Meeting | None:
    """The next Standing Committee meeting of the plan year: the first meeting record not yet held, dated
    today or later (or, undated, in this month or later), with its agenda in plan order. A year without
    meeting records: the first month from today's on that the plans' items are heard at."""
    if year < now.year:
        return None
    from portal.meetings import operations as meeting_ops  # the meetings domain builds on the dashboard's items

    first_month = 1 if year > now.year else now.month
    record = db.session.scalar(
        select(MeetingRecord).where(
            MeetingRecord.year == year, MeetingRecord.state == PLANNED,
            or_(MeetingRecord.held_on >= now, and_(MeetingRecord.held_on.is_(None), MeetingRecord.month >= first_month)))
        .order_by(MeetingRecord.month, MeetingRecord.held_on.is_(None), MeetingRecord.held_on, MeetingRecord.id)
        .limit(1))
    if record is not None:
        items = [row.item for row in meeting_ops.agenda_rows(year, meeting_id=record.id)]
        return Meeting(record.month, items, record.held_on, record.id, meeting_ops.meeting_label(record))
    # Looked for second: a year whose meetings are recorded (and all held) has no next one to guess at.
    if db.session.scalar(select(exists().where(MeetingRecord.year == year))):
        return None
    month = (select(func.min(WorkItem.meeting_month)).join(WorkItem.plan)
             .where(Plan.year == year, WorkItem.parent_id.is_(None), WorkItem.meeting_month >= first_month)
             .scalar_subquery())
    items = db.session.scalars(
        _year_items(year).where(WorkItem.parent_id.is_(None), WorkItem.meeting_month == month)
        .order_by(Plan.sort_order, Plan.id, Section.number, WorkItem.seq)
    ).all()
    return Meeting(items[0].meeting_month, list(items)) if items else None


def latest_changes(year: int, limit: int = LATEST_CHANGES) -> list[tuple[ItemEvent, WorkItem]]:
    """The newest history entries across every body's items of the year: who did what to which item."""
    rows = db.session.execute(
        select(ItemEvent, WorkItem).join(WorkItem, WorkItem.id == ItemEvent.item_id).join(WorkItem.plan)
        .options(contains_eager(WorkItem.plan), lazyload(WorkItem.assignments))
        .where(Plan.year == year).order_by(ItemEvent.id.desc()).limit(limit)
    ).all()
    return [(event, item) for event, item in rows]


def followup_figures(user: User, year: int, now: date) -> FollowUps:
    """The follow-up owed on the year's heard items (three queries whatever the count)."""
    from portal.meetings import followup

    figures = FollowUps()
    for status in followup.followups_visible_to(user, year, now):
        if status.state == followup.OPINIONS_OWED:
            figures.opinions_owed += 1
        elif status.state == followup.REPORT_DUE:
            figures.report_due += 1
        elif status.state == followup.REPORT_OVERDUE:
            figures.report_overdue += 1
            figures.overdue.append(status)
    figures.overdue.sort(key=lambda s: (s.due, s.item.id))
    return figures


def dashboard(year: int, now: date, user: User | None = None) -> Dashboard:
    overdue, due = items_by_light(year, now)
    return Dashboard(year=year, today=now, plans=plan_figures(year, now), bodies=body_figures(year, now),
                     overdue=overdue, due_this_month=due, next_meeting=next_meeting(year, now),
                     latest=latest_changes(year),
                     followups=followup_figures(user, year, now) if user is not None else FollowUps())


def my_bodies_first(figures: list[BodyFigures], user: User) -> list[BodyFigures]:
    """The bodies a leader is in charge of (分管), in the matrix's order; [] for a leader of none."""
    mine = {b.id for b in user.led_bodies}
    return [f for f in figures if f.body.id in mine]
