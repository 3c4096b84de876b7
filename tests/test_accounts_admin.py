"""People and bodies (issue 8): the admin's account and body screens, several roles per person, the
command line. Every change is checked for its audit entry, which the unit of work writes (never the test)."""
from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import func, select

from portal import authz
from portal.accounts import operations
from portal.admin import body_operations
from portal.admin.body_operations import BodyFields
from portal.errors import Invalid
from portal.extensions import db
from portal.models import AuditEntry, Body, BodyAlias, User
from portal.plans.bodies import BODY_CATALOG
from portal.plans.operations import ensure_catalog_bodies
from tests.conftest import PASSWORD, csrf_token, login, make_user

NEW = "晚上七点 在濮阳 喝一杯茶"


def fresh_user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def audits(user: User) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "user",
                                                            AuditEntry.object_id == str(user.id)).order_by(AuditEntry.id)))


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def shown_password(html: str) -> str:
    return re.search(r'<code class="password" id="one-time-password">([^<]+)</code>', html).group(1)


def signed_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and "/login" not in response.headers["Location"]


# --- creating an account -----------------------------------------------------------------------

def test_admin_creates_an_account_with_a_one_time_password(client, world, app, caplog):
    login(client, "admin")
    with caplog.at_level(logging.INFO):
        response = post(client, "/admin/users/new", username="wang.fgw", display_name="王某", role="staff",
                        extra_roles="deputy_affairs", bodies=[world.A.id, world.B.id])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "只显示这一次" in html
    password = shown_password(html)
    user = fresh_user("wang.fgw")
    assert (user.role, user.extra_roles, user.display_name) == ("staff", "deputy_affairs", "王某")
    assert user.body_ids == {world.A.id, world.B.id} and user.must_change_password
    entry = audits(user)[-1]
    assert (entry.operation, entry.username, entry.after["password_hash"]) == ("insert", "admin", "***")
    assert entry.after["bodies"] == sorted([world.A.id, world.B.id])
    assert password not in caplog.text and all(password not in json.dumps(e.after) for e in audits(user))
    # the account's page does not show the password again
    assert password not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    # first sign-in: forced to change
    newcomer = app.test_client()
    assert login(newcomer, "wang.fgw", password).status_code == 302
    assert newcomer.get("/items").headers["Location"] == "/account/password"


