"""A whole city's data (`flask --app app demo scale [--factor N] [--seed S]`), built in bulk.

On top of the demo (the 2024 plans as they stand mid-year, every body's users), the earlier plan
years: 4 × N years before 2024 (N = 1: 2020–2023, a city's five plan years; N = 10: fifty), each a
copy of the 2024 plans with the items' text, schedules, bodies and stages, statuses spread as a
finished year's would be (mostly done, some cancelled or postponed, a few left open), every item
that moved with its history, one progress note in three, and one instruction (批示) in seven in
each of its states; each year's Standing Committee meetings and agendas from its plans (past years' held);
the follow-up (审议意见, report, 满意度测评) of every item heard at a past meeting;
and 7,700 × N deputies in groups and stations with a year of duty records (about 150,000 × N,
portal/deputies/demo.py). Deterministic from the seed. Plain SQLAlchemy Core on the models' tables with
executemany inserts: seconds per year, not minutes of ORM flushes. Data grows the way a city's
does, by years: the current year's pages must not slow down as the past piles up.
"""
from __future__ import annotations

import calendar
import random
import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from portal.extensions import db

from portal.models import Instruction, ItemBody, ItemEvent, ItemStage, Plan, Section, User, WorkItem
from portal.uow import count_change

SOURCE_YEAR = 2024
YEARS_PER_FACTOR = 4

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


def _shift_years(text: str, year: int) -> str:
    """The 2024 text's years moved to `year`'s ("关于2023年度…的报告" in the 2022 plan reads 2021年度)."""
    return re.sub(r"(20\d\d)(?=年)", lambda m: str(int(m.group(1)) - SOURCE_YEAR + year), text)


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def copy_years(factor: int) -> range:
    return range(SOURCE_YEAR - YEARS_PER_FACTOR * factor, SOURCE_YEAR)


NOTES = ("已召开工作协调会，明确责任分工", "已完成实地调研，形成调研报告初稿", "已征求相关部门意见",
         "已提请主任会议研究", "已印发实施方案")
INSTRUCTIONS = ("请抓紧办理，按期报送结果。", "请会同有关部门认真研究，提出具体意见。", "此事群众关注度高，请加强跟踪督办。")


def _notes_and_instructions(rng: random.Random, year: int, items: list[tuple[int, str]], user_id: int | None,
                            leader_id: int | None) -> tuple[list[dict], list[dict]]:
    """One progress note in three moved items; one instruction in seven items, in each of its states."""
    notes, instructions = [], []
    for n, (item_id, status) in enumerate(items):
        when = datetime(year, 1 + n % 11, 1 + n % 27, 10, 15)
        if status != "not_started" and rng.random() < 1 / 3:
            notes.append({"item_id": item_id, "kind": "note", "from_value": "", "to_value": "",
                          "note": rng.choice(NOTES), "user_id": user_id, "body_id": None, "created_at": when})
        if rng.random() < 1 / 7:
            state = rng.choice(("unread", "read", "answered", "closed"))
            read = when + timedelta(days=2) if state != "unread" else None
            answered = when + timedelta(days=10) if state in ("answered", "closed") else None
            instructions.append({
                "item_id": item_id, "author_id": leader_id, "text": rng.choice(INSTRUCTIONS),
                "reply_by": (when + timedelta(days=30)).date(), "created_at": when,
                "acknowledged_at": read, "acknowledged_by_id": user_id if read else None,
                "answer": "已按批示要求办理，情况已报。" if answered else "", "answered_at": answered,
                "answered_by_id": user_id if answered else None,
                "closed_at": answered + timedelta(days=3) if state == "closed" else None, "version": 1})
    return notes, instructions


def multiply(engine, factor: int = 1, seed: int = 1) -> dict[str, int]:
    """Adds the earlier years to the demo database; returns how many rows of each it wrote.
    Years already there are left as they are (running it twice adds nothing)."""
    rng = random.Random(seed)  # nosec B311  # demo data, deterministic from the seed: not a secret
    plans_t, sections_t, items_t = Plan.__table__, Section.__table__, WorkItem.__table__
    bodies_t, events_t, stages_t = ItemBody.__table__, ItemEvent.__table__, ItemStage.__table__
    written = {"plans": 0, "items": 0, "assignments": 0, "events": 0, "stages": 0, "instructions": 0}
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
        # The demo's own accounts (portal/demo.py): 法工委's staff and the leader act in the earlier years.
        a_staff_user = conn.execute(select(users_t.c.id).where(users_t.c.username == "fgw")).scalar()
        a_leader = conn.execute(select(users_t.c.id).where(users_t.c.username == "leader")).scalar()
        present = set(conn.execute(select(plans_t.c.year).distinct()).scalars())
        by_item: dict[int, list] = {}
        for a in assignments:
            by_item.setdefault(a["item_id"], []).append(a)
        stages_by_item: dict[int, list] = {}
        for s in stages:
            stages_by_item.setdefault(s["item_id"], []).append(s)

        for year in copy_years(factor):
            if year in present:
                continue
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
                row |= {"title": _shift_years(item["title"], year), "text": _shift_years(item["text"], year),
                        "plan_id": plan_map[item["plan_id"]], "section_id": section_map[item["section_id"]],
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
            notes, instructions = _notes_and_instructions(
                rng, year, [(new_id, rows[n]["status"]) for n, new_id in enumerate(new_ids)], a_staff_user, a_leader)
            new_events += notes
            for table, batch, key in ((bodies_t, new_assignments, "assignments"), (events_t, new_events, "events"),
                                      (stages_t, new_stages, "stages"), (Instruction.__table__, instructions, "instructions")):
                if batch:
                    conn.execute(insert(table), batch)
                    written[key] += len(batch)
        total = conn.execute(select(func.count()).select_from(items_t)).scalar_one()
        count_change(conn)  # pages kept by running servers are rendered again
    written["items_in_database"] = total
    return written


SCALE_ROLL_PREFIX = "CS"  # the city-scale roll, numbered CS00001…, beside the demo's small one (PY…)


def add_meetings(seed: int = 1) -> dict[str, int]:
    """Each plan year's meetings and agenda (portal.meetings.operations.sync_agenda); past years' held on a
    weekday late in their month, and their hearings followed up."""
    from portal.meetings.operations import sync_agenda
    from portal.models import Meeting

    rng = random.Random(seed)  # nosec B311  # demo data, deterministic from the seed: not a secret
    entries = 0
    for year in db.session.scalars(select(Plan.year).distinct().order_by(Plan.year)):
        entries += sync_agenda(year).get("added", 0)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.year < SOURCE_YEAR, Meeting.held_on.is_(None))):
        day = date(meeting.year, meeting.month, 20 + rng.randint(0, 6))
        meeting.held_on = day - timedelta(days=max(0, day.weekday() - 4))  # a Saturday or Sunday moves to Friday
        meeting.state = "held"
    db.session.flush()
    return {"agenda_entries": entries, "follow_ups": add_followups(rng)}


