"""Sign-in throttling per address (ASVS 6.3.1 with portal.accounts.lockout, which counts per account).

Two limits per client address, in fixed windows:
- SIGNIN_ADDRESS_MAX_POSTS sign-in posts per SIGNIN_ADDRESS_WINDOW (default 30 a minute), against
  guessing at speed;
- SIGNIN_ADDRESS_MAX_ACCOUNTS distinct usernames per SIGNIN_ACCOUNTS_WINDOW (default 10 in 15
  minutes), against spraying a few guesses at many accounts, which the per-account lock never sees.
An attempt beyond either is refused before the username is even looked up, so the refusal (429 with
Retry-After) says nothing about whether the account exists.

The counts live in one place for every worker process (an in-process counter would multiply the
limit by the number of workers): Redis when REDIS_URL is configured, else the database — both with
one atomic operation per count (INCR; INSERT … ON CONFLICT DO UPDATE … RETURNING), so concurrent
posts cannot read the same count. The address is request.remote_addr: behind a reverse proxy set
PORTAL_TRUSTED_PROXIES (portal.config) so it is the client's, not the proxy's.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models.throttle import SignInCounter


@dataclass(frozen=True)
class Limits:
    posts: int
    window: int  # seconds
    accounts: int
    accounts_window: int  # seconds

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(int(config["SIGNIN_ADDRESS_MAX_POSTS"]), int(config["SIGNIN_ADDRESS_WINDOW"]),
                   int(config["SIGNIN_ADDRESS_MAX_ACCOUNTS"]), int(config["SIGNIN_ACCOUNTS_WINDOW"]))


class Store:
    """Counters that expire with their window. `incr` returns the new count; `add` says whether
    the member is new to the set. Both are atomic across processes."""

    def incr(self, key: str, ttl: int) -> int:
        raise NotImplementedError

    def add(self, key: str, member: str, ttl: int) -> bool:
        raise NotImplementedError

    def discard(self, key: str, member: str) -> None:
        raise NotImplementedError


class DatabaseStore(Store):
    """A row per counter in `sign_in_counter`, counted by an upsert. Commits at once (its own
    short transaction), so the count is shared before the password is checked."""

    def _upsert(self, key: str, ttl: int, count: bool) -> int | None:
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        table = SignInCounter.__table__
        statement = dialect.insert(table).values(key=key, hits=1, expires_at=now + timedelta(seconds=ttl))
        if count:
            statement = statement.on_conflict_do_update(index_elements=[table.c.key],
                                                        set_={"hits": table.c.hits + 1})
        else:
            statement = statement.on_conflict_do_nothing(index_elements=[table.c.key])
        hits = db.session.execute(statement.returning(table.c.hits)).scalar()
        if hits == 1:  # a new window began: drop the counters whose windows are over (cheap, indexed)
            db.session.execute(delete(table).where(table.c.expires_at < now))
        db.session.commit()
        return hits

    def incr(self, key: str, ttl: int) -> int:
        return self._upsert(key, ttl, count=True)

    def add(self, key: str, member: str, ttl: int) -> bool:
        # ON CONFLICT DO NOTHING returns no row when the member was already there.
        return self._upsert(f"{key}:{member}", ttl, count=False) is not None

    def discard(self, key: str, member: str) -> None:
        db.session.execute(delete(SignInCounter.__table__).where(SignInCounter.__table__.c.key == f"{key}:{member}"))
        db.session.commit()


class RedisStore(Store):
    def __init__(self, url: str) -> None:
        import redis  # only when configured

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def incr(self, key: str, ttl: int) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
        return int(pipe.execute()[0])

    def add(self, key: str, member: str, ttl: int) -> bool:
        pipe = self.redis.pipeline()
        pipe.sadd(key, member)
        pipe.expire(key, ttl, nx=True)
        return bool(pipe.execute()[0])

    def discard(self, key: str, member: str) -> None:
        self.redis.srem(key, member)


def store() -> Store:
    """The configured store, one per app (a Redis client keeps its connection pool)."""
    ext = current_app.extensions
    if "signin_throttle_store" not in ext:
        url = current_app.config.get("REDIS_URL")
        ext["signin_throttle_store"] = RedisStore(url) if url else DatabaseStore()
    return ext["signin_throttle_store"]


def check(address: str, username: str, now: float | None = None) -> int | None:
    """Count this sign-in post; the seconds to wait when it is over a limit, else None."""
    limits = Limits.from_config(current_app.config)
    prefix = current_app.config["SIGNIN_THROTTLE_PREFIX"]
    now = time.time() if now is None else now
    s = store()
    window = int(now // limits.window)
    posts = s.incr(f"{prefix}posts:{address}:{window}", limits.window)
    if posts > limits.posts:
        return max(1, math.ceil((window + 1) * limits.window - now))
    account_window = int(now // limits.accounts_window)
    key = f"{prefix}accounts:{address}:{account_window}"
    # Usernames are kept hashed: the counters are no list of who tried to sign in.
    member = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    if s.add(f"{key}:seen", member, limits.accounts_window):
        if s.incr(key, limits.accounts_window) > limits.accounts:
            s.discard(f"{key}:seen", member)  # refused: it stays a new account, refused again next time
            return max(1, math.ceil((account_window + 1) * limits.accounts_window - now))
    return None
