"""Time in one place: UTC in the database, "today" in the committee's time zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from portal.i18n import translated_once

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _pinned_day() -> date | None:
    if has_app_context() and current_app.config.get("PORTAL_TODAY"):
        return date.fromisoformat(current_app.config["PORTAL_TODAY"])
    return None


def utcnow() -> datetime:
    """Naive UTC, as stored (SQLite keeps no zone; PostgreSQL columns are 'timestamp without time zone').

    With "today" pinned (PORTAL_TODAY), the date is the pinned local day and the time of day is real,
    so history entries and uploads follow the same clock as the lights."""
    now = datetime.now(LOCAL_TZ)
    pinned = _pinned_day()
    if pinned is not None:
        now = now.replace(year=pinned.year, month=pinned.month, day=pinned.day)
    return now.astimezone(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """The committee's local date; PORTAL_TODAY (YYYY-MM-DD) pins it for demos and tests."""
    return _pinned_day() or datetime.now(LOCAL_TZ).date()


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)


# Month names as words of their own, so English reads "June" where Chinese reads "6月".
MONTH_NAMES = {
    1: _l("1月"), 2: _l("2月"), 3: _l("3月"), 4: _l("4月"), 5: _l("5月"), 6: _l("6月"),
    7: _l("7月"), 8: _l("8月"), 9: _l("9月"), 10: _l("10月"), 11: _l("11月"), 12: _l("12月"),
}


@translated_once
def month_words() -> dict[int, str]:
    """The month names in this request's language, translated once per language."""
    return {m: str(name) for m, name in MONTH_NAMES.items()}


def month_name(month: int) -> str:
    # A row shows several: translated once per language, not on every call.
    return month_words()[month] if has_app_context() else str(MONTH_NAMES[month])


def cn_numeral(n: int) -> str:
    """Section numbers as the plans write them: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def year_month_name(day: date, plan_year: int) -> str:
    """"9月" within the plan's year, "2025年3月" outside it (a postponement into the next year)."""
    if day.year == plan_year:
        return month_name(day.month)
    return str(_l("%(year)s年%(month)s", year=day.year, month=month_name(day.month)))
