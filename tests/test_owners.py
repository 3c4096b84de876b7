"""Every item has an owner: assignment (交办), tasks (分解), per-plan default bodies, re-imports that keep
what the office set by hand, and the year's end (结转). Operations and HTTP, on both databases."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.errors import Conflict, Forbidden, Invalid, NotVisible
from portal.extensions import db
from portal.items import tasks as task_ops
from portal.items import year_end
from portal.items.assignment import Assignment, assign_item, set_plan_default_bodies
from portal.items.status import StatusChange, change_status
from portal.models import AuditEntry, ItemEvent, Plan, WorkItem
from portal.plans.importer import parse_plan
from portal.plans.operations import import_plan
from tests.conftest import csrf_token, login, make_item, make_plan
from tests.test_items import fresh, post_status


def events(item_id: int, kind: str) -> list[ItemEvent]:
    return list(db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item_id, ItemEvent.kind == kind)
                                   .order_by(ItemEvent.id)))


# --- assignment --------------------------------------------------------------------------------

def test_admin_assigns_lead_and_supporting_bodies_with_history_and_audit(app, world):
    admin, item = world.users["admin"], fresh(world.iA.id)
    changed = assign_item(admin, item, Assignment(lead_ids=[world.B.id], supporting_ids=[world.A.id],
                                                  due=date(2025, 2, 1), set_due=True), version=item.version)
    db.session.commit()
    item = fresh(item.id)
    assert changed == ["bodies", "due"]
    assert [b.name for b in item.lead_bodies] == [world.B.name] and [b.name for b in item.supporting_bodies] == [world.A.name]
    assert item.due_date == date(2025, 2, 28) and set(item.manual_fields) == {"bodies", "due"}
    note = events(item.id, "assign")[-1].note
    assert "责任单位：甲委（牵头） → 乙工委（牵头）；甲委（配合）" in note and "完成时间：— → 2025年2月" in note
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "item_body")).all()
    assert any(e.operation == "update" and e.before == {"lead": True, "position": 0}
               and e.after == {"lead": False, "position": 1} for e in audited)
    assert any(e.operation == "insert" and e.after["body_id"] == world.B.id for e in audited)


@pytest.mark.parametrize("change, field", [
    (Assignment(lead_ids=[], supporting_ids=[1]), "bodies"),
    (Assignment(lead_ids=[999]), "bodies"),
    (Assignment(title="   "), "title"),
    (Assignment(due=date(2027, 1, 1), set_due=True), "due"),
    (Assignment(work_kind="nonsense"), "work_kind"),
])
def test_assignment_refuses_bad_input_and_writes_nothing(app, world, change, field):
    item = fresh(world.iA.id)
    with pytest.raises(Invalid) as refused:
        assign_item(world.users["admin"], item, change, version=item.version)
    assert field in refused.value.errors
    db.session.rollback()
    assert events(item.id, "assign") == []


def test_only_the_office_assigns(app, world):
    item = fresh(world.iA.id)
    with pytest.raises(Forbidden):
        assign_item(world.users["staffA"], item, Assignment(title="x"), version=item.version)
    with pytest.raises(Conflict):
        assign_item(world.users["admin"], item, Assignment(title="x"), version=item.version + 5)


def test_assignment_page_and_bulk_assignment_over_http(app, client, world):
    login(client, "admin")
    page = client.get(f"/items/{world.iB.id}/assign").get_data(as_text=True)
    assert "牵头" in page and "配合" in page
    response = client.post(f"/items/{world.iB.id}/assign", data={
        "csrf_token": csrf_token(client), "version": 1, "title": "乙工委的秘密事项（改）", "lead": world.B.id,
        "supporting": world.A.id, "months": ["8", "9"], "meeting_month": "9", "work_kind": "research"})
    assert response.status_code == 302
    item = fresh(world.iB.id)
    assert (item.title, item.months, item.meeting_month, item.work_kind) == ("乙工委的秘密事项（改）", [8, 9], 9, "research")
    # the bad form keeps what was typed and names the field
    response = client.post(f"/items/{world.iB.id}/assign", data={
        "csrf_token": csrf_token(client), "version": item.version, "title": "保留我输入的标题", "supporting": world.A.id})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请至少指定一个牵头单位" in html and "保留我输入的标题" in html

    response = client.post("/items/bulk-assign", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_token(client), "lead": world.B.id,
        "items": [f"{world.iA.id}:{fresh(world.iA.id).version}", f"{world.iAB.id}:1"]})
    assert response.status_code == 200 and "已交办 2 项" in response.get_data(as_text=True)
    assert [b.id for b in fresh(world.iA.id).bodies] == [world.B.id]
    # staffA no longer sees iA: the assignment moved it to B's desk
    staff = app.test_client()
    login(staff, "staffA")
    assert staff.get(f"/items/{world.iA.id}").status_code == 404


def test_plan_default_bodies_assign_the_orphans_and_the_next_import(app, world):
    plan = make_plan(year=2024, key="deputy_work", title="2024年度代表工作计划")
    orphan = make_item(plan, 1, "落实联系代表制度", [], months=())
    db.session.commit()
    assert set_plan_default_bodies(world.users["admin"], plan, [world.B.id]) == 1
    db.session.commit()
    assert [b.id for b in fresh(orphan.id).lead_bodies] == [world.B.id]
    with pytest.raises(Forbidden):
        set_plan_default_bodies(world.users["staffA"], plan, [world.A.id])


# --- re-import keeps what the office set by hand -------------------------------------------------

PLAN_V1 = """2024年度监督工作计划
一、听取审议工作报告
1.听取审议市政府关于甲事项的报告。(拟安排在4月份举行的常委会会议上进行,由甲委员会负责做好相关工作)
2.听取审议市政府关于乙事项的报告。
"""


def test_reimport_keeps_hand_set_fields_and_asks_where_the_text_differs(app, world):
    admin = world.users["admin"]
    aliases = {"甲委员会": "甲委员会", "常委会乙工作委员会": "常委会乙工作委员会"}
    import_plan(parse_plan(PLAN_V1, aliases), 2025, admin)
    db.session.commit()
    first, second = db.session.scalars(select(WorkItem).join(WorkItem.plan).where(Plan.year == 2025)
                                       .order_by(WorkItem.seq)).all()
    for item in (first, second):
        assign_item(admin, item, Assignment(lead_ids=[world.B.id], months=[7], set_due=False), version=item.version)
    db.session.commit()

    # The same text again: item 2 states no body and no month, so the office's stay; item 1 states others.
    preview = import_plan(parse_plan(PLAN_V1, aliases), 2025, admin)
    conflicts = {(c.item.seq, c.name): c for c in preview.conflicts}
    assert set(conflicts) == {(1, "bodies"), (1, "months")}
    assert conflicts[(1, "bodies")].manual == ["常委会乙工作委员会"] and conflicts[(1, "bodies")].text == ["甲委员会"]
    db.session.rollback()
    assert [b.id for b in fresh(second.id).bodies] == [world.B.id] and fresh(second.id).months == [7]

    choice = conflicts[(1, "bodies")].key
    import_plan(parse_plan(PLAN_V1, aliases), 2025, admin, {choice: "text"})
    db.session.commit()
    first = fresh(first.id)
    assert [b.name for b in first.bodies] == ["甲委员会"] and first.months == [7]  # months: the office's kept
    assert "bodies" not in first.manual_fields and "months" in first.manual_fields


def test_reimport_preview_offers_the_choice_over_http(client, world):
    from tests.test_plans_web import confirm_from, upload

    login(client, "admin")
    first = confirm_from(client, upload(client, PLAN_V1.encode(), year="2025").get_data(as_text=True))
    assert first.status_code == 200
    item = db.session.scalar(select(WorkItem).join(WorkItem.plan).where(Plan.year == 2025, WorkItem.seq == 1))
    assign_item(world.users["admin"], item, Assignment(lead_ids=[world.B.id]), version=item.version)
    db.session.commit()

    preview = upload(client, PLAN_V1.encode(), year="2025").get_data(as_text=True)
    assert "与交办内容不一致" in preview and "常委会乙工作委员会" in preview
    key = re.search(r'name="choice-([^"]+)" value="text"', preview).group(1)
    token = re.search(r'name="token"[^>]*value="([^"]*)"', preview).group(1).replace("&#34;", '"').replace("&amp;", "&")
    response = client.post("/plans/import/confirm", data={"csrf_token": csrf_token(client), "token": token,
                                                          f"choice-{key}": "text"})
    assert response.status_code == 200
    assert [b.name for b in fresh(item.id).bodies] == ["甲委员会"]


# --- tasks -------------------------------------------------------------------------------------

def test_tasks_appear_in_their_bodies_workspace_and_drive_the_parent(client, world):
    admin, parent = world.users["admin"], fresh(world.iA.id)
    first = task_ops.add_task(admin, parent, title="起草条例草案", lead_ids=[world.B.id], supporting_ids=[],
                              due=date(2024, 9, 1))
    second = task_ops.add_task(admin, parent, title="征求代表意见", lead_ids=[world.A.id], supporting_ids=[world.B.id],
                               due=None)
    db.session.commit()
    assert (first.seq, second.seq, first.parent_id) == (1, 2, parent.id)
    assert task_ops.rollups([parent.id])[parent.id] == task_ops.Rollup(0, 2)

    login(client, "staffB")  # B carries task 1 but not the parent
    html = client.get("/items").get_data(as_text=True)
    assert "起草条例草案" in html and f'id="item-{first.id}"' in html and "分解自 1." in html
    assert client.get(f"/items/{parent.id}").status_code == 404
    api = client.get("/api/items?year=2024").get_json()["items"]
    task = next(i for i in api if i["id"] == first.id)
    assert task["parent_id"] == parent.id and task["lead"] == [world.B.name]
    assert all(i["parent_id"] is None for i in api if i["id"] != first.id and i["id"] != second.id)

    # the parent follows its tasks: in progress once one moves, done when all are closed
    assert post_status(client, first.id, "in_progress", 1).status_code == 302
    assert fresh(parent.id).status == "in_progress"
    assert post_status(client, first.id, "done", fresh(first.id).version).status_code == 302
    staff_b = world.users["staffB"]
    change_status(staff_b, fresh(second.id), StatusChange("cancelled", "已合并到任务1"), version=fresh(second.id).version)
    db.session.commit()
    parent = fresh(parent.id)
    assert parent.status == "done" and parent.completed_on == date(2024, 6, 15)
    assert [e.note for e in events(parent.id, "status")][-1] == "随分解任务更新"


def test_a_parent_set_by_hand_stops_following_its_tasks(app, world):
    admin, parent = world.users["admin"], fresh(world.iA.id)
    task = task_ops.add_task(admin, parent, title="任务", lead_ids=[world.A.id], supporting_ids=[], due=None)
    db.session.commit()
    change_status(world.users["staffA"], parent, StatusChange("postponed", "等待", date(2024, 9, 1)),
                  version=parent.version)
    change_status(world.users["staffA"], fresh(task.id), StatusChange("in_progress"), version=fresh(task.id).version)
    db.session.commit()
    parent = fresh(parent.id)
    assert parent.status == "postponed" and parent.status_by_hand


def test_task_rules(app, world):
    admin, parent = world.users["admin"], fresh(world.iA.id)
    task = task_ops.add_task(admin, parent, title="任务", lead_ids=[world.A.id], supporting_ids=[], due=None)
    with pytest.raises(Invalid):
        task_ops.add_task(admin, task, title="再分解", lead_ids=[world.A.id], supporting_ids=[], due=None)
    with pytest.raises(Invalid):
        task_ops.add_task(admin, parent, title="", lead_ids=[], supporting_ids=[], due=None)
    with pytest.raises(Forbidden):
        task_ops.add_task(world.users["staffA"], parent, title="x", lead_ids=[world.A.id], supporting_ids=[], due=None)
    with pytest.raises(NotVisible):
        task_ops.add_task(world.users["staffB"], fresh(world.iA.id), title="x", lead_ids=[world.B.id],
                          supporting_ids=[], due=None)


def test_staff_cannot_decompose_over_http(client, world):
    login(client, "staffA")
    response = client.post(f"/items/{world.iA.id}/tasks", data={"csrf_token": csrf_token(client), "title": "x",
                                                                 "lead": world.A.id})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.parent_id.is_not(None))) == 0


# --- the year's end ----------------------------------------------------------------------------

def test_closing_the_year_carries_or_closes_every_open_item(app, client, world):
    admin = world.users["admin"]
    done = fresh(world.iAB.id)
    change_status(world.users["staffA"], done, StatusChange("done", "完成"), version=done.version)
    db.session.commit()
    assert {i.id for i in year_end.open_items(2024)} == {world.iA.id, world.iB.id}
    with pytest.raises(Invalid) as refused:
        year_end.close_year(admin, 2024, {world.iA.id: year_end.Decision("carry")})
    assert set(refused.value.errors) == {world.iB.id}
    db.session.rollback()

    login(client, "admin")
    response = client.post("/plans/2024/close", data={
        "csrf_token": csrf_token(client), f"action-{world.iA.id}": "carry",
        f"action-{world.iB.id}": "close", f"reason-{world.iB.id}": "主任会议决定不再安排"})
    assert response.status_code == 302
    original, closed = fresh(world.iA.id), fresh(world.iB.id)
    assert original.status == "carried" and closed.status == "cancelled" and "不再安排" in closed.status_note
    carried = db.session.scalar(select(WorkItem).where(WorkItem.carried_from_id == original.id))
    assert carried.plan.year == 2025 and carried.plan.key == original.plan.key and carried.bodies == original.bodies
    assert carried.status == "not_started"
    assert db.session.scalar(select(Plan.closed_at).where(Plan.year == 2024)) is not None
    assert year_end.open_items(2024) == []

    leader = app.test_client()
    login(leader, "leader")
    out = leader.get("/plans/2024/carried").get_data(as_text=True)
    came_in = leader.get("/plans/2025/carried").get_data(as_text=True)
    assert original.title in out and "结转到下一年度（1 项）" in out
    assert carried.title in came_in and "由上一年度结转而来（1 项）" in came_in


def test_closing_the_year_with_a_missing_choice_writes_nothing(client, world):
    login(client, "admin")
    response = client.post("/plans/2024/close", data={"csrf_token": csrf_token(client),
                                                       f"action-{world.iA.id}": "close"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "关闭须写明原因" in html and "请选择结转或关闭" in html
    assert {fresh(i).status for i in (world.iA.id, world.iB.id, world.iAB.id)} == {"not_started"}
