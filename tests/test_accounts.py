"""Sign-in, sessions and the language switch."""
from __future__ import annotations

import logging

import pytest

from portal.extensions import db
from tests.conftest import PASSWORD, csrf_token, login


@pytest.mark.parametrize("username, home", [
    ("staffA", "/items"), ("leader", "/dashboard"), ("depaff", "/items"), ("admin", "/items"), ("deputy1", "/duty-records/mine"),
])
def test_each_role_lands_on_its_home(client, world, username, home):
    assert login(client, username).headers["Location"] == "/"
    assert client.get("/").headers["Location"] == home
    assert client.get(home).status_code == 200


def test_deputy_sees_no_work_items(client, world):
    login(client, "deputy1")
    html = client.get("/duty-records/mine").get_data(as_text=True)
    assert world.iA.title not in html and "工作事项" not in html
    assert client.get("/api/items?year=2024").status_code == 403


def test_password_stored_with_a_kdf(app, world):
    from portal.models import User

    user = User(username="x", role="staff", password_hash="")
    app.config.pop("PASSWORD_HASH_METHOD")
    user.set_password("a long enough password")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a long enough password")
    assert not user.check_password("a long enough password ")  # exactly as typed, no trimming


def test_wrong_password_and_unknown_user_look_the_same(client, world, caplog):
    """T23 (message and status) and T30 (a login failure is logged without the password)."""
    with caplog.at_level(logging.INFO, logger="portal.security"):
        wrong = login(client, "staffA", "not the password")
        unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace("staffA", "") .count("不正确") == unknown.get_data(as_text=True).count("不正确")
    failures = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert len(failures) == 2
    assert all("not the password" not in r.getMessage() + str(vars(r)) for r in caplog.records)


def test_disabled_user_cannot_sign_in_and_is_signed_out(client, world):
    """T09 (disabling): the next request of a live session is anonymous."""
    assert login(client, "staffA").status_code == 302
    world.users["staffA"].active = False
    db.session.commit()
    assert client.get("/items").status_code == 302
    assert login(client, "staffA").status_code == 401


def test_body_change_applies_next_request(client, world):
    """T09 (bodies): removing staffA from A hides A's items at once."""
    login(client, "staffA")
    assert client.get(f"/items/{world.iA.id}").status_code == 200
    world.users["staffA"].bodies = []
    db.session.commit()
    assert client.get(f"/items/{world.iA.id}").status_code == 404


def test_session_fixation(client, world, app):
    """T18: the session cookie changes at login; a cookie captured before stays anonymous."""
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, "staffA")
    after = client.get_cookie("session").value
    assert before != after
    other = app.test_client()
    other.set_cookie("session", before)
    assert other.get("/items").status_code == 302


def test_logout_kills_replayed_cookie(client, world, app):
    """T19: a saved cookie is useless after logout."""
    login(client, "staffA")
    saved = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/items")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_post(client, world):
    login(client, "staffA")
    assert client.get("/logout").status_code == 405
    assert client.get("/items").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "http:/evil"])
def test_open_redirect(client, world, target):
    """T25"""
    token = csrf_token(client)
    response = client.post(f"/login?next={target}", data={"username": "staffA", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_next_keeps_local_path(client, world):
    response = client.get(f"/items/{world.iA.id}")
    assert "/login?next=" in response.headers["Location"]
    token = csrf_token(client)
    response = client.post(response.headers["Location"], data={"username": "staffA", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == f"/items/{world.iA.id}"


def test_idle_timeout(client, world, app):
    """T21 (idle): 31 minutes without a request ends the session."""
    login(client, "staffA")
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    assert client.get("/items").status_code == 302


def test_absolute_timeout(client, world, app):
    login(client, "staffA")
    with client.session_transaction() as session:
        session["login_at"] -= 12 * 3600 + 60
    assert client.get("/items").status_code == 302


def test_security_headers(client, world):
    """T15"""
    login(client, "staffA")
    response = client.get("/items")
    csp = response.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "charset=utf-8" in response.headers["Content-Type"]


@pytest.mark.fresh_app
def test_errors_are_generic(client, world, app):
    """T31: a crash shows a reference id, never a traceback."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    boom.access = "public"
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "参考编号" in html and "secret detail" not in html


class TestLanguage:
    def test_default_is_simplified_chinese(self, client, world):
        html = client.get("/login").get_data(as_text=True)
        assert 'lang="zh-CN"' in html and "登录" in html

    def test_switch_to_english_is_remembered(self, client, world):
        login(client, "staffA")
        response = client.post("/language", data={"lang": "en", "next": "/items", "csrf_token": csrf_token(client)})
        assert response.headers["Location"] == "/items"
        html = client.get("/items").get_data(as_text=True)
        assert 'lang="en"' in html and "Work items" in html and "工作事项" not in html
        assert world.users["staffA"].locale == "en"

    def test_login_page_language_by_cookie(self, client, world):
        client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
        assert "Sign in" in client.get("/login").get_data(as_text=True)

    def test_unknown_language_falls_back(self, client, world):
        client.set_cookie("lang", "xx")
        assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)


class TestLockout:
    """T22: ten wrong passwords lock the account for 15 minutes; the lock looks like any failure."""

    def test_tenth_failure_locks_even_the_right_password(self, client, world):
        for _ in range(10):
            assert login(client, "staffA", "wrong password").status_code == 401
        response = login(client, "staffA")
        assert response.status_code == 401 and "用户名或密码不正确" in response.get_data(as_text=True)
        assert login(client, "staffB").status_code == 302  # other accounts are unaffected

    def test_lock_ends_by_itself(self, client, world):
        from datetime import timedelta

        for _ in range(10):
            login(client, "staffA", "wrong password")
        user = world.users["staffA"]
        db.session.refresh(user)
        user.locked_until -= timedelta(minutes=16)
        db.session.commit()
        assert login(client, "staffA").status_code == 302

    def test_failures_outside_the_window_do_not_add_up(self, client, world):
        from datetime import timedelta

        for _ in range(9):
            login(client, "staffA", "wrong password")
        user = world.users["staffA"]
        db.session.refresh(user)
        user.failed_since -= timedelta(minutes=16)
        db.session.commit()
        login(client, "staffA", "wrong password")  # starts a new window: 1 failure
        assert login(client, "staffA").status_code == 302

    def test_success_resets_the_count(self, client, world):
        for _ in range(9):
            login(client, "staffA", "wrong password")
        assert login(client, "staffA").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        assert login(client, "staffA", "wrong password").status_code == 401
        assert login(client, "staffA").status_code == 302
