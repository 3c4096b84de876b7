"""Sign-in throttling per account, kept in the database so every worker process shares it.

After MAX_FAILURES attempts within WINDOW the account refuses every attempt, the correct
password included, for LOCK_TIME; the answer looks like any other failure, so an attacker
learns nothing, and the lock ends by itself (no permanent lock-out of a colleague). Other
accounts are unaffected. Unknown usernames store nothing here (the per-address throttle,
portal.accounts.throttle, counts them).

The count cannot be raced. An attempt is counted *before* its password is checked, by one
`UPDATE … SET failed_logins = failed_logins + 1 … RETURNING`: the database applies concurrent
updates of the row one after the other (a row lock on PostgreSQL, which re-evaluates the SET
on the committed row; the single writer of SQLite), so each attempt sees its own number, and
only the first MAX_FAILURES of a window get their password checked at all. Reading the count,
checking the password and writing count + 1 (as before) let 24 simultaneous attempts all read
"not locked". A success puts the count back to zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, or_, update

from portal.extensions import db
from portal.models import User
from portal.timeutil import utcnow

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: its number in the window, whether it may check the password, the hash."""

    number: int
    allowed: bool
    password_hash: str

    @property
    def locks(self) -> bool:
        """This attempt is the last one allowed: if its password is wrong the account is now locked."""
        return self.number == MAX_FAILURES


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def count_attempt(user_id: int) -> Attempt:
    """Count one attempt on the account, atomically; the caller commits before checking the password."""
    now = utcnow()
    table = User.__table__
    c = table.c
    lock_active = and_(c.locked_until.is_not(None), c.locked_until > now)
    # A new window: none yet, the last one is over, or a lock that has ended (a fresh start after it).
    fresh = and_(~lock_active, or_(c.failed_since.is_(None), c.failed_since < now - WINDOW, c.locked_until.is_not(None)))
    number = case((fresh, 1), else_=c.failed_logins + 1)
    row = db.session.execute(
        update(table).where(c.id == user_id).values(
            failed_logins=number,
            failed_since=case((fresh, now), else_=c.failed_since),
            # Every SET expression reads the row as it was before this UPDATE: `number` is this attempt's.
            locked_until=case((lock_active, c.locked_until), (number >= MAX_FAILURES, now + LOCK_TIME), else_=None),
        ).returning(c.failed_logins, c.password_hash)
    ).one()
    # The ORM copy of the row is stale now: let the next read fetch it.
    db.session.expire_all()
    return Attempt(number=row.failed_logins, allowed=row.failed_logins <= MAX_FAILURES, password_hash=row.password_hash)


def record_failure(user: User) -> bool:
    """Count a wrong password given after the fact (the password change form); True when it locks the account."""
    return count_attempt(user.id).number == MAX_FAILURES


def record_success(user_id: int) -> None:
    table = User.__table__
    db.session.execute(update(table).where(table.c.id == user_id)
                       .values(failed_since=None, failed_logins=0, locked_until=None))
    db.session.expire_all()
