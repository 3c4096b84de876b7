"""Ten times the data: the demo's 2024 plans copied as plan years 2015–2023, with bulk inserts.

Each copy keeps the items' text, schedules and responsible bodies; statuses are spread as a
finished year's would be (mostly done, some cancelled or postponed, a few left open), and every
item that moved has a history entry or two. Plain SQLAlchemy Core on the tables the models
declare, so it needs no app and takes a second or two, not a minute of ORM flushes.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, func, insert, select

from portal.models import ItemBody, ItemEvent, ItemStage, Plan, Section, User, WorkItem

SOURCE_YEAR = 2024
COPY_YEARS = range(2015, 2024)

# A finished year's spread, cycled over the items (index % 20).
STATUS_CYCLE = ["done"] * 13 + ["cancelled", "postponed", "in_progress", "in_progress", "not_started", "done", "done"]


def _status_events(status: str, n: int, year: int, user_id: int | None, item_id: int) -> list[dict]:
    """The history an item of `status` would have: the steps from 未启动 to where it is."""
    steps = {"not_started": [], "in_progress": ["in_progress"], "done": ["in_progress", "done"],
             "postponed": ["in_progress", "postponed"], "cancelled": ["cancelled"]}[status]
    events, before = [], "not_started"
    when = datetime(year, 1 + n % 10, 1 + n % 27, 9, 30)
    for step in steps:
        note = {"done": "办结", "postponed": "因工作安排调整延期", "cancelled": "主任会议决定不再安排"}.get(step, "")
        events.append({"item_id": item_id, "kind": "status", "from_value": before, "to_value": step, "note": note,
                       "user_id": user_id, "body_id": None, "created_at": when})
        before, when = step, when + timedelta(days=20 + n % 30)
    return events


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def multiply(database_url: str) -> dict[str, int]:
    """Adds the copies to the demo database at `database_url`; returns how many rows of each it wrote."""
    engine = create_engine(database_url)
    plans_t, sections_t, items_t = Plan.__table__, Section.__table__, WorkItem.__table__
    bodies_t, events_t, stages_t = ItemBody.__table__, ItemEvent.__table__, ItemStage.__table__
    written = {"plans": 0, "items": 0, "assignments": 0, "events": 0, "stages": 0}
    with engine.begin() as conn:
        plans = conn.execute(select(plans_t).where(plans_t.c.year == SOURCE_YEAR)).mappings().all()
        plan_ids = [p["id"] for p in plans]
        sections = conn.execute(select(sections_t).where(sections_t.c.plan_id.in_(plan_ids))).mappings().all()
        items = conn.execute(select(items_t).where(items_t.c.plan_id.in_(plan_ids))
                             .order_by(items_t.c.id)).mappings().all()
        assignments = conn.execute(select(bodies_t).where(bodies_t.c.item_id.in_([i["id"] for i in items]))
                                   ).mappings().all()
        stages = conn.execute(select(stages_t).where(stages_t.c.item_id.in_([i["id"] for i in items]))
                              ).mappings().all()
        users_t = User.__table__
        a_staff_user = conn.execute(select(users_t.c.id).where(users_t.c.role == "staff").limit(1)).scalar()
        by_item: dict[int, list] = {}
        for a in assignments:
            by_item.setdefault(a["item_id"], []).append(a)
        stages_by_item: dict[int, list] = {}
        for s in stages:
            stages_by_item.setdefault(s["item_id"], []).append(s)

        for year in COPY_YEARS:
            plan_map, section_map = {}, {}
            for p in plans:
                row = {k: v for k, v in p.items() if k != "id"}
                row["year"], row["title"] = year, str(p["title"]).replace(str(SOURCE_YEAR), str(year))
                plan_map[p["id"]] = conn.execute(insert(plans_t).returning(plans_t.c.id), row).scalar_one()
            for s in sections:
                row = {k: v for k, v in s.items() if k != "id"} | {"plan_id": plan_map[s["plan_id"]]}
                section_map[s["id"]] = conn.execute(insert(sections_t).returning(sections_t.c.id), row).scalar_one()
            written["plans"] += len(plans)

            rows = []
            for n, item in enumerate(items):
                status = STATUS_CYCLE[(n + year) % len(STATUS_CYCLE)]
                row = {k: v for k, v in item.items() if k != "id"}
                months = [m for m in range(1, 13) if (item["months_mask"] or 0) & (1 << m)]
                postponed = date(year, min(12, (months[-1] if months else 6) + 2), 1) if status == "postponed" else None
                due = item["due_date"].replace(year=year) if item["due_date"] else None
                row |= {"plan_id": plan_map[item["plan_id"]], "section_id": section_map[item["section_id"]],
                        "status": status, "version": 1 + len(_status_events(status, n, year, None, 0)),
                        "postponed_to": postponed, "due_date": month_end(postponed) if postponed else due,
                        "assigned_due": item["assigned_due"].replace(year=year) if item["assigned_due"] else None,
                        "status_note": {"done": "办结", "cancelled": "主任会议决定不再安排"}.get(status, ""),
                        "created_at": datetime(year, 1, 5, 9, 0), "updated_at": datetime(year, 12, 20, 17, 0)}
                rows.append(row)
            # Plan items first, then their tasks, pointing at the copies of their parents.
            new_id_of: dict[int, int] = {}
            for tasks in (False, True):
                batch = [(item, row) for item, row in zip(items, rows) if (item["parent_id"] is not None) == tasks]
                for _item, row in batch:
                    if tasks:
                        row["parent_id"] = new_id_of[row["parent_id"]]
                if batch:
                    ids = conn.execute(insert(items_t).returning(items_t.c.id, sort_by_parameter_order=True),
                                       [row for _item, row in batch]).scalars().all()
                    new_id_of.update({item["id"]: new_id for (item, _row), new_id in zip(batch, ids)})
            new_ids = [new_id_of[item["id"]] for item in items]
            written["items"] += len(new_ids)

            new_assignments, new_events, new_stages = [], [], []
            for n, (item, new_id) in enumerate(zip(items, new_ids)):
                new_assignments += [{k: v for k, v in a.items()} | {"item_id": new_id} for a in by_item.get(item["id"], [])]
                new_events += _status_events(rows[n]["status"], n, year, a_staff_user, new_id)
                new_stages += [{k: v for k, v in s.items() if k != "id"} | {"item_id": new_id}
                               for s in stages_by_item.get(item["id"], [])]
            for table, batch, key in ((bodies_t, new_assignments, "assignments"), (events_t, new_events, "events"),
                                      (stages_t, new_stages, "stages")):
                if batch:
                    conn.execute(insert(table), batch)
                    written[key] += len(batch)
        total = conn.execute(select(func.count()).select_from(items_t)).scalar_one()
    engine.dispose()
    written["items_in_database"] = total
    return written
