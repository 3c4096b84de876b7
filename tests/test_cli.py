"""The command line of CONTRACT.md: plan parse|import|export, demo load."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ItemEvent, User, WorkItem

SEED = "portal/seed/puyang-2024-workplan.txt"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_plan_parse_prints_contract_json(runner):
    result = invoke(runner, "plan", "parse", SEED)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["year"] == 2024
    assert data["plans"] == {"work_points": 28, "supervision": 46, "decisions": 5, "deputy_work": 27}
    first = next(i for i in data["items"] if i["plan"] == "supervision")
    expected = {
        "plan": "supervision", "section_no": 1, "section_title": "听取审议工作报告", "seq": 1,
        "title": "听取审议市政府关于2023年度法治政府建设工作情况的报告", "months": [4],
        "schedule": "拟安排在4月份举行的常委会会议上进行",
        "bodies": ["监察和司法委员会", "常委会监察和司法工作委员会"],
    }
    assert {k: first[k] for k in expected} == expected
    assert db.session.scalar(select(func.count()).select_from(WorkItem)) == 0


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02PNG\x00\x00binary", "一段与计划无关的文字。".encode()])
def test_plan_parse_rejects_non_plans(runner, tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = invoke(runner, "plan", "parse", str(path))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_plan_parse_missing_file(runner):
    result = invoke(runner, "plan", "parse", "/no/such/file.txt")
    assert result.exit_code != 0 and "无法读取" in result.stderr


def test_plan_import_twice_changes_nothing_and_keeps_status(runner):
    first = invoke(runner, "plan", "import", SEED, "--year", "2024")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert len(report["added"]) == 106 and report["updated"] == []
    item = db.session.scalars(select(WorkItem).order_by(WorkItem.id)).first()
    item.status = "in_progress"
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(ItemEvent))
    second = json.loads(invoke(runner, "plan", "import", SEED, "--year", "2024").stdout)
    assert second["added"] == [] and second["updated"] == [] and second["unchanged"] == 106
    assert db.session.scalar(select(func.count()).select_from(ItemEvent)) == events
    db.session.expire_all()
    assert db.session.get(WorkItem, item.id).status == "in_progress"


def test_revised_text_updates_fields_not_status(runner, tmp_path):
    invoke(runner, "plan", "import", SEED, "--year", "2024")
    item = db.session.scalars(
        select(WorkItem).where(WorkItem.title == "听取审议市政府关于我市科技成果转化工作情况的报告")).one()
    item.status = "in_progress"
    db.session.commit()
    text = open(SEED, encoding="utf-8").read().replace(
        "7.听取审议市政府关于我市科技成果转化工作情况的报告。(拟安排在6月份举行的常委会会议上进行,由教育科学文化卫生委员会、常委会教育科学文化卫生工作委员会负责做好相关工作)",
        "7.听取审议市政府关于我市科技成果转化和创新工作情况的报告。(拟安排在8月份举行的常委会会议上进行,由教育科学文化卫生委员会负责做好相关工作)",
    )
    revised = tmp_path / "revised.txt"
    revised.write_text(text, encoding="utf-8")
    report = json.loads(invoke(runner, "plan", "import", str(revised), "--year", "2024").stdout)
    assert len(report["updated"]) == 1 and report["added"] == []
    assert set(report["updated"][0]["fields"]) >= {"title", "months", "meeting_month", "bodies"}
    db.session.expire_all()
    item = db.session.get(WorkItem, item.id)
    assert item.title == "听取审议市政府关于我市科技成果转化和创新工作情况的报告"
    assert item.months == [8] and item.meeting_month == 8 and [b.name for b in item.bodies] == ["教育科学文化卫生委员会"]
    assert item.status == "in_progress"


def test_unknown_body_reported_by_line_not_created(runner, tmp_path):
    text = open(SEED, encoding="utf-8").read().replace(
        "由常委会民族宗教侨务外事工作委员会负责做好相关工作", "由常委会外星事务工作委员会负责做好相关工作", 1)
    path = tmp_path / "unknown.txt"
    path.write_text(text, encoding="utf-8")
    report = json.loads(invoke(runner, "plan", "import", str(path), "--year", "2024").stdout)
    unknown = [p for p in report["not_placed"] if p["code"] == "unknown_body"]
    assert len(unknown) == 1 and "外星事务" in unknown[0]["message"]
    line_no = next(n for n, line in enumerate(text.splitlines(), 1) if "外星事务" in line)
    assert unknown[0]["line"] == line_no
    from portal.models import Body
    assert db.session.scalar(select(Body).where(Body.name.contains("外星"))) is None


def test_plan_export_roundtrip(runner):
    invoke(runner, "plan", "import", SEED, "--year", "2024")
    exported = json.loads(invoke(runner, "plan", "export", "--year", "2024").stdout)
    parsed = json.loads(invoke(runner, "plan", "parse", SEED).stdout)
    assert exported["plans"] == parsed["plans"]
    keys = ("plan", "section_no", "section_title", "seq", "title", "months", "schedule", "bodies")
    assert [{k: i[k] for k in keys} for i in exported["items"]] == [{k: i[k] for k in keys} for i in parsed["items"]]
    assert {i["status"] for i in exported["items"]} == {"not_started"}


def test_demo_load_prints_accounts_and_is_repeatable(runner):
    result = invoke(runner, "demo", "load", "--password", "a demo password 2024")
    assert result.exit_code == 0, result.output
    accounts = [json.loads(line) for line in result.stdout.splitlines()]
    roles = {a["role"] for a in accounts}
    assert roles == {"staff", "leader", "deputy_affairs", "deputy", "admin"}
    assert sum(1 for a in accounts if a["role"] == "staff" and len(a["bodies"]) == 1) == 19
    again = invoke(runner, "demo", "load", "--password", "a demo password 2024")
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == len(accounts)
    plan_items = select(func.count()).select_from(WorkItem).where(WorkItem.parent_id.is_(None))
    assert db.session.scalar(plan_items) == 106
    # The office's start of the year: every item has an owner, the narrative points are decomposed once.
    assert db.session.scalar(select(func.count()).select_from(WorkItem).where(~WorkItem.assignments.any())) == 0
    tasks = db.session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.parent_id.is_not(None)))
    assert tasks == 15


def test_demo_scale_adds_earlier_years_deterministically_and_once(runner):
    from portal.models import ChangeCounter, Instruction, Plan

    result = invoke(runner, "demo", "scale", "--password", "a demo password 2024", "--seed", "7", "--roll", "40")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout.splitlines()[-1])
    db.session.expire_all()
    years = db.session.execute(select(Plan.year, func.count()).group_by(Plan.year).order_by(Plan.year)).all()
    assert [y for y, _ in years] == [2020, 2021, 2022, 2023, 2024] and len({n for _, n in years}) == 1
    per_year = db.session.execute(select(Plan.year, func.count(WorkItem.id)).join(WorkItem.plan)
                                  .group_by(Plan.year)).all()
    assert len({n for _, n in per_year}) == 1 and written["items"] == 4 * dict(per_year)[2024]
    # A finished year: mostly done, each moved item with its history; instructions in every state.
    done = db.session.scalar(select(func.count()).select_from(WorkItem).join(WorkItem.plan)
                             .where(Plan.year == 2021, WorkItem.status == "done"))
    assert done > dict(per_year)[2021] / 2
    moved = select(WorkItem.id).join(WorkItem.plan).where(Plan.year == 2021, WorkItem.status != "not_started")
    without_history = select(func.count()).select_from(WorkItem).where(
        WorkItem.id.in_(moved), ~select(ItemEvent.id).where(ItemEvent.item_id == WorkItem.id,
                                                             ItemEvent.kind == "status").exists())
    assert db.session.scalar(without_history) == 0
    instructions = db.session.scalars(select(Instruction)).all()
    assert written["instructions"] == len(instructions) > 0
    assert {i.state(date(2030, 1, 1)) for i in instructions} >= {"answered", "overdue"}
    # Every year has its meetings (the past ones held) and the city's roll is there with its records.
    from portal.models import Deputy, DutyRecord, Meeting
    held = db.session.execute(select(Meeting.year, Meeting.state).distinct()).all()
    assert {y for y, _ in held} == {2020, 2021, 2022, 2023, 2024} and ("held" in {s for y, s in held if y == 2021})
    assert written["deputies"] == 40 == db.session.scalar(select(func.count()).select_from(Deputy)
                                                          .where(Deputy.number.like("CS%")))
    assert written["duty_records"] > 0 and written["agenda_entries"] > 0
    # Every item heard at a past meeting has its follow-up, as the follow-up page derives it: voted, and
    # the unsatisfied ones tracked in a second round that was voted too.
    from portal.meetings.followup import HEARD_KINDS, item_status
    from portal.models import AgendaEntry, FollowUp
    heard = db.session.scalars(select(WorkItem).join(AgendaEntry, AgendaEntry.item_id == WorkItem.id).join(
        Meeting, Meeting.id == AgendaEntry.meeting_id).where(Meeting.year == 2022, AgendaEntry.state == "on",
                                                         WorkItem.work_kind.in_(HEARD_KINDS))).all()
    past = select(func.count()).select_from(FollowUp).join(WorkItem, WorkItem.id == FollowUp.item_id).join(
        WorkItem.plan).where(Plan.year < 2024)
    assert heard and written["follow_ups"] == db.session.scalar(past)
    assert all(m.held_on and m.held_on.weekday() < 5 and m.held_on.month == m.month
               for m in db.session.scalars(select(Meeting).where(Meeting.year < 2024)))
    statuses = [item_status(item, date(2024, 6, 15)) for item in heard]
    assert all(s is not None and s.result is not None and not s.owed for s in statuses)
    assert any(len(s.rounds) == 2 for s in statuses)
    assert db.session.scalar(select(func.count()).select_from(DutyRecord)) >= written["duty_records"]
    counter = db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1))
    # The same seed gives the same data; running it again adds nothing.
    fingerprint = [(i.item_id, i.text) for i in instructions]
    again = invoke(runner, "demo", "scale", "--password", "a demo password 2024", "--seed", "7", "--roll", "40")
    assert json.loads(again.stdout.splitlines()[-1]) | {"items_in_database": 0} == {
        "plans": 0, "items": 0, "assignments": 0, "events": 0, "stages": 0, "instructions": 0, "items_in_database": 0,
        "agenda_entries": 0, "follow_ups": 0, "deputies": 0, "duty_records": 0}
    db.session.expire_all()
    assert [(i.item_id, i.text) for i in db.session.scalars(select(Instruction))] == fingerprint
    # Kept pages are rendered again.
    assert db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.id == 1)) > counter
