"""The access matrix (SECURITY-CHECKLIST T01, T02, T13): every route × every principal.

The MATRIX below is also the documentation of who may do what over HTTP (ASVS 8.1.1).
A new route that is missing here, or that declares no access rule, fails this module.
"""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal import authz
from portal.extensions import db
from portal.items.stages import ensure_stage_templates
from portal.models import Body, Instruction, ItemDocument, StageTemplate
from tests.conftest import PASSWORD, PRINCIPALS, csrf_token, login, sign_in

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
    "core.deputy_home": [("GET", "/deputy", expect(200, anonymous=LOGIN))],
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
    if "{insA}" in url:
        instruction = Instruction(item_id=world.iA.id, author_id=world.users["leader"].id, text="请抓紧办理")
        db.session.add(instruction)
        db.session.flush()
        extra["insA"] = instruction.id
    db.session.commit()
    return extra


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


def run_case(client, world, method, url, role, headers=None):
    # Signed in directly (tests/test_accounts.py signs in over HTTP): a password check per case
    # would cost more than the case.
    token = sign_in(client, world.users[role]) if role != ANON else None
    url = url.format(iA=world.iA.id, iB=world.iB.id, iAB=world.iAB.id, plan=world.iA.plan_id, **work_fixtures(world, url))
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
    data |= account_form(world, url)
    return client.post(url, data=data, headers=headers or {})


@pytest.mark.parametrize("endpoint, method, url, role, expected", CASES)
def test_route_role_matrix(client, world, endpoint, method, url, role, expected):
    """T02: the answer of every route to every principal."""
    response = run_case(client, world, method, url, role)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected == LOGIN and role == ANON and endpoint not in PUBLIC_ENDPOINTS:
        assert "/login" in response.headers["Location"]


def htmx_expected(endpoint: str, expected: int) -> int:
    return 200 if endpoint in ("items.region", "notices.count") and expected == 302 else expected


@pytest.mark.parametrize("endpoint, method, url, role, expected",
                         [c for c in CASES if c.values[3] != ANON
                          and htmx_expected(c.values[0], c.values[4]) in (200, 403, 404)])
def test_matrix_holds_for_htmx(client, world, endpoint, method, url, role, expected):
    """T13: the same answers with HX-Request (a region then answers its block), and fragments vary on HX-Request."""
    response = run_case(client, world, method, url, role, headers={"HX-Request": "true"})
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
