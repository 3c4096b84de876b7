"""Decomposition (分解): a plan item split into tasks (分解任务), each with its own bodies, due month,
status, stages, notes and documents — a WorkItem whose `parent_id` is the item it came from.

A parent's status follows its tasks (`follow_tasks`) unless someone set it by hand; its progress
is "3 of 5 done". Tasks sit in the parent's plan and section, numbered 1..n within the parent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record
from portal.items.assignment import TITLE_MAX, body_pairs, set_bodies
from portal.items.status import DONE, follow_tasks, tasks_of
from portal.models import Body, User, WorkItem


@dataclass(frozen=True)
class Rollup:
    done: int
    total: int


def rollups(parent_ids: list[int]) -> dict[int, Rollup]:
    """Tasks done / all tasks, per parent, in one aggregate query."""
    if not parent_ids:
        return {}
    done = func.sum(func.cast(WorkItem.status == DONE, db.Integer))
    rows = db.session.execute(select(WorkItem.parent_id, done, func.count()).where(WorkItem.parent_id.in_(parent_ids))
                              .group_by(WorkItem.parent_id))
    return {parent_id: Rollup(int(d or 0), n) for parent_id, d, n in rows}


def add_task(user: User, parent: WorkItem, *, title: str, lead_ids: list[int], supporting_ids: list[int],
             due: date | None, text: str = "") -> WorkItem:
    """A task of `parent`; the parent must be a plan item (tasks are not split again)."""
    authz.check(user, "item.decompose", parent)
    title = " ".join((title or "").split())
    errors: dict[str, str] = {}
    if parent.parent_id is not None:
        errors["title"] = _("分解任务不能再分解。")
    if not title:
        errors["title"] = _("请填写任务名称。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("任务名称不能超过 %(n)s 字。", n=TITLE_MAX)
    wanted = set(lead_ids) | set(supporting_ids)
    if not lead_ids:
        errors["bodies"] = _("请至少指定一个牵头单位。")
    elif len(set(db.session.scalars(select(Body.id).where(Body.id.in_(wanted), Body.active)))) != len(wanted):
        errors["bodies"] = _("所选单位不存在或已停用。")
    if due is not None and not parent.plan.year <= due.year <= parent.plan.year + 1:
        errors["due"] = _("完成时间只能在本年度或下一年度。")
    if errors:
        raise Invalid(errors)
    last = db.session.scalar(select(func.max(WorkItem.seq)).where(WorkItem.parent_id == parent.id)) or 0
    task = WorkItem(plan_id=parent.plan_id, section_id=parent.section_id, parent_id=parent.id, seq=last + 1,
                    title=title, text=(text or "").strip() or title, source="manual", assigned_due=due,
                    work_kind="general", manual_fields=["title", "bodies", "due"])
    db.session.add(task)
    db.session.flush()
    set_bodies(task, body_pairs(lead_ids, supporting_ids))
    record(task, user, "task", "", "created", parent.title)
    record(parent, user, "task", "", "added", title)
    db.session.flush()
    follow_tasks(parent, user)
    return task
