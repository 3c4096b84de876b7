"""Traffic lights: where an item stands against its schedule, derived (never stored) from today's date."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from portal.items.status import CLOSED, DONE, NOT_STARTED, STATUS_LABELS
from portal.timeutil import month_name

GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"
LIGHT_LABELS = {GREY: _l("未到期"), GREEN: _l("正常"), YELLOW: _l("本月到期"), RED: _l("逾期")}


@dataclass(frozen=True)
class Light:
    color: str
    reason: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def light_color(item, today: date) -> str:
    """grey: not yet due; green: on track or finished; yellow: due this month, not done; red: month ended, not done."""
    due, year = item.due_month, item.plan.year
    if item.status in CLOSED:
        return GREEN if item.status == DONE else GREY
    if due is None:
        return GREY if item.status == NOT_STARTED else GREEN
    if today > month_end(year, due):
        return RED
    if (today.year, today.month) == (year, due):
        return YELLOW
    return GREY if item.status == NOT_STARTED else GREEN


def light_for(item, today: date) -> Light:
    """The light with the reason in words ("计划6月，已逾期12天，未办结"); counting needs only light_color."""
    color, due = light_color(item, today), item.due_month
    status = STATUS_LABELS[item.status]
    if item.status in CLOSED:
        return Light(color, str(status))
    if due is None:
        return Light(color, _("无具体月份，%(s)s", s=status))
    month = month_name(due)
    if color == RED:
        days = (today - month_end(item.plan.year, due)).days
        return Light(color, ngettext("计划%(month)s，已逾期%(num)s天，未办结", "计划%(month)s，已逾期%(num)s天，未办结",
                                     days, month=month))
    if color == YELLOW:
        return Light(color, _("计划%(month)s，本月到期，未办结", month=month))
    if color == GREY:
        return Light(color, _("计划%(month)s，尚未到期", month=month))
    return Light(color, _("计划%(month)s，按计划推进", month=month))