@pytest.mark.parametrize("data, field, message", [
    ({"username": "staffA"}, "username", "已被使用"),
    ({"username": "STAFFA"}, "username", "已被使用"),
    ({"username": "has space"}, "username", "用户名为"),
    ({"username": ""}, "username", "用户名为"),
    ({"role": ""}, "role", "请选择主要角色"),
    ({"bodies": []}, "bodies", "至少要属于一个单位"),
    ({"role": "deputy", "bodies": [], "led_bodies": "A"}, "led_bodies", "只有常委会领导"),
])
def test_create_refusals_keep_what_was_typed(client, world, data, field, message):
    login(client, "admin")
    form = {"username": "li.new", "display_name": "李某某", "role": "staff", "bodies": [world.A.id]}
    form |= {k: ([world.A.id] if v == "A" else v) for k, v in data.items()}
    count = db.session.scalar(select(func.count()).select_from(User))
    response = post(client, "/admin/users/new", **form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert f'id="user-{field.replace("_", "-") if field == "display_name" else field}-error"' in html
    assert 'value="李某某"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(User)) == count


# --- editing: roles and bodies, effective on the next request (T09) ---------------------------

def test_edit_bodies_and_roles_take_effect_on_the_next_request(client, world, app):
    staff = app.test_client()
    login(staff, "staffA")
    assert staff.get(f"/items/{world.iA.id}").status_code == 200
    assert staff.get(f"/items/{world.iB.id}").status_code == 404
    login(client, "admin")
    user = world.users["staffA"]
    response = post(client, f"/admin/users/{user.id}", display_name="调岗的同事", role="staff", bodies=[world.B.id])
    assert response.status_code == 302
    assert staff.get(f"/items/{world.iA.id}").status_code == 404  # the same session, the next request
    assert staff.get(f"/items/{world.iB.id}").status_code == 200
    entry = audits(user)[-1]
    assert (entry.operation, entry.before["bodies"], entry.after["bodies"]) == ("update", [world.A.id], [world.B.id])
    # a role change too: made a leader, the same session reads everything and changes nothing
    post(client, f"/admin/users/{user.id}", role="leader", led_bodies=[world.A.id])
    assert staff.get(f"/items/{world.iA.id}").status_code == 200
    assert staff.post(f"/items/{world.iA.id}/status", data={"status": "in_progress", "version": 1,
                                                             "csrf_token": csrf_token(staff)}).status_code == 403
    user = fresh_user("staffA")
    assert [b.id for b in user.led_bodies] == [world.A.id] and user.role == "leader"
    assert audits(user)[-1].after["led_bodies"] == [world.A.id]


def test_edit_refusal_keeps_what_was_typed(client, world):
    login(client, "admin")
    user = world.users["staffA"]
    response = post(client, f"/admin/users/{user.id}", display_name="新名字", role="staff")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "至少要属于一个单位" in html and 'value="新名字"' in html
    assert fresh_user("staffA").display_name == "staffA"


def test_admin_cannot_demote_or_disable_themselves(client, world):
    login(client, "admin")
    admin = world.users["admin"]
    response = post(client, f"/admin/users/{admin.id}", role="leader")
    assert response.status_code == 400 and "不能取消自己的系统管理员角色" in response.get_data(as_text=True)
    response = post(client, f"/admin/users/{admin.id}/disable")
    assert response.status_code == 400 and "不能停用自己的账号" in response.get_data(as_text=True)
    assert fresh_user("admin").active and fresh_user("admin").role == "admin"
    # keeping admin as a further role is not a demotion
    assert post(client, f"/admin/users/{admin.id}", role="leader", extra_roles="admin").status_code == 302
    assert authz.roles_of(fresh_user("admin")) == {"leader", "admin"}
    assert client.get("/admin/users").status_code == 200


# --- disabling, re-enabling, resets, ending sessions (T09, ASVS 7.4.2, 7.4.5) -----------------

def test_disable_kills_the_cookie_and_reenabling_does_not_revive_it(client, world, app):
    victim = app.test_client()
    login(victim, "staffA")
    saved = victim.get_cookie("session").value
    login(client, "admin")
    user = world.users["staffA"]
    assert post(client, f"/admin/users/{user.id}/disable").status_code == 302
    assert not signed_in(victim)
    assert login(app.test_client(), "staffA").status_code == 401
    assert audits(user)[-1].after == {"active": False}
    assert post(client, f"/admin/users/{user.id}/enable").status_code == 302
    assert audits(user)[-1].after == {"active": True}
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert not signed_in(replay)
    assert login(app.test_client(), "staffA").status_code == 302  # the password still works


def test_reset_shows_a_new_one_time_password_and_ends_sessions(client, world, app):
    victim = app.test_client()
    login(victim, "staffA")
    login(client, "admin")
    user = world.users["staffA"]
    response = post(client, f"/admin/users/{user.id}/reset-password")
    assert response.status_code == 200
    password = shown_password(response.get_data(as_text=True))
    assert not signed_in(victim)
    assert login(app.test_client(), "staffA", PASSWORD).status_code == 401
    entry = audits(user)[-1]
    assert entry.after["password_hash"] == "***" and entry.after["must_change_password"] is True
    newcomer = app.test_client()
    assert login(newcomer, "staffA", password).status_code == 302
    assert newcomer.get("/items").headers["Location"] == "/account/password"


def test_end_all_sessions(client, world, app):
    one, two = app.test_client(), app.test_client()
    login(one, "staffA")
    login(two, "staffA")
    login(client, "admin")
    user = world.users["staffA"]
    assert post(client, f"/admin/users/{user.id}/end-sessions").status_code == 302
    assert not signed_in(one) and not signed_in(two)
    entry = audits(user)[-1]
    assert entry.after == {"sessions_ended": True} and "session_token" not in entry.after
    assert login(one, "staffA").status_code == 302


def test_admin_cannot_reset_or_end_own_sessions_here(client, world):
    login(client, "admin")
    admin = world.users["admin"]
    assert post(client, f"/admin/users/{admin.id}/reset-password").status_code == 400
    assert post(client, f"/admin/users/{admin.id}/end-sessions").status_code == 400
    assert signed_in(client)


@pytest.mark.parametrize("role", ["staffA", "leader", "depaff", "deputy1"])
def test_others_cannot_reach_the_admin_screens(client, world, role):
    login(client, role)
    target = world.users["staffB"]
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}", "/admin/bodies", "/admin/bodies/new"):
        assert client.get(url).status_code == 403, url
    assert post(client, f"/admin/users/{target.id}/disable").status_code == 403
    assert post(client, f"/admin/users/{target.id}", role="admin", bodies=[]).status_code == 403
    assert fresh_user("staffB").active and fresh_user("staffB").role == "staff"
    assert 'href="/admin/users"' not in client.get("/account/password").get_data(as_text=True)


