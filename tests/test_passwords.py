"""The password policy and the user's own password change (SECURITY-CHECKLIST T20, T24; issue 8)."""
from __future__ import annotations

import re

import pytest

from portal.accounts import passwords
from portal.accounts.passwords import is_common, one_time_password, password_problem
from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD, csrf_token, login

NEW = "晚上七点 在濮阳 喝一杯茶"


def page_token(client) -> str:
    """The CSRF token from the change page (reachable even while a change is owed)."""
    html = client.get("/account/password").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def change(client, current=PASSWORD, new=NEW, repeat=None, headers=None):
    data = {"current": current, "new": new, "repeat": new if repeat is None else repeat, "csrf_token": page_token(client)}
    return client.post("/account/password", data=data, headers=headers or {})


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- the policy --------------------------------------------------------------------------------

@pytest.mark.parametrize("password, ok", [
    ("abcdefg", False),                     # 7 characters
    ("kite-lamp-9x", True),                 # 12
    ("kite-lamp-9", False),                 # 11
    ("x7" * 32, True),                      # 64
    ("q9z" * 42 + "qw", True),              # 128
    ("长" * 256, True),                      # 256, the most we take
    ("长" * 257, False),
    ("人大 常委会 工作 平台 真好用", True),      # CJK and spaces, no composition rules
    ("            a", True),                # spaces count as characters
])
def test_length_and_any_unicode(password, ok):
    assert (password_problem(password) is None) is ok


@pytest.mark.parametrize("password", [
    "123456", "password", "qwerty123456", "puyang2024", "renda123456", "人大常委会123456", "濮阳市人大常委会2024",
    "PUYANG2024", "Renda123456", "ｐｕｙａｎｇ２０２４", "人大常委会１２３４５６", "1qaz2wsx3edc",
])
def test_common_and_local_passwords_are_refused(password):
    """Case-insensitive after NFKC: capitals and full-width forms of a listed password are listed too."""
    assert is_common(password)
    assert password_problem(password) is not None


def test_a_long_listed_password_gets_the_common_message():
    assert "太常见" in password_problem("qwerty123456")
    assert "太常见" in password_problem("濮阳市人大常委会123456")
    assert "至少需要" in password_problem("puyang2024")  # shorter than 12: the length is the first reason


def test_the_list_is_big_and_shipped_as_a_data_file():
    assert len(passwords.common_passwords()) >= 3000
    assert not is_common("晚上七点 在濮阳 喝一杯茶")


def test_not_the_username_nor_the_current_one():
    assert "用户名" in password_problem("Staff.Member.01", username="staff.member.01")
    assert "当前密码" in password_problem("the same long password", current="the same long password")
    assert password_problem("the same long password ", current="the same long password") is None


def test_one_time_passwords_are_random_and_meet_the_policy():
    made = {one_time_password() for _ in range(50)}
    assert len(made) == 50
    assert all(password_problem(p) is None and len(p) == 19 for p in made)


def test_no_truncation_and_no_trimming(app, world):
    """T24: the hash covers every character as typed: one more, one fewer or a trailing space fails."""
    user = world.users["staffA"]
    long = "一二三四五六七八" * 16  # 128 characters, 384 bytes in UTF-8 (bcrypt would have cut at 72)
    user.set_password(long)
    assert user.check_password(long)
    for other in (long + "九", long[:-1], long + " ", long[:72]):
        assert not user.check_password(other)


def test_stored_with_scrypt_in_production_config(client, world, app):
    app.config.pop("PASSWORD_HASH_METHOD")  # tests use a cheap hash; production takes werkzeug's scrypt
    login(client, "staffA")
    assert change(client).status_code == 302
    assert fresh(world.users["staffA"]).password_hash.startswith("scrypt:")


# --- the change screen -------------------------------------------------------------------------

def test_header_links_to_the_change_page(client, world):
    login(client, "deputy1")
    assert 'href="/account/password"' in client.get("/duty-records/mine").get_data(as_text=True)


