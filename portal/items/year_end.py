"""The year's end (年终结转): every unfinished item of a plan year is carried into the next year or
closed with a reason, and the year's plans are marked closed.

Carrying creates a new item in the next year's plan of the same kind (made if missing, with the
same section), linked to the original (`carried_from_id`), with the same bodies; the original
stays in its year as 已结转. Closing cancels the item with the reason given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record
from portal.items.assignment import set_bodies
from portal.items.status import CANCELLED, CARRIED, CLOSED, NOTE_MAX
from portal.models import Plan, Section, User, WorkItem
from portal.timeutil import utcnow

CARRY, CLOSE = "carry", "close"


@dataclass(frozen=True)
class Decision:
    action: str  # CARRY or CLOSE
    reason: str = ""


def open_items(year: int) -> list[WorkItem]:
    """The year's unfinished items and tasks, in plan order."""
    return list(db.session.scalars(
        select(WorkItem).join(WorkItem.plan).join(WorkItem.section)
        .where(Plan.year == year, WorkItem.status.not_in(sorted(CLOSED)))
        .order_by(Plan.sort_order, Plan.id, Section.number, func.coalesce(WorkItem.parent_id, 0), WorkItem.seq)
    ))


def _next_plan(plan: Plan) -> Plan:
    following = db.session.scalar(select(Plan).where(Plan.year == plan.year + 1, Plan.key == plan.key))
    if following is None:
        following = Plan(year=plan.year + 1, key=plan.key, title=plan.title.replace(str(plan.year), str(plan.year + 1)),
                         sort_order=plan.sort_order)
        db.session.add(following)
        db.session.flush()
    return following


def _next_section(plan: Plan, section: Section) -> Section:
    found = db.session.scalar(select(Section).where(Section.plan_id == plan.id, Section.number == section.number))
    if found is None:
        found = Section(plan_id=plan.id, number=section.number, title=section.title)
        db.session.add(found)
        db.session.flush()
    return found


def carry_over(user: User, item: WorkItem) -> WorkItem:
    plan = _next_plan(item.plan)
    section = _next_section(plan, item.section)
    parent_id = None
    if item.parent_id is not None:  # a task goes along under its parent's continuation, when there is one
        parent_id = db.session.scalar(select(WorkItem.id).where(WorkItem.carried_from_id == item.parent_id))
    seq_scope = WorkItem.parent_id == parent_id if parent_id else (WorkItem.section_id == section.id) & (
        WorkItem.parent_id.is_(None))
    last = db.session.scalar(select(func.max(WorkItem.seq)).where(seq_scope)) or 0
    new = WorkItem(plan_id=plan.id, section_id=section.id, parent_id=parent_id, seq=last + 1, title=item.title,
                   text=item.text, schedule="", meeting_month=None, work_kind=item.work_kind, source="carried",
                   carried_from_id=item.id, manual_fields=["bodies"], status="not_started")
    db.session.add(new)
    db.session.flush()
    set_bodies(new, [(a.body_id, a.lead) for a in item.assignments])
    before = item.status
    item.status, item.status_note = CARRIED, _("结转至%(y)s年", y=plan.year)
    record(item, user, "status", before, CARRIED, item.status_note)
    record(new, user, "carried", str(item.plan.year), str(plan.year), item.title)
    db.session.flush()
    return new


def close_year(user: User, year: int, decisions: dict[int, Decision]) -> dict[str, int]:
    """Carry or close every open item of `year` as decided; all or nothing. Returns the counts."""
    authz.check_allowed(user, "plan.close_year")
    items = open_items(year)
    errors: dict[int, str] = {}
    for item in items:
        decision = decisions.get(item.id)
        if decision is None or decision.action not in (CARRY, CLOSE):
            errors[item.id] = _("请选择结转或关闭。")
        elif decision.action == CLOSE and not decision.reason.strip():
            errors[item.id] = _("关闭须写明原因。")
        elif len(decision.reason) > NOTE_MAX:
            errors[item.id] = _("原因不能超过 %(n)s 字。", n=NOTE_MAX)
    if errors:
        raise Invalid(errors)
    counts = {CARRY: 0, CLOSE: 0}
    # Parents first, so a carried task finds its parent's continuation.
    for item in sorted(items, key=lambda i: i.parent_id is not None):
        decision = decisions[item.id]
        if decision.action == CARRY:
            carry_over(user, item)
        else:
            before = item.status
            item.status, item.status_note = CANCELLED, _("年终关闭：%(r)s", r=decision.reason.strip())
            record(item, user, "status", before, CANCELLED, item.status_note)
        counts[decision.action] += 1
    for plan in db.session.scalars(select(Plan).where(Plan.year == year)):
        plan.closed_at = utcnow()
    db.session.flush()
    return counts


def carried(year: int) -> tuple[list[WorkItem], list[tuple[WorkItem, WorkItem]]]:
    """What `year` carried out (its items now 已结转), and what it carried in: (new item, the original)."""
    out = list(db.session.scalars(select(WorkItem).join(WorkItem.plan)
                                  .where(Plan.year == year, WorkItem.status == CARRIED).order_by(WorkItem.id)))
    original = aliased(WorkItem)
    rows = db.session.execute(select(WorkItem, original).join(WorkItem.plan)
                              .join(original, original.id == WorkItem.carried_from_id)
                              .where(Plan.year == year).order_by(WorkItem.id)).all()
    return out, [(new, old) for new, old in rows]


def year_closed(year: int) -> date | None:
    closed = db.session.scalar(select(func.max(Plan.closed_at)).where(Plan.year == year))
    return closed.date() if closed else None