def test_user_list_search(client, world):
    login(client, "admin")
    html = client.get("/admin/users?q=staffa").get_data(as_text=True)
    assert ">staffA<" in html and ">staffB<" not in html
    html = client.get("/admin/users?q=乙工委").get_data(as_text=True)  # by body
    assert ">staffB<" in html and ">staffAB<" in html and ">staffA<" not in html
    assert ">admin<" in client.get("/admin/users").get_data(as_text=True)


# --- several roles per person ------------------------------------------------------------------

@pytest.fixture
def xgw(world):
    """A deputy-affairs officer who is also staff of body B (standing in for 选工委)."""
    user = make_user("xgw_daibiao", "deputy_affairs", [world.B])
    user.extra_roles = "staff"
    db.session.commit()
    return user


def status(client, item, value="in_progress"):
    return client.post(f"/items/{item.id}/status", data={"status": value, "version": item.version, "note": "",
                                                         "csrf_token": csrf_token(client)})


def test_deputy_affairs_and_staff_updates_only_its_bodys_items(client, world, xgw):
    assert authz.roles_of(xgw) == {"deputy_affairs", "staff"}
    assert authz.can(xgw, "item.update_status", world.iB) and authz.can(xgw, "item.update_status", world.iAB)
    assert not authz.can(xgw, "item.update_status", world.iA) and authz.can(xgw, "item.view", world.iA)
    assert not authz.can(xgw, "item.work", world.iA) and authz.can(xgw, "item.work", world.iB)
    login(client, "xgw_daibiao")
    assert client.get(f"/items/{world.iA.id}").status_code == 200  # deputy affairs still reads every item
    assert status(client, world.iA).status_code == 403
    assert status(client, world.iB).status_code == 302
    assert status(client, world.iAB).status_code == 302
    db.session.expire_all()
    assert (world.iA.status, world.iB.status, world.iAB.status) == ("not_started", "in_progress", "in_progress")
    assert client.post(f"/items/{world.iA.id}/notes", data={"note": "x", "csrf_token": csrf_token(client)}).status_code == 403


def test_the_admin_screen_sets_further_roles(client, world, app):
    login(client, "admin")
    depaff = world.users["depaff"]
    assert post(client, f"/admin/users/{depaff.id}", role="deputy_affairs", extra_roles="staff",
                bodies=[world.B.id]).status_code == 302
    assert fresh_user("depaff").extra_roles == "staff"
    other = app.test_client()
    login(other, "depaff")
    assert status(other, world.iB).status_code == 302
    assert status(other, world.iA).status_code == 403
    # the header shows the main role
    assert "代表工作人员" in other.get("/items").get_data(as_text=True)


def test_leader_and_admin_uses_the_admin_screens(client, world):
    user = make_user("mishuzhang", "leader")
    user.extra_roles = "admin"
    db.session.commit()
    login(client, "mishuzhang")
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/bodies").status_code == 200
    html = client.get("/items").get_data(as_text=True)
    assert "常委会领导" in html and 'href="/admin/users"' in html
    assert status(client, world.iA).status_code == 302  # the admin role changes any item


def test_depaff_without_the_staff_role_changes_nothing(client, world):
    login(client, "depaff")
    assert status(client, world.iB).status_code == 403


# --- bodies ------------------------------------------------------------------------------------

def body_form(**data):
    form = {"name": "常委会预算联网监督中心", "short_name": "联网中心", "kind": "office", "sort_order": "30",
            "aliases": "联网监督中心\n 预算联网中心 ", "active": "y"}
    form.update(data)
    return form


