"""Traffic lights: derived from the due date and today's date, with the reason in words; the SQL
expression that counts and filters them agrees with the Python rule on both databases."""
from __future__ import annotations

import calendar
import itertools
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.items.lights import GREEN, GREY, RED, YELLOW, light_color, light_for, light_sql
from portal.models import WorkItem
from tests.conftest import make_item, make_plan


def month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def item(status="not_started", months=(6,), postponed_to=None, year=2024, completed_on=None):
    due = postponed_to or ((year, max(months)) if months else None)
    return SimpleNamespace(status=status, due_date=month_end(*due) if due else None, completed_on=completed_on,
                           plan=SimpleNamespace(year=year))


@pytest.mark.parametrize("it, today, color, reason", [
    (item(), date(2024, 5, 31), GREY, "计划6月，尚未到期"),
    (item("in_progress"), date(2024, 5, 31), GREEN, "计划6月，按计划推进"),
    (item(), date(2024, 6, 1), YELLOW, "计划6月，本月到期，未办结"),
    (item("in_progress"), date(2024, 6, 30), YELLOW, "计划6月，本月到期，未办结"),
    (item(), date(2024, 7, 12), RED, "计划6月，已逾期12天，未办结"),
    (item("in_progress", months=(7, 8)), date(2024, 8, 31), YELLOW, "计划8月，本月到期，未办结"),
    (item("postponed", postponed_to=(2024, 9)), date(2024, 7, 12), GREEN, "计划9月，按计划推进"),
    (item("postponed", postponed_to=(2024, 9)), date(2024, 10, 1), RED, "计划9月，已逾期1天，未办结"),
    (item("postponed", postponed_to=(2025, 3)), date(2024, 12, 20), GREEN, "计划2025年3月，按计划推进"),
    (item("done"), date(2025, 1, 1), GREEN, "已完成"),
    (item("done", completed_on=date(2024, 5, 20)), date(2025, 1, 1), GREEN, "已于2024-05-20办结"),
    (item("cancelled"), date(2025, 1, 1), GREY, "已取消"),
    (item(months=()), date(2024, 12, 31), GREY, "无具体月份，未启动"),
    (item("in_progress", months=()), date(2024, 12, 31), GREEN, "无具体月份，进行中"),
    (item(year=2023), date(2024, 1, 10), RED, "计划2023年6月，已逾期194天，未办结"),  # last year's plan, seen from this year
])
def test_light(app, it, today, color, reason):
    with app.test_request_context():
        light = light_for(it, today, plan_year=today.year)
    assert (light.color, light.reason) == (color, reason)


def test_sql_light_agrees_with_python(app):
    """Every status × schedule × today combination gets the same colour in SQL as in Python."""
    plan = make_plan()
    schedules = [(), (1,), (6,), (7, 8), (12,)]
    statuses = ("not_started", "in_progress", "done", "postponed", "cancelled")
    seq = 0
    for status, months in itertools.product(statuses, schedules):
        seq += 1
        it = make_item(plan, seq, f"事项{seq}", months=months, status=status)
        if status == "postponed":
            it.postponed_to = date(2024 + seq % 2, 3 + seq % 9, 1)
    db.session.flush()
    items = db.session.scalars(select(WorkItem).order_by(WorkItem.id)).all()
    assert all(i.due_date == i.compute_due_date(2024) for i in items)  # kept by the flush hook
    for today in (date(2024, 1, 15), date(2024, 6, 1), date(2024, 6, 30), date(2024, 8, 31), date(2025, 2, 1)):
        in_sql = dict(db.session.execute(select(WorkItem.id, light_sql(WorkItem, today))).all())
        assert in_sql == {i.id: light_color(i, today) for i in items}, today
