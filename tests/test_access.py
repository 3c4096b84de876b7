"""The access matrix (SECURITY-CHECKLIST T01, T02, T13): every route × every principal.

The MATRIX below is also the documentation of who may do what over HTTP (ASVS 8.1.1).
A new route that is missing here, or that declares no access rule, fails this module.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from portal import authz
from portal.extensions import db
from portal.items.stages import ensure_stage_templates
from portal.meetings.operations import sync_agenda
from portal.models import AgendaEntry, Body, FollowUp, Instruction, ItemDocument, Meeting, StageTemplate
from portal.pagecache import cache as page_cache
from tests.conftest import (ON_POSTGRES, PASSWORD, PRINCIPALS, build_world, csrf_token, login, make_app, reset_database,
                            sign_in)
from tests.deputy_world import add_roll

ANON = "anonymous"
ALL = (ANON,) + PRINCIPALS
READERS = ("staffA", "staffAB", "staffB", "leader", "depaff", "admin")


def expect(default: int, **per_role: int) -> dict[str, int]:
    table = {role: default for role in ALL}
    table.update(per_role)
    return table


LOGIN = 302  # anonymous page requests are sent to /login
PUBLIC_ENDPOINTS = {"core.healthz", "accounts.login", "core.set_language"}

# endpoint -> (method, url template, expected status by principal). {iA} {iB} {iAB} are item ids.
MATRIX: dict[str, list[tuple[str, str, dict[str, int]]]] = {
    "core.healthz": [("GET", "/healthz", expect(200))],
    "core.home": [("GET", "/", expect(302))],
    "core.set_language": [("POST", "/language", expect(302))],
    "accounts.login": [("GET", "/login", expect(302, anonymous=200))],
    "accounts.logout": [("POST", "/logout", expect(302))],
    "items.workspace": [("GET", "/items", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "items.counters": [("GET", "/items/counters", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "items.detail": [
        ("GET", "/items/{iA}", expect(200, anonymous=LOGIN, staffB=404, deputy1=403, deputy2=403)),
        ("GET", "/items/{iB}", expect(200, anonymous=LOGIN, staffA=404, deputy1=403, deputy2=403)),
        ("GET", "/items/{iAB}", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/items/999999", expect(404, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    # Without HX-Request a region redirects to the page (302); the HTMX test below checks the 200s.
    "items.region": [
        ("GET", "/items/{iA}/regions/history", expect(302, anonymous=LOGIN, staffB=404, deputy1=403, deputy2=403)),
        ("GET", "/items/{iB}/regions/status_panel", expect(302, anonymous=LOGIN, staffA=404, deputy1=403, deputy2=403)),
        ("GET", "/items/{iA}/regions/bogus", expect(404, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "items.print_list": [("GET", "/items/print?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "items.update_status": [
        ("POST", "/items/{iA}/status",
         expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
        ("POST", "/items/{iB}/status",
         expect(403, anonymous=LOGIN, staffB=302, staffAB=302, admin=302, staffA=404)),
    ],
    "items.bulk_status": [
        ("POST", "/items/bulk-status", expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
    ],
    "items.api_items": [("GET", "/api/items?year=2024", expect(200, anonymous=401, deputy1=403, deputy2=403))],
    "plans.index": [("GET", "/plans/", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "plans.upload": [("GET", "/plans/import", expect(403, anonymous=LOGIN, admin=200))],
    "plans.new_item": [
        ("GET", "/plans/items/new", expect(403, anonymous=LOGIN, admin=200)),
        ("POST", "/plans/items/new", expect(403, anonymous=LOGIN, admin=302)),
    ],
    "plans.confirm": [("POST", "/plans/import/confirm", expect(403, anonymous=LOGIN, admin=302))],
    # Stages, notes and documents: the item's staff and the admin ("item.work"); readers download.
    # {dA} is a document of iA, {tpl} a stage template (see work_fixtures).
    "items.tick_stage": [
        ("POST", "/items/{iA}/stages/1", expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
        ("POST", "/items/{iB}/stages/1", expect(403, anonymous=LOGIN, staffB=302, staffAB=302, admin=302, staffA=404)),
    ],
    "items.add_note": [
        ("POST", "/items/{iA}/notes", expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
        ("POST", "/items/{iB}/notes", expect(403, anonymous=LOGIN, staffB=302, staffAB=302, admin=302, staffA=404)),
    ],
    "items.upload_document": [
        ("POST", "/items/{iA}/documents", expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
        ("POST", "/items/{iB}/documents", expect(403, anonymous=LOGIN, staffB=302, staffAB=302, admin=302, staffA=404)),
    ],
    "items.download_document": [
        ("GET", "/items/{iA}/documents/{dA}", expect(200, anonymous=LOGIN, staffB=404, deputy1=403, deputy2=403)),
        ("GET", "/items/{iB}/documents/{dA}", expect(404, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "items.remove_document": [
        ("POST", "/items/{iA}/documents/{dA}/remove",
         expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
        ("POST", "/items/{iB}/documents/{dA}/remove",
         expect(403, anonymous=LOGIN, staffA=404, staffB=404, staffAB=404, admin=404)),
    ],
    "items.set_work_kind": [("POST", "/items/{iA}/kind", expect(403, anonymous=LOGIN, admin=302))],
    # 交办, 分解 and the year's end: the office (admin) only.
    "items.assign": [("GET", "/items/{iA}/assign", expect(403, anonymous=LOGIN, admin=200))],
    "items.save_assignment": [("POST", "/items/{iA}/assign", expect(403, anonymous=LOGIN, admin=302))],
    "items.add_task": [("POST", "/items/{iA}/tasks", expect(403, anonymous=LOGIN, admin=302))],
    "items.bulk_assign": [("POST", "/items/bulk-assign", expect(403, anonymous=LOGIN, admin=302))],
    "plans.set_defaults": [("POST", "/plans/{plan}/defaults", expect(403, anonymous=LOGIN, admin=302))],
    "plans.close_year": [("GET", "/plans/2024/close", expect(403, anonymous=LOGIN, admin=200))],
    "plans.confirm_close_year": [("POST", "/plans/2024/close", expect(403, anonymous=LOGIN, admin=400))],
    "plans.carried": [("GET", "/plans/2024/carried", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "admin.stages": [("GET", "/admin/stages", expect(403, anonymous=LOGIN, admin=200))],
    "admin.add_stage": [("POST", "/admin/stages", expect(403, anonymous=LOGIN, admin=302))],
    "admin.edit_stage": [("POST", "/admin/stages/{tpl}", expect(403, anonymous=LOGIN, admin=302))],
    # Accounts and bodies (issue 8): everyone changes their own password; only the admin manages people
    # and bodies. {uid} is staffB, {bid} body B (it has items: deleting it is refused, 400), {bfree} a body
    # with no items and no people. See account_fixtures / account_form below.
    "accounts.password": [
        ("GET", "/account/password", expect(200, anonymous=LOGIN)),
        ("POST", "/account/password", expect(302)),
    ],
    "admin.users": [("GET", "/admin/users?q=staff", expect(403, anonymous=LOGIN, admin=200))],
    "admin.new_user": [
        ("GET", "/admin/users/new", expect(403, anonymous=LOGIN, admin=200)),
        ("POST", "/admin/users/new", expect(403, anonymous=LOGIN, admin=200)),  # 200: shows the one-time password
    ],
    "admin.user": [
        ("GET", "/admin/users/{uid}", expect(403, anonymous=LOGIN, admin=200)),
        ("GET", "/admin/users/999999", expect(403, anonymous=LOGIN, admin=404)),
    ],
    "admin.edit_user": [("POST", "/admin/users/{uid}", expect(403, anonymous=LOGIN, admin=302))],
    "admin.disable_user": [("POST", "/admin/users/{uid}/disable", expect(403, anonymous=LOGIN, admin=302))],
    "admin.enable_user": [("POST", "/admin/users/{uid}/enable", expect(403, anonymous=LOGIN, admin=302))],
    "admin.end_sessions": [("POST", "/admin/users/{uid}/end-sessions", expect(403, anonymous=LOGIN, admin=302))],
    "admin.reset_password": [("POST", "/admin/users/{uid}/reset-password", expect(403, anonymous=LOGIN, admin=200))],
    "admin.bodies": [("GET", "/admin/bodies", expect(403, anonymous=LOGIN, admin=200))],
    "admin.audit": [("GET", "/admin/audit?type=work_item&op=update", expect(403, anonymous=LOGIN, admin=200))],
    "admin.audit_export": [("GET", "/admin/audit/export?format=csv", expect(403, anonymous=LOGIN, admin=200))],
    "admin.new_body": [
        ("GET", "/admin/bodies/new", expect(403, anonymous=LOGIN, admin=200)),
        ("POST", "/admin/bodies/new", expect(403, anonymous=LOGIN, admin=302)),
    ],
    "admin.body": [
        ("GET", "/admin/bodies/{bid}", expect(403, anonymous=LOGIN, admin=200)),
        ("POST", "/admin/bodies/{bid}", expect(403, anonymous=LOGIN, admin=302)),
        ("GET", "/admin/bodies/999999", expect(403, anonymous=LOGIN, admin=404)),
    ],
    "admin.delete_body": [
        ("POST", "/admin/bodies/{bid}/delete", expect(403, anonymous=LOGIN, admin=400)),
        ("POST", "/admin/bodies/{bfree}/delete", expect(403, anonymous=LOGIN, admin=302)),
    ],
    # The leaders' dashboard (issue 9): leaders and the office only.
    "dashboard.index": [("GET", "/dashboard", expect(403, anonymous=LOGIN, leader=200, admin=200))],
    "dashboard.api": [("GET", "/api/dashboard?year=2024", expect(403, anonymous=401, leader=200, admin=200))],
    # 批示: a leader writes and closes; the item's bodies' staff (and the office) read and answer;
    # staff of another body get 404, deputy affairs and deputies never. {insA} is an instruction on iA.
    "instructions.write": [("POST", "/items/{iA}/instructions", expect(403, anonymous=LOGIN, leader=302))],
    "instructions.acknowledge": [("POST", "/instructions/{insA}/acknowledge",
                                  expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "instructions.answer": [("POST", "/instructions/{insA}/answer",
                             expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "instructions.close": [("POST", "/instructions/{insA}/close", expect(403, anonymous=LOGIN, leader=302))],
    "instructions.index": [("GET", "/instructions", expect(403, anonymous=LOGIN, leader=200, admin=200))],
    # 提醒: everyone who works items or writes instructions (without HX-Request the count redirects to the page).
    "notices.index": [("GET", "/notices", expect(200, anonymous=LOGIN, depaff=403, deputy1=403, deputy2=403))],
    "notices.count": [("GET", "/notices/count", expect(302, anonymous=LOGIN, depaff=403, deputy1=403, deputy2=403))],
    "notices.mark_read": [("POST", "/notices/read", expect(302, anonymous=LOGIN, depaff=403, deputy1=403, deputy2=403))],
    # 常委会会议 and the agenda (issue 10): everyone who reads items reads them (the agenda is not secret inside the
    # office); only the office changes them. {mt} is April's meeting, {mt8} August's, {eA} iA's agenda entry.
    "meetings.index": [("GET", "/meetings?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "meetings.meeting": [
        ("GET", "/meetings/{mt}", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/meetings/999999", expect(404, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "meetings.add": [("POST", "/meetings/new", expect(403, anonymous=LOGIN, admin=302))],
    "meetings.edit": [("POST", "/meetings/{mt}", expect(403, anonymous=LOGIN, admin=302))],
    "meetings.add_item": [("POST", "/meetings/{mt}/agenda", expect(403, anonymous=LOGIN, admin=302))],
    "meetings.move_item": [("POST", "/meetings/agenda/{eA}/move", expect(403, anonymous=LOGIN, admin=302))],
    "meetings.drop_item": [("POST", "/meetings/agenda/{eA}/drop", expect(403, anonymous=LOGIN, admin=302))],
    "meetings.print_agenda": [("GET", "/meetings/print?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "meetings.export_agenda": [
        ("GET", "/meetings/agenda.xlsx?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/meetings/agenda.csv?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "meetings.api": [("GET", "/api/meetings?year=2024", expect(200, anonymous=401, deputy1=403, deputy2=403))],
    # 列席代表 of a held meeting: deputy affairs and the office record them ({mt}, April's, is held).
    "meetings.attendance": [("POST", "/meetings/{mt}/attendance", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    # The follow-up after a hearing: the item's bodies' staff and the office record its steps (another body: 404);
    # readers see it on the items they see. iA was heard at April's meeting (held).
    "meetings.record_opinions": [("POST", "/items/{iA}/followup/opinions",
                                  expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "meetings.record_report": [("POST", "/items/{iA}/followup/report",
                                expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "meetings.record_vote": [("POST", "/items/{iA}/followup/vote",
                              expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "meetings.add_person": [("POST", "/items/{iA}/followup/persons",
                             expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404))],
    "meetings.followups": [("GET", "/followups?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "meetings.print_followups": [("GET", "/followups/print?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403))],
    "meetings.export_followups": [
        ("GET", "/followups.xlsx?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/followups.csv?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    # Print-ready summaries and spreadsheets (issue 10): of the items the user may see; one body's report for
    # readers of every body and that body's staff (another body: 404); the instructions for leaders and the office.
    "summaries.progress": [
        ("GET", "/summaries/progress?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/summaries/progress.xlsx?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/summaries/progress?year=2024&as_of=yesterday", expect(400, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "summaries.body": [
        ("GET", "/summaries/bodies/{A}?year=2024", expect(200, anonymous=LOGIN, staffB=404, deputy1=403, deputy2=403)),
        ("GET", "/summaries/bodies/{B}.xlsx?year=2024",
         expect(200, anonymous=LOGIN, staffA=404, deputy1=403, deputy2=403)),
        ("GET", "/summaries/bodies/999999?year=2024", expect(404, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "summaries.overdue": [
        ("GET", "/summaries/overdue?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/summaries/overdue.xlsx?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    "summaries.instructions": [
        ("GET", "/summaries/instructions", expect(403, anonymous=LOGIN, leader=200, admin=200)),
        ("GET", "/summaries/instructions.xlsx?state=unread", expect(403, anonymous=LOGIN, leader=200, admin=200)),
    ],
    "summaries.export_items": [
        ("GET", "/exports/items.xlsx?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
        ("GET", "/exports/items.csv?year=2024", expect(200, anonymous=LOGIN, deputy1=403, deputy2=403)),
    ],
    # Deputies (portal.deputies). {dep1} {dep2}: deputy1's and deputy2's places on the roll; {rec1} a submitted
    # record of deputy1, {rec2} of deputy2; {grp} {stn} their group and station (tests/deputy_world.py).
    "core.deputy_home": [("GET", "/deputy", expect(302, anonymous=LOGIN))],
    "deputies.roll": [("GET", "/deputies", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200))],
    "deputies.deputy_page": [
        ("GET", "/deputies/{dep1}", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200)),
        ("GET", "/deputies/999999", expect(403, anonymous=LOGIN, leader=404, depaff=404, admin=404)),
    ],
    "deputies.import_page": [
        ("GET", "/deputies/import", expect(403, anonymous=LOGIN, depaff=200, admin=200)),
        ("POST", "/deputies/import", expect(403, anonymous=LOGIN, depaff=400, admin=400)),  # no file sent
    ],
    "deputies.roll_template": [("GET", "/deputies/template.xlsx", expect(403, anonymous=LOGIN, depaff=200, admin=200))],
    "deputies.roll_export": [
        ("GET", "/deputies/export.xlsx", expect(403, anonymous=LOGIN, depaff=200, admin=200)),
        ("GET", "/deputies/export.csv", expect(403, anonymous=LOGIN, depaff=200, admin=200)),
        ("GET", "/deputies/export.pdf", expect(403, anonymous=LOGIN, depaff=404, admin=404)),
    ],
    "deputies.groups": [("GET", "/deputies/groups", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200))],
    "deputies.new_group": [("POST", "/deputies/groups/new", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    "deputies.edit_group": [("POST", "/deputies/groups/{grp}", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    "deputies.stations": [("GET", "/deputies/stations", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200))],
    "deputies.new_station": [("POST", "/deputies/stations/new", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    "deputies.edit_station": [("POST", "/deputies/stations/{stn}", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    "deputies.pick": [("GET", "/deputies/pick?q=张", expect(200, anonymous=LOGIN, leader=403, deputy1=403, deputy2=403))],
    "deputies.my_records": [("GET", "/duty-records/mine", expect(403, anonymous=LOGIN, deputy1=200, deputy2=200))],
    # (a deputy account not on the roll gets a page saying so: tests/test_accounts.py)
    "deputies.new_record": [("GET", "/duty-records/new", expect(403, anonymous=LOGIN, deputy1=200, deputy2=200))],
    "deputies.create_record": [("POST", "/duty-records", expect(403, anonymous=LOGIN, deputy1=302, deputy2=302))],
    "deputies.edit_record": [
        ("GET", "/duty-records/{rec1}/edit", expect(403, anonymous=LOGIN, deputy1=200, deputy2=404)),
    ],
    "deputies.update_record": [
        ("POST", "/duty-records/{rec1}", expect(403, anonymous=LOGIN, deputy1=302, deputy2=404)),
    ],
    "deputies.item_search": [("GET", "/duty-records/items?item_q=事项", expect(403, anonymous=LOGIN, deputy1=200, deputy2=200))],
    "deputies.attachment": [
        ("GET", "/duty-records/{rec1}/attachment", expect(403, anonymous=LOGIN, deputy1=404, deputy2=404, depaff=404, admin=404)),
    ],
    "deputies.api_records": [
        ("GET", "/api/duty-records?year=2024", expect(403, anonymous=401, deputy1=200, deputy2=200, depaff=200, leader=200, admin=200)),
    ],
    "deputies.review_queue": [("GET", "/duty-records/review", expect(403, anonymous=LOGIN, depaff=200, admin=200))],
    "deputies.confirm_record": [
        ("POST", "/duty-records/{rec1}/confirm", expect(403, anonymous=LOGIN, depaff=302, admin=302)),
        ("POST", "/duty-records/999999/confirm", expect(403, anonymous=LOGIN, depaff=404, admin=404)),
    ],
    "deputies.return_record": [
        ("POST", "/duty-records/{rec2}/return", expect(403, anonymous=LOGIN, depaff=302, admin=302)),
    ],
    "deputies.bulk_review": [("POST", "/duty-records/review/bulk", expect(403, anonymous=LOGIN, depaff=302, admin=302))],
    "deputies.targets": [("GET", "/duty-records/targets", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200))],
    "deputies.shortfall": [
        ("GET", "/duty-records/targets/short?target=group_activity&by=group&key=all",
         expect(403, anonymous=LOGIN, depaff=200, admin=200)),
    ],
    "deputies.targets_xlsx": [("GET", "/duty-records/targets.xlsx", expect(403, anonymous=LOGIN, leader=200, depaff=200, admin=200))],
    "deputies.my_archive": [("GET", "/duty-records/archive", expect(403, anonymous=LOGIN, deputy1=200, deputy2=200))],
    "deputies.deputy_archive": [("GET", "/deputies/{dep1}/archive", expect(403, anonymous=LOGIN, depaff=200, admin=200))],
    "deputies.group_archive": [("GET", "/deputies/groups/{grp}/archive", expect(403, anonymous=LOGIN, depaff=200, admin=200))],
    "deputies.station_archive": [("GET", "/deputies/stations/{stn}/archive", expect(403, anonymous=LOGIN, depaff=200, admin=200))],
    "deputies.participants": [
        ("GET", "/items/{iA}/participants", expect(403, anonymous=LOGIN, staffA=200, staffAB=200, admin=200, staffB=404)),
        ("POST", "/items/{iA}/participants", expect(403, anonymous=LOGIN, staffA=302, staffAB=302, admin=302, staffB=404)),
    ],
}

CASES = [
    pytest.param(endpoint, method, url, role, status, id=f"{role}-{method}-{url}")
    for endpoint, rows in MATRIX.items()
    for method, url, table in rows
    for role, status in table.items()
]


def test_every_route_declares_access(app):
    """T01: each endpoint has an access rule in code and a row in the matrix."""
    undeclared, unmatrixed, public = [], [], set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) is None:
            undeclared.append(rule.endpoint)
        if rule.endpoint not in MATRIX:
            unmatrixed.append(rule.endpoint)
        if getattr(view, "access", None) == authz.PUBLIC:
            public.add(rule.endpoint)
    assert undeclared == []
    assert unmatrixed == []
    assert public == PUBLIC_ENDPOINTS


@pytest.mark.fresh_app
def test_undeclared_route_fails_closed(app, world, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    login(client, "admin")
    assert client.get("/forgotten").status_code == 403


def status_form(world, url: str) -> dict:
    item = world.iA if "{iA}" in url else world.iB
    return {"status": "in_progress", "version": item.version, "note": ""}


def work_fixtures(world, url: str) -> dict:
    """Stage templates for iA and iB, and a document of iA, for the rows that need them."""
    extra = {}
    if "stages" in url:
        ensure_stage_templates()
        world.iA.work_kind = world.iB.work_kind = "law_inspection"
        extra["tpl"] = db.session.scalars(select(StageTemplate.id).order_by(StageTemplate.id)).first()
    if "{dA}" in url:
        document = ItemDocument(item_id=world.iA.id, category="plan", filename="方案.pdf", content_type="application/pdf",
                                size=9, sha256="0" * 64, data=b"%PDF-1.4\n")
        db.session.add(document)
        db.session.flush()
        extra["dA"] = document.id
    extra |= account_fixtures(world, url)
    if any(part in url for part in ("/deputies", "/duty-records", "/deputy", "/participants", "/attendance")):
        extra |= add_roll(world)
    if "{insA}" in url:
        instruction = Instruction(item_id=world.iA.id, author_id=world.users["leader"].id, text="请抓紧办理")
        db.session.add(instruction)
        db.session.flush()
        extra["insA"] = instruction.id
    extra |= meeting_fixtures(world, url)
    db.session.commit()
    return extra


def meeting_fixtures(world, url: str) -> dict:
    """The meetings of the world's plan (iA heard in April, held), and the follow-up a step needs before it."""
    if not any(k in url for k in ("{mt}", "{eA}", "/followup/")):
        return {}
    sync_agenda(2024)
    april = db.session.scalar(select(Meeting).where(Meeting.month == 4))
    august = db.session.scalar(select(Meeting).where(Meeting.month == 8))
    april.state, april.held_on = "held", date(2024, 4, 20)
    world.iA.work_kind = "appraisal" if url.endswith("/persons") else "work_report"
    if url.endswith(("/report", "/vote")):
        db.session.add(FollowUp(item_id=world.iA.id, meeting_id=april.id, round=1, opinions_sent_on=date(2024, 5, 1),
                                report_due=date(2024, 7, 1),
                                report_received_on=date(2024, 6, 1) if url.endswith("/vote") else None))
    db.session.flush()
    entry = db.session.scalar(select(AgendaEntry).where(AgendaEntry.item_id == world.iA.id))
    return {"mt": april.id, "mt8": august.id, "eA": entry.id}