def test_add_a_body_with_aliases_stored_normalised(client, world):
    login(client, "admin")
    response = post(client, "/admin/bodies/new", **body_form(aliases="联网监督中心\n市人大常委会 预算联网中心\n\n联网监督中心"))
    assert response.status_code == 302
    body = db.session.scalar(select(Body).where(Body.name == "常委会预算联网监督中心"))
    assert sorted(a.alias for a in body.aliases) == ["联网监督中心", "预算联网中心"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "body")).all()[-1]
    assert entry.operation == "insert" and entry.username == "admin"
    assert "常委会预算联网监督中心" in client.get("/admin/bodies").get_data(as_text=True)


def test_an_alias_belongs_to_one_body(client, world):
    login(client, "admin")
    assert post(client, "/admin/bodies/new", **body_form()).status_code == 302
    response = post(client, f"/admin/bodies/{world.A.id}", **body_form(name=world.A.name, short_name="甲委",
                                                                        kind="special_committee", aliases="甲\n联网监督中心"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "一种写法只能属于一个单位" in html and "常委会预算联网监督中心" in html
    assert "甲\n联网监督中心" in html  # kept as typed
    assert db.session.scalar(select(func.count()).select_from(BodyAlias).where(BodyAlias.body_id == world.A.id)) == 0
    # a body's full or short name is taken as a spelling too
    response = post(client, "/admin/bodies/new", **body_form(name="另一个单位", short_name="", aliases="乙工委"))
    assert response.status_code == 400 and "常委会乙工作委员会" in response.get_data(as_text=True)
    response = post(client, "/admin/bodies/new", **body_form(name=world.B.name))
    assert response.status_code == 400 and "已有名为" in response.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "请填写单位全称"), ({"kind": "club"}, "请选择单位类别"), ({"sort_order": "first"}, "排序须是"),
])
def test_body_refusals(client, world, data, message):
    login(client, "admin")
    response = post(client, "/admin/bodies/new", **body_form(**data))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Body)) == 2


def test_a_body_with_items_or_people_is_retired_not_deleted(client, world):
    login(client, "admin")
    response = post(client, f"/admin/bodies/{world.B.id}/delete")
    assert response.status_code == 400 and "只能停用" in response.get_data(as_text=True)
    assert db.session.get(Body, world.B.id) is not None
    response = post(client, f"/admin/bodies/{world.B.id}", **body_form(name=world.B.name, short_name="乙工委",
                                                                        kind="working_committee", aliases="", active=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Body, world.B.id).active is False
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "body",
                                                        AuditEntry.object_id == str(world.B.id))).all()[-1]
    assert entry.before["active"] is True and entry.after["active"] is False
    # people alone keep a body too
    lonely = Body(name="只有人员的单位", kind="office")
    db.session.add(lonely)
    db.session.flush()
    make_user("lonely_staff", "staff", [lonely])
    db.session.commit()
    assert post(client, f"/admin/bodies/{lonely.id}/delete").status_code == 400


def test_a_body_with_neither_may_be_deleted(client, world):
    login(client, "admin")
    free = Body(name="撤销的单位", kind="office")
    free.aliases.append(BodyAlias(alias="撤销单位"))
    db.session.add(free)
    db.session.commit()
    free_id = free.id
    assert post(client, f"/admin/bodies/{free_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Body.id).where(Body.id == free_id)) is None
    assert db.session.scalar(select(func.count()).select_from(BodyAlias)) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "body")).all()[-1]
    assert entry.operation == "delete"


def test_every_catalogue_body_saves_as_it_is(app, world):
    """The built-in bodies and their aliases pass the admin's own checks (no clash among them)."""
    ensure_catalog_bodies()
    admin = world.users["admin"]
    for spec in BODY_CATALOG:
        body = db.session.scalar(select(Body).where(Body.name == spec.name))
        fields = BodyFields(name=body.name, short_name=body.short_name, kind=body.kind,
                            aliases="\n".join(a.alias for a in body.aliases), sort_order=str(body.sort_order))
        before = sorted(a.alias for a in body.aliases)
        body_operations.save_body(admin, body, fields)
        assert sorted(a.alias for a in body.aliases) == before, spec.name


