"""Traffic lights: where an item stands against its schedule, derived (never stored) from today's date."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from portal.items.status import CLOSED, DONE, STATUS_LABELS
from portal.timeutil import month_name

GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"
LIGHT_LABELS = {GREY: _l("未到期"), GREEN: _l("正常"), YELLOW: _l("本月到期"), RED: _l("逾期")}


@dataclass(frozen=True)
class Light:
    color: str
    reason: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def light_for(item, today: date) -> Light:
    """grey: not yet due; green: on track or finished; yellow: due this month, not done; red: month ended, not done."""
    due = item.due_month
    year = item.plan.year
    status = STATUS_LABELS[item.status]
    if item.status in CLOSED:
        return Light(GREEN if item.status == DONE else GREY, _("%(s)s", s=status))
    if due is None:
        return Light(GREEN if item.status != "not_started" else GREY, _("无具体月份，%(s)s", s=status))
    end = month_end(year, due)
    month = month_name(due)
    if today > end:
        days = (today - end).days
        return Light(RED, ngettext("计划%(month)s，已逾期%(num)s天，未办结", "计划%(month)s，已逾期%(num)s天，未办结",
                                   days, month=month))
    if (today.year, today.month) == (year, due):
        return Light(YELLOW, _("计划%(month)s，本月到期，未办结", month=month))
    if item.status == "not_started":
        return Light(GREY, _("计划%(month)s，尚未到期", month=month))
    return Light(GREEN, _("计划%(month)s，按计划推进", month=month))