def meeting_form(world, url: str) -> dict:
    if url.endswith("/attendance"):
        return {"deputies": "D0001"}
    if url == "/meetings/new":
        return {"year": "2024", "month": "5", "state": "planned"}
    if url.startswith("/meetings/") and url.endswith("/agenda"):
        return {"item": world.iAB.id, "reason": "主任会议决定增加"}
    if url.endswith("/move"):
        august = db.session.scalar(select(Meeting.id).where(Meeting.month == 8))
        return {"meeting": august, "reason": "报告尚未成熟"}
    if url.endswith("/drop"):
        return {"reason": "主任会议决定不再审议"}
    if url.startswith("/meetings/"):
        return {"number": "第十次会议", "held_on": "2024-04-20", "place": "会议室", "state": "held"}
    if url.endswith("/followup/opinions"):
        return {"sent_on": "2024-05-02"}
    version = db.session.scalar(select(FollowUp.version).where(FollowUp.item_id == world.iA.id))
    if url.endswith("/followup/report"):
        return {"received_on": "2024-06-02", "version": version}
    if url.endswith("/followup/vote"):
        return {"voted_on": "2024-06-10", "result": "satisfied", "version": version}
    if url.endswith("/followup/persons"):
        return {"name": "张三", "post": "市某局局长", "result": "satisfied"}
    return {}