def test_operations_refuse_a_non_admin(app, world):
    with pytest.raises(Exception) as refused:
        operations.disable_user(world.users["leader"], world.users["staffA"])
    assert type(refused.value).__name__ == "Forbidden"
    with pytest.raises(Invalid):
        operations.create_user(world.users["admin"], "x y", operations.AccountFields(role="staff"))


# --- the command line (CONTRACT.md) ------------------------------------------------------------

@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_cli_create_prints_a_one_time_password_once(runner, app):
    result = runner.invoke(args=["users", "create", "admin", "--role", "admin"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"username", "roles", "bodies", "password"}
    assert (data["username"], data["roles"], data["bodies"]) == ("admin", ["admin"], [])
    user = fresh_user("admin")
    assert user.must_change_password and user.check_password(data["password"])
    entry = audits(user)[-1]
    assert (entry.operation, entry.ip) == ("insert", "cli") and entry.action.endswith("users create")
    client = app.test_client()
    assert login(client, "admin", data["password"]).status_code == 302
    assert client.get("/admin/users").headers["Location"] == "/account/password"


def test_cli_create_with_several_roles_and_bodies(runner):
    result = runner.invoke(args=["users", "create", "daibiao", "--role", "deputy_affairs", "--role", "staff",
                                 "--body", "选工委", "--display-name", "代表工作人员"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["roles"] == ["deputy_affairs", "staff"] and data["bodies"] == ["常委会选举任免代表联络工作委员会"]
    assert "选工委" in result.stdout or "选举" in result.stdout  # ensure_ascii=False: readable Chinese
    user = fresh_user("daibiao")
    assert (user.role, user.extra_roles, user.display_name) == ("deputy_affairs", "staff", "代表工作人员")


@pytest.mark.parametrize("args, message", [
    (["--role", "superuser"], "unknown role"),
    (["--role", "staff", "--body", "不存在的委员会"], "unknown body"),
    (["--role", "staff"], "至少要属于一个单位"),
])
def test_cli_create_refusals_store_nothing(runner, args, message):
    result = runner.invoke(args=["users", "create", "someone", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Body)) == 0


def test_cli_create_refuses_a_taken_name(runner, world):
    result = runner.invoke(args=["users", "create", "staffA", "--role", "admin"])
    assert result.exit_code != 0 and "已被使用" in result.output


def test_cli_list_and_disable(runner, world, app):
    client = app.test_client()
    login(client, "staffA")
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(world.users)
    staff_a = next(r for r in rows if r["username"] == "staffA")
    assert staff_a == {"username": "staffA", "role": "staff", "roles": ["staff"], "bodies": [world.A.name],
                       "active": True, "must_change_password": False}
    assert "hash" not in result.stdout and "scrypt" not in result.stdout and "pbkdf2" not in result.stdout
    result = runner.invoke(args=["users", "disable", "staffA"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) | {} == {"username": "staffA", "role": "staff", "roles": ["staff"],
                                              "bodies": [world.A.name], "active": False}
    assert not signed_in(client)
    assert fresh_user("staffA").active is False
    result = runner.invoke(args=["users", "disable", "nobody"])
    assert result.exit_code != 0 and "no such user" in result.output


def test_demo_accounts_are_not_forced_and_demo_load_prints_no_password(runner):
    result = runner.invoke(args=["demo", "load", "--password", "demo-password-2024"])
    assert result.exit_code == 0, result.output
    assert "demo-password-2024" not in result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(set(r) == {"username", "role", "roles", "bodies"} for r in rows)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.must_change_password)) == 0


# --- English ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/account/password", "/admin/users", "/admin/users/new", "/admin/users/{uid}",
                                 "/admin/bodies", "/admin/bodies/new", "/admin/bodies/{bid}"])
def test_account_pages_in_english(app, client, world, url):
    from tests.test_i18n import CJK_PUNCTUATION, chinese_left, to_english

    world.B.aliases.append(BodyAlias(alias="乙委"))
    db.session.commit()
    to_english(client)
    login(client, "admin")
    html = client.get(url.format(uid=world.users["staffB"].id, bid=world.B.id)).get_data(as_text=True)
    assert 'lang="en"' in html
    html = html.replace("乙委", "")  # an alias is data
    assert chinese_left(app, html) == []
    assert chinese_left(app, html, CJK_PUNCTUATION) == []
