"""Changes to work items. Each takes the acting user, checks, changes, writes history and flushes; the view commits."""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import authz
from portal.extensions import db
from portal.items import status as st
from portal.models import ItemEvent, User, WorkItem

security_log = logging.getLogger("portal.security")


class NotVisible(Exception):
    """The user may not see the item: answer 404, reveal nothing."""


class Forbidden(Exception):
    """The user sees the item but may not do this: answer 403."""


class Conflict(Exception):
    """Someone saved the item since the user loaded it: answer 409 with the current state."""

    def __init__(self, item: WorkItem):
        super().__init__("stale version")
        self.item = item


class Invalid(Exception):
    """Bad input: field -> message, shown next to the field. Nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def acting_body_id(user: User, item: WorkItem) -> int | None:
    """Which of the user's bodies acted, for the history of an item shared by several bodies."""
    ordered = [a.body_id for a in item.assignments if a.body_id in user.body_ids]
    return ordered[0] if ordered else None


def check_access(user: User, action: str, item: WorkItem) -> None:
    if not authz.can(user, "item.view", item):
        authz.security_log.warning("authz_denied", extra={"event": "authz_denied", "item_id": item.id, "action": action})
        raise NotVisible()
    if not authz.can(user, action, item):
        authz.security_log.warning("authz_denied", extra={"event": "authz_denied", "item_id": item.id, "action": action})
        raise Forbidden()


def record(item: WorkItem, user: User | None, kind: str, before: str = "", after: str = "", note: str = "") -> ItemEvent:
    event = ItemEvent(
        item_id=item.id, kind=kind, from_value=before, to_value=after, note=note,
        user_id=user.id if user else None,
        body_id=acting_body_id(user, item) if user else None,
    )
    db.session.add(event)
    return event


def _refusal(user: User, item: WorkItem, target: str, version: int | None, note: str, month: int | None) -> None:
    """Raise if `user` may not move `item` to `target` now; change nothing."""
    check_access(user, "item.update_status", item)
    if version is None or version != item.version:
        raise Conflict(item)
    errors = st.transition_errors(item.status, target, note, month)
    if errors:
        raise Invalid(errors)


def _apply_status(user: User, item: WorkItem, target: str, note: str, month: int | None) -> None:
    before = item.status
    item.status = target
    item.status_note = note if target in st.NEEDS_REASON else ""
    if target == st.POSTPONED:
        item.postponed_to_month = month
    record(item, user, "status", before, target, note)


def flush_or_conflict(item: WorkItem) -> None:
    """Flush; a concurrent save of the same item becomes a Conflict carrying the item as it is now.

    Every UPDATE of an item carries "WHERE version = ?" (version_id_col), so a save made since
    this request loaded the item fails here. IntegrityError: two first stage ticks raced to copy
    the same stages (unique item_id, position).
    """
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(db.session.get(WorkItem, item.id)) from None


def change_status(
    user: User, item: WorkItem, target: str, *, version: int | None, note: str = "", month: int | None = None
) -> WorkItem:
    """Move `item` to `target`, refusing stale versions and transitions the rules forbid."""
    note = (note or "").strip()
    _refusal(user, item, target, version, note, month)
    _apply_status(user, item, target, note, month)
    flush_or_conflict(item)
    return item


def change_status_many(
    user: User, items: list[tuple[WorkItem, int | None]], target: str, *, note: str = "", month: int | None = None
) -> None:
    """Change several items at once, all or nothing: one refused item refuses the batch.

    Raises Invalid with item id -> message for every refused item (conflicts included), so
    the user sees all the problems in one answer.
    """
    note = (note or "").strip()
    errors: dict[int, str] = {}
    for item, version in items:
        try:
            _refusal(user, item, target, version, note, month)
        except Conflict:
            errors[item.id] = str(_l("他人已修改此事项，请刷新后重试。"))
        except Invalid as exc:
            errors[item.id] = pgettext("message separator", "；").join(exc.errors.values())
    if errors:
        raise Invalid(errors)
    for item, _version in items:
        _apply_status(user, item, target, note, month)
    flush_or_conflict(items[0][0])
