"""Time in one place: UTC in the database, "today" in the committee's time zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC, as stored (SQLite keeps no zone; PostgreSQL columns are 'timestamp without time zone')."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """The committee's local date; PORTAL_TODAY (YYYY-MM-DD) pins it for demos and tests."""
    if has_app_context() and current_app.config.get("PORTAL_TODAY"):
        return date.fromisoformat(current_app.config["PORTAL_TODAY"])
    return datetime.now(LOCAL_TZ).date()


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)
