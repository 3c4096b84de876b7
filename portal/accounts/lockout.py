"""Sign-in throttling per account, kept in the database so every worker process shares it.

After MAX_FAILURES wrong passwords within WINDOW the account refuses every attempt, the
correct password included, for LOCK_TIME; the answer looks like any other failure, so an
attacker learns nothing, and the lock ends by itself (no permanent lock-out of a colleague).
Other accounts are unaffected. Unknown usernames store nothing.
"""
from __future__ import annotations

from datetime import timedelta

from portal.models import User
from portal.timeutil import utcnow

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_failure(user: User) -> bool:
    """Count a wrong password; True when this failure locks the account."""
    now = utcnow()
    if user.failed_since is None or now - user.failed_since > WINDOW:
        user.failed_since, user.failed_logins = now, 0
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + LOCK_TIME
        user.failed_since, user.failed_logins = None, 0
        return True
    return False


def record_success(user: User) -> None:
    user.failed_since, user.failed_logins, user.locked_until = None, 0, None
