"""Work item statuses: the transitions allowed between them and the changes that make them.

The one place for these rules. `transition_errors` says whether a change may be made (pure,
no database); `change_status` and `change_status_many` make it for a user, with history.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import authz
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.history import record
from portal.models import User, WorkItem
from portal.timeutil import today
from portal.uow import flush_or_conflict

security_log = logging.getLogger("portal.security")

NOT_STARTED, IN_PROGRESS, DONE, POSTPONED, CANCELLED, CARRIED = (
    "not_started", "in_progress", "done", "postponed", "cancelled", "carried",
)
# CARRIED (结转) is set only by closing a plan year (portal.items.year_end), never by the status form.
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE, POSTPONED, CANCELLED, CARRIED)

STATUS_LABELS = {
    NOT_STARTED: _l("未启动"),
    IN_PROGRESS: _l("进行中"),
    DONE: _l("已完成"),
    POSTPONED: _l("已延期"),
    CANCELLED: _l("已取消"),
    CARRIED: _l("已结转"),
}

# Finished items are never overdue.
CLOSED = frozenset({DONE, CANCELLED, CARRIED})

# from -> allowed to. Reopening a done item and restoring a cancelled one are allowed, with a
# history entry, because offices do correct mistakes; skipping back to "not started" is not.
# Postponing a postponed item again (to a still later month) is the only change to the same status.
TRANSITIONS: dict[str, frozenset[str]] = {
    NOT_STARTED: frozenset({IN_PROGRESS, DONE, POSTPONED, CANCELLED}),
    IN_PROGRESS: frozenset({DONE, POSTPONED, CANCELLED}),
    POSTPONED: frozenset({IN_PROGRESS, DONE, POSTPONED, CANCELLED}),
    DONE: frozenset({IN_PROGRESS}),
    CANCELLED: frozenset({NOT_STARTED}),
    CARRIED: frozenset(),
}

# What the user must write: a reason to postpone or cancel, a short completion note (办结说明) to finish.
NEEDS_NOTE = frozenset({POSTPONED, CANCELLED, DONE})
NEEDS_MONTH = frozenset({POSTPONED})
KEEPS_NOTE = frozenset({POSTPONED, CANCELLED, DONE})

NOTE_MAX = 2000


def allowed_targets(current: str) -> list[str]:
    return [s for s in STATUSES if s in TRANSITIONS.get(current, ())]


@dataclass(frozen=True)
class StatusChange:
    """What the user asked for: the target status, the note, and for a postponement the month."""

    target: str
    note: str = ""
    postpone_to: date | None = None  # the first day of the new month


def postponement(month: int | None, year: int | None, plan_year: int) -> date | None:
    """The month a postponement goes to, from the form's month and optional year (default: the plan's)."""
    if month is None or not 1 <= month <= 12:
        return None
    return date(year or plan_year, month, 1)


def transition_errors(item: WorkItem, change: StatusChange, now: date) -> dict[str, str]:
    """Field -> message for a refused change; empty when the change may be made."""
    errors: dict[str, str] = {}
    current, target, note = item.status, change.target, change.note
    if not target:
        return {"status": str(_l("请选择新的状态。"))}
    if target not in STATUSES:
        return {"status": str(_l("未知的状态。"))}
    if target not in TRANSITIONS.get(current, ()):
        errors["status"] = str(_l("不能从“%(a)s”改为“%(b)s”。", a=STATUS_LABELS[current], b=STATUS_LABELS[target]))
    if target in NEEDS_NOTE and not note:
        errors["note"] = str(_l("请填写办结说明。") if target == DONE else _l("请填写原因。"))
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("说明不能超过 %(n)s 字。", n=NOTE_MAX))
    if target in NEEDS_MONTH:
        errors.update(_postponement_errors(item, change.postpone_to, now))
    return errors


def _postponement_errors(item: WorkItem, postpone_to: date | None, now: date) -> dict[str, str]:
    """A postponement goes to a later month than the item is due now, and never into the past."""
    if postpone_to is None:
        return {"month": str(_l("请选择延期到的月份。"))}
    if not item.plan.year <= postpone_to.year <= item.plan.year + 1:
        return {"month": str(_l("延期只能到本年度或下一年度。"))}
    due = item.due_date
    if due is not None and (postpone_to.year, postpone_to.month) <= (due.year, due.month):
        return {"month": str(_l("延期后的月份须晚于现在的完成时间（%(y)s年%(m)s月）。", y=due.year, m=due.month))}
    if (postpone_to.year, postpone_to.month) < (now.year, now.month):
        return {"month": str(_l("延期后的月份不能早于本月。"))}
    return {}


def _log_refusal(reason: str, item: WorkItem, change: StatusChange, fields=()) -> None:
    """A refused status change, logged like every refused request (portal.logs): which item, what was
    asked, why; the fields that failed, never the note the user typed."""
    security_log.warning("status_refused", extra={
        "event": "status_refused", "reason": reason, "item_id": item.id, "from_status": item.status,
        "to_status": change.target[:20], "fields": sorted(str(f) for f in fields)})


def _refusal(user: User, item: WorkItem, change: StatusChange, version: int | None) -> None:
    """Raise if `user` may not make `change` to `item` now; change nothing. Every refusal is logged
    (NotVisible and Forbidden by authz.check, the others here)."""
    authz.check(user, "item.update_status", item)
    if version is None or version != item.version:
        _log_refusal("conflict", item, change)
        raise Conflict(item)
    errors = transition_errors(item, change, today())
    if errors:
        _log_refusal("invalid", item, change, errors)
        raise Invalid(errors)


def tasks_of(parent: WorkItem) -> list[WorkItem]:
    return list(db.session.scalars(select(WorkItem).where(WorkItem.parent_id == parent.id).order_by(WorkItem.seq)))


def status_from_tasks(statuses: list[str]) -> str | None:
    """What a parent's status is, given its tasks': done when every task is closed and one is done;
    in progress once any task has moved; not started otherwise."""
    if not statuses:
        return None
    if all(s in CLOSED for s in statuses) and DONE in statuses:
        return DONE
    if any(s != NOT_STARTED for s in statuses):
        return IN_PROGRESS
    return NOT_STARTED


def follow_tasks(parent: WorkItem, user: User | None) -> None:
    """Move a parent to the status its tasks give (分解任务), unless its status was set by hand."""
    if parent.status_by_hand:
        return
    target = status_from_tasks([t.status for t in tasks_of(parent)])
    if target is None or target == parent.status:
        return
    before = parent.status
    parent.status = target
    parent.completed_on = today() if target == DONE else None
    parent.status_note = str(_l("各分解任务已完成。")) if target == DONE else ""
    record(parent, user, "status", before, target, str(_l("随分解任务更新")))


def _apply(user: User, item: WorkItem, change: StatusChange) -> None:
    """Change the item in memory and write its history; the caller flushes (flush_or_conflict)."""
    is_parent = bool(tasks_of(item))  # queried before any change: a query autoflushes
    before = item.status
    item.status = change.target
    item.status_note = change.note if change.target in KEEPS_NOTE else ""
    if change.target == POSTPONED:
        item.postponed_to = change.postpone_to
    item.completed_on = today() if change.target == DONE else None
    if is_parent:
        item.status_by_hand = True  # a parent set by hand no longer follows its tasks
    record(item, user, "status", before, change.target, change.note)


def _follow_parents(user: User, items: list[WorkItem]) -> None:
    """After tasks changed: their parents follow. A parent saved meanwhile is a conflict of the task's."""
    for parent_id in dict.fromkeys(i.parent_id for i in items if i.parent_id is not None):
        follow_tasks(db.session.get(WorkItem, parent_id), user)
        try:
            db.session.flush()
        except StaleDataError:
            db.session.rollback()
            raise Conflict(db.session.get(WorkItem, items[0].id)) from None


