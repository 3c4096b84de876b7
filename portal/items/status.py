"""Work item statuses and the transitions allowed between them: the one place for these rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

NOT_STARTED, IN_PROGRESS, DONE, POSTPONED, CANCELLED = (
    "not_started", "in_progress", "done", "postponed", "cancelled",
)
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE, POSTPONED, CANCELLED)

STATUS_LABELS = {
    NOT_STARTED: _l("未启动"),
    IN_PROGRESS: _l("进行中"),
    DONE: _l("已完成"),
    POSTPONED: _l("已延期"),
    CANCELLED: _l("已取消"),
}

# Finished items are never overdue.
CLOSED = frozenset({DONE, CANCELLED})

# from -> allowed to. Reopening a done item and restoring a cancelled one are allowed, with a
# history entry, because offices do correct mistakes; skipping back to "not started" is not.
TRANSITIONS: dict[str, frozenset[str]] = {
    NOT_STARTED: frozenset({IN_PROGRESS, DONE, POSTPONED, CANCELLED}),
    IN_PROGRESS: frozenset({DONE, POSTPONED, CANCELLED}),
    POSTPONED: frozenset({IN_PROGRESS, DONE, POSTPONED, CANCELLED}),
    DONE: frozenset({IN_PROGRESS}),
    CANCELLED: frozenset({NOT_STARTED}),
}

NEEDS_REASON = frozenset({POSTPONED, CANCELLED})
NEEDS_MONTH = frozenset({POSTPONED})

NOTE_MAX = 2000


def allowed_targets(current: str) -> list[str]:
    return [s for s in STATUSES if s in TRANSITIONS.get(current, ())]


def transition_errors(current: str, target: str, note: str, month: int | None) -> dict[str, str]:
    """Field -> message for a refused change; empty when the change may be made."""
    errors: dict[str, str] = {}
    if not target:
        errors["status"] = str(_l("请选择新的状态。"))
        return errors
    if target not in STATUSES:
        errors["status"] = str(_l("未知的状态。"))
        return errors
    if target not in TRANSITIONS.get(current, ()):
        errors["status"] = str(
            _l("不能从“%(a)s”改为“%(b)s”。", a=STATUS_LABELS[current], b=STATUS_LABELS[target])
        )
    if target in NEEDS_REASON and not note.strip():
        errors["note"] = str(_l("请填写原因。"))
    if len(note) > NOTE_MAX:
        errors["note"] = str(_l("说明不能超过 %(n)s 字。", n=NOTE_MAX))
    if target in NEEDS_MONTH:
        if month is None:
            errors["month"] = str(_l("请选择延期到的月份。"))
        elif not 1 <= month <= 12:
            errors["month"] = str(_l("月份须在 1 到 12 之间。"))
    return errors