def add_followups(rng: random.Random) -> int:
    """The oversight follow-up of every item heard at a past year's meeting, as portal.meetings.followup
    records it: 审议意见 sent, the 研究处理情况报告 received, the 满意度测评; one in twelve 不满意, with
    its 跟踪监督 round done and voted 满意. Items already followed up are left as they are."""
    from portal.meetings.followup import HEARD_KINDS, TRACKING, add_months, report_months
    from portal.models import AgendaEntry, FollowUp, Meeting

    heard = db.session.execute(
        select(AgendaEntry.item_id, Meeting.id, Meeting.held_on, WorkItem.work_kind)
        .join(Meeting, Meeting.id == AgendaEntry.meeting_id).join(WorkItem, WorkItem.id == AgendaEntry.item_id)
        .where(Meeting.year < SOURCE_YEAR, Meeting.held_on.is_not(None), AgendaEntry.state == "on",
               WorkItem.work_kind.in_(HEARD_KINDS), ~AgendaEntry.item_id.in_(select(FollowUp.item_id)))
        .order_by(AgendaEntry.item_id)).all()
    rounds: list[dict] = []
    for n, (item_id, meeting_id, held_on, kind) in enumerate(heard):
        sent = held_on + timedelta(days=rng.randint(7, 20))
        due = add_months(sent, report_months(kind))
        received = due - timedelta(days=rng.randint(0, 10))
        voted = received + timedelta(days=rng.randint(20, 45))
        unsatisfied = n % 12 == 5
        votes = [rng.randint(30, 40), rng.randint(2, 8), rng.randint(0, 2)]
        if unsatisfied:
            votes = [votes[2] + 8, votes[1] + 5, votes[0] - 10]
        result = "unsatisfied" if unsatisfied else "basically_satisfied" if n % 7 == 3 else "satisfied"
        rounds.append({"item_id": item_id, "meeting_id": meeting_id, "kind": "hearing", "round": 1,
                       "opinions_sent_on": sent, "report_due": due, "report_received_on": received, "voted_on": voted,
                       "votes_satisfied": votes[0], "votes_basically": votes[1], "votes_unsatisfied": votes[2],
                       "result": result, "created_at": datetime.combine(sent, datetime.min.time()), "version": 1})
    if rounds:
        db.session.execute(insert(FollowUp.__table__), rounds)
    tracking = []
    firsts = {r.item_id: r for r in db.session.execute(select(FollowUp.__table__).where(
        FollowUp.item_id.in_([r["item_id"] for r in rounds if r["result"] == "unsatisfied"]), FollowUp.round == 1))}
    for item_id, first in firsts.items():
        due = add_months(first.voted_on, report_months(TRACKING))
        received = due - timedelta(days=rng.randint(0, 10))
        tracking.append({"item_id": item_id, "meeting_id": first.meeting_id, "parent_id": first.id, "kind": TRACKING,
                         "round": 2, "report_due": due, "report_received_on": received,
                         "voted_on": received + timedelta(days=rng.randint(20, 45)), "votes_satisfied": rng.randint(30, 40),
                         "votes_basically": rng.randint(2, 8), "votes_unsatisfied": rng.randint(0, 2),
                         "result": "satisfied", "created_at": datetime.combine(first.voted_on, datetime.min.time()),
                         "version": 1})
    if tracking:
        db.session.execute(insert(FollowUp.__table__), tracking)
    count_change(db.session.connection())
    return len(rounds) + len(tracking)


def add_deputies(count: int, seed: int) -> dict[str, int]:
    """The city's roll (7,700 × factor deputies) with a year of records, once."""
    from portal.deputies.demo import build_roll
    from portal.models import Deputy

    if db.session.scalar(select(Deputy.id).where(Deputy.number.like(f"{SCALE_ROLL_PREFIX}%")).limit(1)):
        return {"deputies": 0, "duty_records": 0}
    made = build_roll(count, seed, year=SOURCE_YEAR, prefix=SCALE_ROLL_PREFIX)
    return {"deputies": made["deputies"], "duty_records": made["records"]}