def account_fixtures(world, url: str) -> dict:
    extra = {}
    if "{uid}" in url:
        extra["uid"] = world.users["staffB"].id
    if "{bid}" in url:
        extra["bid"] = world.B.id
    if "{bfree}" in url:
        free = Body(name="尚无事项的委员会", kind="office", sort_order=90)
        db.session.add(free)
        db.session.flush()
        extra["bfree"] = free.id
    return extra


def account_form(world, url: str) -> dict:
    if url == "/account/password":
        return {"current": PASSWORD, "new": "a brand new long passphrase", "repeat": "a brand new long passphrase"}
    if url == "/admin/users/new":
        return {"username": "newstaff", "display_name": "新同事", "role": "staff", "bodies": world.A.id}
    if url.startswith("/admin/users/") and url.count("/") == 3:
        return {"display_name": "乙工委同事", "role": "staff", "bodies": world.B.id}
    if url == "/admin/bodies/new":
        return {"name": "新设的委员会", "short_name": "新委", "kind": "office", "sort_order": "50", "active": "y"}
    if url == f"/admin/bodies/{world.B.id}":
        return {"name": world.B.name, "short_name": "乙工委", "kind": "working_committee", "sort_order": "2",
                "aliases": "乙委", "active": "y"}
    return {}


def work_form(world, url: str) -> dict:
    item = world.iA if f"/items/{world.iA.id}/" in url else world.iB
    if "/stages/" in url and url.startswith("/items/"):
        return {"done": "on", "date": "2024-05-10", "note": "", "version": item.version}
    if url.endswith("/notes"):
        return {"note": "已召开协调会"}
    if url.endswith("/documents"):
        return {"category": "plan", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 32), "现场.png")}
    if url.endswith("/instructions"):
        return {"text": "请抓紧办理"}
    if url.endswith("/answer"):
        return {"answer": "已召开协调会"}
    if url.endswith("/kind"):
        return {"work_kind": "research", "version": item.version}
    if url == "/admin/stages":
        return {"work_kind": "research", "name": "征求代表意见"}
    if url.startswith("/admin/stages/"):
        return {"action": "save", "name": "制定检查方案"}
    return {}


