"""A plan mid-year for the demo: statuses, stages, notes and history as an office would have them.

Deterministic (the item's id seeds its story). Every change goes through the real operations
with "today" moved to the day it happened, so history, completion dates and stage dates follow
the same clock as the lights, and the audit trail records them like any other change.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portal.items import notes, stages
from portal.items.status import StatusChange, change_status, postponement
from portal.models import Plan, User, WorkItem

NOTES = (
    "已制定工作方案，报主任会议审定。",
    "召开协调会，明确了各部门分工和时间节点。",
    "赴县区开展实地调研，形成调研报告初稿。",
    "已向市政府有关部门发函，请其按期报送报告。",
    "征求部分常委会组成人员和代表意见。",
)
DONE_NOTES = ("已按计划完成，审议意见已交办。", "报告已经常委会会议审议，审议意见已送市政府研究处理。",
              "已按期办结，相关材料已归档。")


@contextmanager
def on_day(day: date):
    """Run the block as if today were `day` (the clock of lights, history and uploads)."""
    saved = current_app.config.get("PORTAL_TODAY")
    current_app.config["PORTAL_TODAY"] = day.isoformat()
    try:
        yield
    finally:
        current_app.config["PORTAL_TODAY"] = saved


def _worker(item: WorkItem, staff_by_body: dict[int, User]) -> User | None:
    return next((staff_by_body[b] for b in (a.body_id for a in item.assignments) if b in staff_by_body), None)


def stage_year(year: int, today: date, staff_by_body: dict[int, User]) -> int:
    """Give the items of `year` the history they would have by `today`; returns how many changed."""
    items = [i for i in select_items(year) if i.due_date is not None and i.status == "not_started"
             and _worker(i, staff_by_body) is not None]
    late = [i for i in items if i.due_date < today]
    touched = 0
    for item in items:
        # Of the items whose month has passed, a few went wrong, as in any year: the leaders must see red.
        fate = {2: "late", 5: "not_started", 7: "postponed"}.get(late.index(item) % 9, "done") if item in late else ""
        touched += _story(item, _worker(item, staff_by_body), random.Random(item.id), today, fate)  # nosec B311  # repeatable demo stories, no secret
    return touched


def select_items(year: int):
    from portal.extensions import db

    return db.session.scalars(select(WorkItem).join(WorkItem.plan).where(Plan.year == year).order_by(WorkItem.id))


def _change(user, item, target, note, day, month=None, year=None):
    with on_day(day):
        change_status(user, item, StatusChange(target, note, postponement(month, year, item.plan.year)),
                      version=item.version)


def _tick(user, item, count: int, first: date, last: date):
    rows = stages.stage_rows(item)
    span = max((last - first).days, 1)
    for n, row in enumerate(rows[:count]):
        day = first + timedelta(days=span * (n + 1) // (count + 1))
        with on_day(max(day, first)):
            stages.tick_stage(user, item, row.position, done=True, version=item.version, stage_name=row.name,
                              note="" if n else "方案已印发")


def _story(item, user, rng: random.Random, today: date, fate: str) -> int:
    due = item.due_date
    start = max(date(due.year, max(due.month - 2, 1), 5), date(due.year, 1, 5))
    if start >= today:
        return 0
    roll = rng.random()
    rows = stages.stage_rows(item)
    if due < today:  # its month has passed: most are done, a few are late
        if fate == "done":
            _change(user, item, "in_progress", "", start)
            _tick(user, item, len(rows), start, min(due, today - timedelta(days=1)))
            with on_day(min(due - timedelta(days=3), today)):
                notes.add_note(user, item, rng.choice(NOTES))
            _change(user, item, "done", rng.choice(DONE_NOTES), min(due - timedelta(days=1), today))
        elif fate == "late":
            _change(user, item, "in_progress", "", start)
            _tick(user, item, max(len(rows) - 2, 1), start, due)
        elif fate == "postponed" and today.month < 12:
            _change(user, item, "postponed", "市政府专项报告推迟提交，经主任会议同意顺延", due - timedelta(days=5),
                    month=min(today.month + 3, 12))
        else:
            return 0  # not started and overdue: the red the leaders must see
        return 1
    if due.year == today.year and due.month == today.month or roll < 0.35:
        _change(user, item, "in_progress", "", start)
        if rows:
            _tick(user, item, max(len(rows) // 2, 1), start, today)
        with on_day(today - timedelta(days=2)):
            notes.add_note(user, item, rng.choice(NOTES))
        return 1
    if roll > 0.97:
        _change(user, item, "cancelled", "与第三季度执法检查合并进行", start)
        return 1
    return 0
