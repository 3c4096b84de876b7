"""Stored items back out in the plan JSON schema of CONTRACT.md."""
from __future__ import annotations

from portal.models import WorkItem


def item_json(item: WorkItem) -> dict:
    return {
        "plan": item.plan.key,
        "section_no": item.section.number,
        "section_title": item.section.title,
        "seq": item.seq,
        "title": item.title,
        "months": item.months,
        "schedule": item.schedule,
        "bodies": [b.name for b in item.bodies],
        "meeting_month": item.meeting_month,
        "text": item.text,
    }


def plan_json(year: int, items: list[WorkItem]) -> dict:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.plan.key] = counts.get(item.plan.key, 0) + 1
    return {
        "year": year,
        "plans": counts,
        "items": [item_json(i) | {"status": i.status} for i in items],
    }
