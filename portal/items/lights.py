"""Traffic lights (进度提示): where an item stands against its schedule, derived from today's date.

Never stored: an item's due date (WorkItem.due_date, the last day of its due month) is data;
its light follows from that date, its status and today. The rule is written twice on purpose,
side by side — `light_color` for one item in Python, `light_sql` for counting, filtering and
ordering in the database — and tests/test_lights.py checks that the two agree.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, literal

from portal.items.status import CLOSED, DONE, NOT_STARTED, STATUS_LABELS
from portal.timeutil import year_month_name

GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"
LIGHT_LABELS = {GREY: _l("未到期"), GREEN: _l("正常"), YELLOW: _l("本月到期"), RED: _l("逾期")}


@dataclass(frozen=True)
class Light:
    color: str
    reason: str


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def light_color(item, today: date) -> str:
    """green: done, or on track; grey: cancelled or carried over, or not started and not yet due;
    yellow: due this month and open; red: its month has ended and it is still open."""
    if item.status == DONE:
        return GREEN
    if item.status in CLOSED:  # cancelled, or carried into the next year
        return GREY
    due = item.due_date
    if due is not None and due < today:
        return RED
    if due is not None and due == month_end(today):
        return YELLOW
    return GREY if item.status == NOT_STARTED else GREEN


@lru_cache(maxsize=16)
def light_sql(model, today: date):
    """`light_color` as a SQL expression over `model` (WorkItem or an alias of it). Built once per model and
    day (a page used to build it up to three times, about 0.3 ms each): SQL expressions are immutable."""
    not_started_grey = case((model.status == NOT_STARTED, literal(GREY)), else_=literal(GREEN))
    return case(
        (model.status == DONE, literal(GREEN)),
        (model.status.in_(sorted(CLOSED)), literal(GREY)),
        (model.due_date < today, literal(RED)),
        (model.due_date == month_end(today), literal(YELLOW)),
        else_=not_started_grey,
    )


def light_for(item, today: date, plan_year: int | None = None) -> Light:
    """The light with the reason in words ("计划6月，已逾期12天，未办结"); counting needs only light_color."""
    color, due = light_color(item, today), item.due_date
    status = STATUS_LABELS[item.status]
    if item.status == DONE:
        if item.completed_on:
            return Light(color, _("已于%(date)s办结", date=item.completed_on.isoformat()))
        return Light(color, str(status))
    if item.status in CLOSED:
        return Light(color, str(status))
    if due is None:
        return Light(color, _("无具体月份，%(s)s", s=status))
    month = year_month_name(due, plan_year if plan_year is not None else item.plan.year)
    if color == RED:
        days = (today - due).days
        return Light(color, ngettext("计划%(month)s，已逾期%(num)s天，未办结", "计划%(month)s，已逾期%(num)s天，未办结",
                                     days, month=month))
    if color == YELLOW:
        return Light(color, _("计划%(month)s，本月到期，未办结", month=month))
    if color == GREY:
        return Light(color, _("计划%(month)s，尚未到期", month=month))
    return Light(color, _("计划%(month)s，按计划推进", month=month))
