"""The unit of work: one commit per request, rollback on any refusal, and the audit trail.

Views change data inside `with saving():` and nothing else commits. Operations flush
(`flush_or_conflict` turns a concurrent save into a `Conflict`); the block commits once or
rolls everything back, so a refused request writes nothing.

The audit entry is written by a flush hook, not by each operation: every insert, update and
delete of an audited model (one that sets `__audit__`) leaves one `AuditEntry` in the same
transaction, whichever blueprint, command or import made it. A new screen cannot forget it.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Iterator

import click
from flask import current_app, g, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.errors import Conflict
from portal.extensions import db
from portal.models.audit import AuditEntry
from portal.models.changes import AREAS, ChangeCounter
from portal.timeutil import utcnow


@contextmanager
def saving() -> Iterator[None]:
    """Commit what the block changed, or roll all of it back and let the refusal go on.

    NotVisible and Forbidden become 404 and 403 in portal.errors; Conflict and Invalid go on
    to the view, which shows them with what the user typed.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def flush_or_conflict(obj) -> None:
    """Flush; a concurrent save of the same row becomes a Conflict carrying the row as it is now.

    Versioned rows (version_id_col) update with "WHERE version = ?", so a save made since this
    request loaded the row fails here. IntegrityError: two first writes raced to insert the
    same unique rows (e.g. an item's stages copied twice).
    """
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(db.session.get(type(obj), inspect(obj).identity or ())) from None


# --- audit -------------------------------------------------------------------------------------

def note_for_audit(obj, **facts) -> None:
    """Name what an operation did that no audited column shows (an account's sessions ended: the token
    itself is never audited); the flush hook adds these facts to the object's next audit entry."""
    obj.__dict__.setdefault("_audit_facts", {}).update(facts)


def _actor() -> tuple[int | None, str, str, str]:
    """(user id, username, address, action) of whoever is changing data now."""
    if has_request_context():
        user = g.get("_login_user")  # set by Flask-Login; reading it here must not run a query
        view = current_app.view_functions.get(request.endpoint or "")
        action = request.endpoint or request.path
        if getattr(view, "access", None) not in (None, "public"):
            action = f"{view.access}:{request.endpoint}"
        if user is not None and getattr(user, "is_authenticated", False):
            return user.id, user.username, request.remote_addr or "", action
        return None, "", request.remote_addr or "", action
    ctx = click.get_current_context(silent=True)
    return None, "", "cli" if ctx else "", ctx.command_path if ctx else "system"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


def _related_ids(objs) -> list:
    return sorted(_plain(inspect(o).identity[0]) for o in objs if inspect(o).identity)


def _changes(obj, operation: str) -> tuple[dict, dict]:
    """Before and after of the audited columns (and listed collections) of one flushed object."""
    state = inspect(obj)
    spec = obj.__audit__
    hidden, collections = spec.get("hidden", ()), spec.get("collections", ())
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in spec.get("skip", ()):
            continue
        if operation == "insert":
            value = state.dict.get(key)
            after[key] = "***" if key in hidden and value else _plain(value)
            continue
        if operation == "delete":
            before[key] = "***" if key in hidden else _plain(state.dict.get(key))
            continue
        history = state.attrs[key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                before[key], after[key] = ("***", "***") if key in hidden else (_plain(old), _plain(new))
    for key in collections:
        history = state.attrs[key].history
        if history.has_changes():
            now = list(history.unchanged) + list(history.added)
            before[key] = _related_ids(list(history.unchanged) + list(history.deleted))
            after[key] = _related_ids(now)
    return before, after


@event.listens_for(Session, "after_flush")
def _write_audit(session, flush_context):  # noqa: ARG001 - SQLAlchemy's signature
    """One AuditEntry per changed audited object, inserted in the flush's own transaction."""
    rows = []
    for operation, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not hasattr(obj, "__audit__"):
                continue
            before, after = _changes(obj, operation)
            after.update(obj.__dict__.pop("_audit_facts", {}))
            if operation == "update" and not (before or after):
                continue  # only skipped columns changed (a version bump, a sign-in counter)
            identity = inspect(obj).mapper.primary_key_from_instance(obj)  # new rows have no identity key yet
            rows.append({"object_type": obj.__tablename__, "object_id": ":".join(str(i) for i in identity),
                         "operation": operation, "before": before, "after": after})
    if not rows:
        return
    user_id, username, ip, action = _actor()
    now = utcnow()
    for row in rows:
        row.update(user_id=user_id, username=username, ip=ip, action=action[:80], created_at=now)
    session.connection().execute(insert(AuditEntry.__table__), rows)


def audit_bulk(object_type: str, object_id: str, after: dict) -> None:
    """One audit entry for a change made by a bulk statement (which the flush hook does not see),
    e.g. a roll of 7,700 deputies imported in a few INSERTs: who, when, and what it added and updated."""
    user_id, username, ip, action = _actor()
    db.session.execute(insert(AuditEntry.__table__), [{
        "object_type": object_type, "object_id": object_id, "operation": "import", "before": {}, "after": after,
        "user_id": user_id, "username": username, "ip": ip, "action": action[:80], "created_at": utcnow()}])
    # The rows came in by Core statements, which the flush hook does not see.
    db.session.info.setdefault("changed_areas", set()).update(AREAS)


# --- the change counter ------------------------------------------------------------------------------

def _areas_of(obj) -> tuple[str, ...]:
    marker = getattr(obj, "__changes_pages__", True)
    return tuple(AREAS) if marker is True else (marker,) if marker else ()


@event.listens_for(Session, "after_flush")
def _note_change(session, flush_context):  # noqa: ARG001 - SQLAlchemy's signature
    """Any row written counts in its model's areas (history entries too, which are not audited); models
    that say `__changes_pages__ = False` (a user's read markers: no page shows other data for them) in none."""
    areas = {area for obj in (*session.new, *session.dirty, *session.deleted) for area in _areas_of(obj)}
    if areas:
        session.info.setdefault("changed_areas", set()).update(areas)


@event.listens_for(Session, "before_commit")
def _count_change(session):
    """A transaction that changed data bumps the change counter, last, as it commits.

    Last, so the counter's row lock is the final lock a writer takes and is held only for the commit
    (taken at the first flush, two writers could each hold what the other waits for)."""
    session.flush()
    areas = session.info.pop("changed_areas", None)
    if areas:
        count_change(session.connection(), areas)


def count_change(connection, areas=tuple(AREAS)) -> None:
    """Moves the change counters of `areas` in the connection's transaction; bulk loads that bypass the
    ORM call it. Upserts, so a database without the rows (made by create_all(), or emptied) gets them back
    without two first writers racing to insert them; in row id order, so two writers lock them in one order."""
    table = ChangeCounter.__table__
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for row_id in sorted(AREAS[area] for area in areas):
        connection.execute(dialect_insert(table).values(id=row_id, value=1).on_conflict_do_update(
            index_elements=[table.c.id], set_={"value": table.c.value + 1}))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session):
    session.info.pop("changed_areas", None)