def _clean(change: StatusChange) -> StatusChange:
    return StatusChange(change.target, (change.note or "").strip(), change.postpone_to)


def change_status(user: User, item: WorkItem, change: StatusChange, *, version: int | None) -> WorkItem:
    """Move `item` to `change.target`, refusing stale versions and transitions the rules forbid."""
    change = _clean(change)
    _refusal(user, item, change, version)
    _apply(user, item, change)
    try:
        flush_or_conflict(item)
    except Conflict:
        _log_refusal("conflict", item, change)
        raise
    _follow_parents(user, [item])
    return item


@dataclass
class BulkResult:
    changed: list[WorkItem]
    unchanged: list[WorkItem]  # already in the target status: left as they are, and reported


def change_status_many(user: User, items: list[tuple[WorkItem, int | None]], change: StatusChange) -> BulkResult:
    """Change several items at once, all or nothing for real refusals.

    An item listed twice counts once. An item already in the target status (other than a
    postponement, which moves its month) is left alone and reported, not refused. Any other
    refusal, a stale version included, refuses the batch: Invalid with item id -> message
    for every refused item, so the user sees all the problems in one answer.
    """
    change = _clean(change)
    unique = list({item.id: (item, version) for item, version in items}.values())
    result = BulkResult([], [])
    errors: dict[int, str] = {}
    for item, version in unique:
        if item.status == change.target and change.target != POSTPONED:
            authz.check(user, "item.update_status", item)
            result.unchanged.append(item)
            continue
        try:
            _refusal(user, item, change, version)
        except Conflict:
            errors[item.id] = str(_l("他人已修改此事项，请刷新后重试。"))
        except Invalid as exc:
            errors[item.id] = pgettext("message separator", "；").join(exc.errors.values())
        else:
            result.changed.append(item)
    if errors:
        raise Invalid(errors)
    for item in result.changed:
        _apply(user, item, change)
    if result.changed:
        flush_or_conflict(result.changed[0])
        _follow_parents(user, result.changed)
    return result