def deputy_form(world, url: str, extra: dict) -> dict:
    if url == "/duty-records" or (url.startswith("/duty-records/") and url[len("/duty-records/"):].isdigit()):
        return {"date": "2024-05-01", "kind": "group_activity", "place": "联络站", "content": "参加小组活动"}
    if url.endswith("/return"):
        return {"reason": "请补充活动内容"}
    if url == "/duty-records/review/bulk":
        return {"action": "confirm", "records": [extra["rec1"], extra["rec2"]]}
    if url.startswith("/deputies/groups/"):
        return {"name": "新的代表小组" if url.endswith("/new") else "华龙区第一代表小组", "kind": "mixed", "leader_number": ""}
    if url.startswith("/deputies/stations/"):
        return {"name": "新的联络站" if url.endswith("/new") else "城关镇代表联络站", "township": "城关镇", "address": ""}
    if url.endswith("/participants"):
        return {"kind": "law_inspection", "date": "2024-05-01", "place": "濮阳县", "content": "执法检查",
                "deputies": [extra["dep1"], extra["dep2"]]}
    return {}


def run_case(client, world, method, url, role, headers=None):
    # Signed in directly (tests/test_accounts.py signs in over HTTP): a password check per case
    # would cost more than the case.
    token = sign_in(client, world.users[role]) if role != ANON else None
    extra = work_fixtures(world, url)
    url = url.format(iA=world.iA.id, iB=world.iB.id, iAB=world.iAB.id, plan=world.iA.plan_id, A=world.A.id, B=world.B.id,
                     **extra)
    if method == "GET":
        return client.get(url, headers=headers or {})
    data = {"csrf_token": token or csrf_token(client)}
    if url.endswith("/status"):
        data |= status_form(world, url)
    if url in ("/items/bulk-status", "/items/bulk-assign"):
        data |= {"status": "in_progress", "items": f"{world.iA.id}:{world.iA.version}", "lead": world.A.id}
    if url.endswith("/assign"):
        data |= {"title": world.iA.title, "lead": world.A.id, "version": world.iA.version}
    if url.endswith("/tasks"):
        data |= {"title": "分解出的任务", "lead": world.B.id}
    if url == "/plans/items/new":
        data |= {"section": world.iA.section_id, "title": "主任会议增加的事项", "bodies": world.A.id}
    if url == "/plans/import/confirm":
        data |= {"text": "x", "digest": "bad", "year": "2024"}
    data |= work_form(world, url)
    data |= deputy_form(world, url, extra)
    data |= account_form(world, url)
    data |= meeting_form(world, url)
    return client.post(url, data=data, headers=headers or {})