def test_change_keeps_this_session_and_ends_another(client, world, app):
    """T20: two sessions of one user; changing in the first signs the second out."""
    other = app.test_client()
    login(client, "staffA")
    login(other, "staffA")
    assert other.get("/items").status_code == 200
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/items").status_code == 200
    gone = other.get("/items")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    user = fresh(world.users["staffA"])
    assert user.check_password(NEW) and user.password_changed_at is not None
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert login(client, "staffA", NEW).status_code == 302
    assert login(app.test_client(), "staffA", PASSWORD).status_code == 401


@pytest.mark.parametrize("fields, field, message", [
    ({"current": "not my password"}, "current", "当前密码不正确"),
    ({"new": "short"}, "new", "至少需要 12 个字符"),
    ({"new": "qwerty123456"}, "new", "太常见"),
    ({"new": "a very long new password", "repeat": "a very long new passw0rd"}, "repeat", "两次输入的新密码不一致"),
    ({"new": PASSWORD}, "new", "不能与当前密码相同"),
])
def test_refusals_show_next_to_the_field_and_change_nothing(client, world, fields, field, message):
    login(client, "staffA")
    before = fresh(world.users["staffA"]).password_hash
    response = change(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert f'id="password-{field}-error"' in html
    assert 'value="' + fields.get("new", NEW) not in html  # passwords are never sent back
    assert fresh(world.users["staffA"]).password_hash == before


def test_the_username_is_refused_as_a_password(client, world):
    user = world.users["staffA"]
    user.username = "long.user.name"
    db.session.commit()
    login(client, "long.user.name")
    response = change(client, new="Long.User.Name")
    assert response.status_code == 400 and "不能与用户名相同" in response.get_data(as_text=True)


def test_change_needs_csrf(client, world):
    login(client, "staffA")
    response = client.post("/account/password", data={"current": PASSWORD, "new": NEW, "repeat": NEW})
    assert response.status_code == 400
    assert fresh(world.users["staffA"]).check_password(PASSWORD)


# --- the forced change -------------------------------------------------------------------------

@pytest.fixture
def forced(world):
    user = world.users["staffA"]
    user.must_change_password = True
    db.session.commit()
    return user


def test_forced_change_after_sign_in_and_on_every_request(client, world, forced):
    assert login(client, "staffA").headers["Location"] == "/"
    for url in ("/", "/items", f"/items/{world.iA.id}", "/plans/"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    page = client.get("/account/password")
    assert page.status_code == 200 and "一次性密码" in page.get_data(as_text=True)
    # a POST elsewhere is not carried out either
    response = client.post(f"/items/{world.iA.id}/status", data={"status": "in_progress", "version": 1,
                                                                   "csrf_token": page_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert world.iA.status == "not_started"


def test_forced_change_for_htmx_and_api(client, world, forced):
    login(client, "staffA")
    response = client.get("/items", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/account/password"
    assert "<html" not in response.get_data(as_text=True)
    assert client.get("/api/items?year=2024").status_code == 403


def test_what_stays_reachable_before_the_change(client, world, forced):
    login(client, "staffA")
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/portal.css").status_code == 200
    assert client.post("/language", data={"lang": "en", "next": "/account/password",
                                          "csrf_token": page_token(client)}).status_code == 302
    response = client.post("/logout", data={"csrf_token": page_token(client)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_change_clears_the_duty(client, world, forced):
    login(client, "staffA")
    assert change(client).status_code == 302
    assert fresh(forced).must_change_password is False
    assert client.get("/items").status_code == 200


def test_guessing_the_current_password_counts_towards_the_lock(client, world):
    """A live session cannot be used to try passwords without limit (the sign-in lock counts these too)."""
    from portal.accounts import lockout

    login(client, "staffA")
    for _ in range(lockout.MAX_FAILURES):
        assert change(client, current="a wrong guess").status_code == 400
    response = change(client)  # the right password now, but the account is locked
    assert response.status_code == 400 and "当前密码不正确" in response.get_data(as_text=True)
    assert fresh(world.users["staffA"]).check_password(PASSWORD)
