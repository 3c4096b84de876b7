"""Traffic lights: derived from the due month and today's date, with the reason in words."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from portal.items.schedule import GREEN, GREY, RED, YELLOW, light_for


def item(status="not_started", months=(6,), postponed_to=None, year=2024):
    due = postponed_to or (max(months) if months else None)
    return SimpleNamespace(status=status, due_month=due, plan=SimpleNamespace(year=year))


@pytest.mark.parametrize("it, today, color, reason", [
    (item(), date(2024, 5, 31), GREY, "计划6月，尚未到期"),
    (item("in_progress"), date(2024, 5, 31), GREEN, "计划6月，按计划推进"),
    (item(), date(2024, 6, 1), YELLOW, "计划6月，本月到期，未办结"),
    (item("in_progress"), date(2024, 6, 30), YELLOW, "计划6月，本月到期，未办结"),
    (item(), date(2024, 7, 12), RED, "计划6月，已逾期12天，未办结"),
    (item("in_progress", months=(7, 8)), date(2024, 8, 31), YELLOW, "计划8月，本月到期，未办结"),
    (item("postponed", postponed_to=9), date(2024, 7, 12), GREEN, "计划9月，按计划推进"),
    (item("postponed", postponed_to=9), date(2024, 10, 1), RED, "计划9月，已逾期1天，未办结"),
    (item("done"), date(2025, 1, 1), GREEN, "已完成"),
    (item("cancelled"), date(2025, 1, 1), GREY, "已取消"),
    (item(months=()), date(2024, 12, 31), GREY, "无具体月份，未启动"),
    (item("in_progress", months=()), date(2024, 12, 31), GREEN, "无具体月份，进行中"),
    (item(year=2023), date(2024, 1, 10), RED, "计划6月，已逾期194天，未办结"),  # last year's plan
])
def test_light(app, it, today, color, reason):
    with app.test_request_context():
        light = light_for(it, today)
    assert (light.color, light.reason) == (color, reason)