# The matrix's few thousand cases share one app (building one compiles every URL rule: most of a case's
# time), each with a database emptied and a world built afresh, and nothing kept from the case before.
@pytest.fixture(scope="module")
def matrix_app():
    app = make_app()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def matrix_world(matrix_app):
    with matrix_app.app_context():
        reset_database()
        page_cache.clear()
        yield build_world()
        db.session.remove()
        if not ON_POSTGRES:
            db.drop_all()


@pytest.fixture
def matrix_client(matrix_app, matrix_world):
    return matrix_app.test_client()


@pytest.mark.parametrize("endpoint, method, url, role, expected", CASES)
def test_route_role_matrix(matrix_client, matrix_world, endpoint, method, url, role, expected):
    """T02: the answer of every route to every principal."""
    client, world = matrix_client, matrix_world
    response = run_case(client, world, method, url, role)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected == LOGIN and role == ANON and endpoint not in PUBLIC_ENDPOINTS:
        assert "/login" in response.headers["Location"]


def htmx_expected(endpoint: str, expected: int) -> int:
    return 200 if endpoint in ("items.region", "notices.count") and expected == 302 else expected


@pytest.mark.parametrize("endpoint, method, url, role, expected",
                         [c for c in CASES if c.values[3] != ANON
                          and htmx_expected(c.values[0], c.values[4]) in (200, 403, 404)])
def test_matrix_holds_for_htmx(matrix_client, matrix_world, endpoint, method, url, role, expected):
    """T13: the same answers with HX-Request (a region then answers its block), and fragments vary on HX-Request."""
    response = run_case(matrix_client, matrix_world, method, url, role, headers={"HX-Request": "true"})
    expected = htmx_expected(endpoint, expected)
    assert response.status_code == expected
    if expected == 200 and response.mimetype == "text/html":
        assert "HX-Request" in response.headers.get("Vary", "")


def test_anonymous_htmx_gets_401_with_redirect(client, world):
    response = client.get("/items", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"
    assert "<html" not in response.get_data(as_text=True)


def test_permissions_table_names_known_roles():
    for action, roles in authz.PERMISSIONS.items():
        assert roles <= set(authz.ROLES), action
