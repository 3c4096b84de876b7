"""Sign-in that holds under attack (issue 13): an account's count that cannot be raced, a throttle per
address shared by every worker (database or Redis), the disabled account's cookies, the cookie flags.

The races run on a SQLite file or on PostgreSQL (TEST_DATABASE_URL), never on the shared in-memory
database, so the requests really run at the same time (as tests/test_concurrency.py does).
"""
from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from portal.accounts import lockout, throttle
from portal.accounts import views as account_views
from portal.extensions import db
from portal.models import User
from tests.conftest import ON_POSTGRES, PASSWORD, TEST_DATABASE_URL, csrf_token, login, make_app, reset_database, sign_in

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture
def racing_app(tmp_path):
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'race.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        reset_database()
        yield app
        db.session.remove()
        db.engine.dispose()


def fresh(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


# --- the account's count (lockout) -----------------------------------------------------------------

def test_simultaneous_attempts_cannot_beat_the_lock(racing_app, world_factory, monkeypatch):
    """23 wrong passwords in flight at once, then the right one while they still are: refused, and
    every attempt counted. Reading the count, checking and writing count + 1 let this one in."""
    world_factory()
    db.session.commit()
    wrong = 23
    counted = threading.Semaphore(0)
    checked: list[str] = []  # the hashes checked against: the account's, or the dummy
    real_count, real_check = lockout.count_attempt, account_views.check_password_hash

    def count_attempt(user_id):
        attempt = real_count(user_id)
        counted.release()
        return attempt

    def slow_check(pwhash, password):
        checked.append(pwhash)
        time.sleep(0.05)  # keep the wrong attempts in flight while the right one arrives
        return real_check(pwhash, password)

    monkeypatch.setattr(lockout, "count_attempt", count_attempt)
    monkeypatch.setattr(account_views, "check_password_hash", slow_check)
    clients = []
    for n in range(wrong + 1):
        client = racing_app.test_client()
        clients.append((client, csrf_token(client)))
    answers: dict[int, int] = {}
    barrier = threading.Barrier(wrong)

    def attempt(n, client, token, password):
        if n < wrong:
            barrier.wait()
        else:  # the right password, once all 23 wrong ones are counted and still being checked
            for _ in range(wrong):
                counted.acquire(timeout=30)
        response = client.post("/login", data={"username": "staffA", "password": password, "csrf_token": token})
        answers[n] = response.status_code

    threads = [threading.Thread(target=attempt, args=(n, c, t, "wrong password" if n < wrong else PASSWORD))
               for n, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert answers[wrong] == 401, "the right password got in past the lock"
    assert sorted(answers.values()) == [401] * (wrong + 1)
    user = fresh("staffA")
    assert user.failed_logins == wrong + 1  # every attempt counted, none lost to a race
    assert lockout.is_locked(user)
    # Only the first MAX_FAILURES attempts had their password checked; the rest met the dummy hash.
    assert len([h for h in checked if h != account_views._DUMMY_HASH]) == lockout.MAX_FAILURES
    assert len(checked) == wrong + 1


def test_concurrent_failures_are_each_counted_and_only_ten_are_checked(racing_app, world_factory, monkeypatch):
    world_factory()
    db.session.commit()
    hashes: list[str] = []
    real_check = account_views.check_password_hash

    def check(pwhash, password):
        hashes.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(account_views, "check_password_hash", check)
    clients = [(c, csrf_token(c)) for c in (racing_app.test_client() for _ in range(16))]
    barrier = threading.Barrier(len(clients))

    def attempt(client, token):
        barrier.wait()
        client.post("/login", data={"username": "staffB", "password": "wrong", "csrf_token": token})

    threads = [threading.Thread(target=attempt, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    user = fresh("staffB")
    assert user.failed_logins == 16 and lockout.is_locked(user)
    real = [h for h in hashes if h != account_views._DUMMY_HASH]
    assert len(real) == lockout.MAX_FAILURES  # the eleventh and later never reached the password
    assert len(hashes) == 16  # …but cost the same (the dummy hash): the lock does not show in the timing


def test_a_success_starts_the_count_again(client, world):
    for _ in range(9):
        login(client, "staffA", "wrong")
    assert login(client, "staffA").status_code == 302
    assert (fresh("staffA").failed_logins, fresh("staffA").locked_until) == (0, None)


# --- the throttle per address --------------------------------------------------------------------

@pytest.fixture(params=["database", "redis"])
def store_app(request, app):
    """The same app with the throttle's counts in the database or in Redis (a prefix of its own)."""
    if request.param == "redis":
        if not redis_up():
            pytest.skip("no Redis at 127.0.0.1:6379")
        app.config["REDIS_URL"] = REDIS_URL
    app.config["SIGNIN_THROTTLE_PREFIX"] = f"test:{uuid.uuid4().hex}:"
    app.extensions.pop("signin_throttle_store", None)
    yield app
    store = app.extensions.get("signin_throttle_store")
    if isinstance(store, throttle.RedisStore):
        for key in store.redis.scan_iter(f"{app.config['SIGNIN_THROTTLE_PREFIX']}*"):
            store.redis.delete(key)


def post_login(client, username, password="wrong", address="127.0.0.1", token=None, **kwargs):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token or csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def test_posts_per_address_are_limited_with_429_and_retry_after(store_app, world):
    # An hour's window, so the test does not straddle the end of one (a minute's would, now and then).
    store_app.config.update(SIGNIN_ADDRESS_MAX_POSTS=5, SIGNIN_ADDRESS_WINDOW=3600)
    client = store_app.test_client()
    token = csrf_token(client)
    for _ in range(5):
        assert post_login(client, "staffA", token=token).status_code == 401
    refused = post_login(client, "staffA", PASSWORD, token=token)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    page = refused.get_data(as_text=True)
    assert "尝试过于频繁" in page and 'name="username"' in page
    # An unknown account gets the very same answer: the throttle says nothing about existence.
    unknown = post_login(client, "nobody-here", token=token)
    assert unknown.status_code == 429
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - the typed username differs
    assert strip(unknown.get_data(as_text=True)) == strip(page)
    # Another address is not affected, and the account itself is not locked by the throttled posts.
    assert post_login(client, "staffA", PASSWORD, address="10.1.2.3", token=token).status_code == 302
    assert fresh("staffA").failed_logins == 0


def test_distinct_accounts_per_address_are_limited(store_app, world):
    store_app.config["SIGNIN_ADDRESS_MAX_ACCOUNTS"] = 3
    client = store_app.test_client()
    token = csrf_token(client)
    for name in ("staffA", "staffB", "no-such-user"):
        assert post_login(client, name, token=token).status_code == 401
    assert post_login(client, "leader", PASSWORD, token=token).status_code == 429  # a fourth account
    assert post_login(client, "leader", PASSWORD, token=token).status_code == 429  # …stays refused
    assert post_login(client, "staffA", token=token).status_code == 401  # one already tried is not
    assert fresh("leader").failed_logins == 0
    assert post_login(client, "leader", PASSWORD, address="10.9.9.9", token=token).status_code == 302


def test_the_window_ends(store_app, world):
    store_app.config["SIGNIN_ADDRESS_MAX_POSTS"] = 2
    with store_app.test_request_context("/login", method="POST"):
        t = 1_800_000_000.0  # the start of a window
        assert throttle.check("10.0.0.1", "a", now=t) is None
        assert throttle.check("10.0.0.1", "a", now=t + 1) is None
        assert throttle.check("10.0.0.1", "a", now=t + 2) == 58
        assert throttle.check("10.0.0.1", "a", now=t + 60) is None


def test_throttle_counts_are_atomic_across_connections(store_app, tmp_path):
    """Many workers counting at once get each number exactly once (INCR; INSERT … ON CONFLICT … RETURNING)."""
    if store_app.config.get("REDIS_URL"):
        app = store_app
    else:
        url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'throttle.db'}"
        app = make_app(SQLALCHEMY_DATABASE_URI=url, SIGNIN_THROTTLE_PREFIX=store_app.config["SIGNIN_THROTTLE_PREFIX"])
        with app.app_context():
            reset_database()
    counts: list[int] = []
    barrier = threading.Barrier(12)

    def count():
        with app.test_request_context("/login", method="POST"):
            barrier.wait()
            counts.append(throttle.store().incr(f"{app.config['SIGNIN_THROTTLE_PREFIX']}race", 60))
            db.session.remove()

    threads = [threading.Thread(target=count) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(counts) == list(range(1, 13))
    if app is not store_app:
        with app.app_context():
            db.engine.dispose()


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(tmp_path):
    url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'proxy.db'}"
    for proxies, expected in ((0, 429), (1, 401)):
        app = make_app(PORTAL_TRUSTED_PROXIES=proxies, SIGNIN_ADDRESS_MAX_POSTS=2, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            reset_database()
            client = app.test_client()
            token = csrf_token(client)
            answers = [client.post("/login", data={"username": "staffA", "password": "x", "csrf_token": token},
                                   headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)]
            assert answers[-1] == expected, (proxies, answers)
            db.session.remove()
            db.engine.dispose()


# --- sessions and cookies ----------------------------------------------------------------------------

def test_disabling_rotates_the_token_so_enabling_revives_no_cookie(client, world, app):
    from portal.accounts import operations
    from portal.uow import saving

    user = world.users["staffA"]
    sign_in(client, user)
    assert client.get("/items").status_code == 200
    old_token = user.session_token
    with saving():
        operations.disable_user(None, user)
    assert user.session_token != old_token
    with saving():
        operations.enable_user(None, user)
    response = client.get("/items")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_cookies_are_httponly_and_samesite_always(client, world):
    (cookie,) = [c for c in set_cookies(client.get("/login")) if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    response = login(client, "staffA")
    (cookie,) = [c for c in set_cookies(response) if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_with_a_host_prefix(app, world):
    from portal.config import load_config

    production = load_config({"SECRET_KEY": "x", "PORTAL_HTTPS": True})
    app.config.update({k: v for k, v in production.items() if k.startswith(("SESSION_COOKIE", "REMEMBER_COOKIE"))})
    client = app.test_client()
    base = "https://portal.example"
    page = client.get("/login", base_url=base)
    (cookie,) = set_cookies(page)
    assert cookie.startswith("__Host-session=")
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"))
    assert "Domain=" not in cookie
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/login", base_url=base, headers={"Referer": f"{base}/login"},
                           data={"username": "staffA", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    (cookie,) = set_cookies(response)
    assert cookie.startswith("__Host-session=") and "Secure" in cookie
    assert client.get("/items", base_url=base).status_code == 200  # the session lives in that cookie


def test_the_environment_turns_production_cookies_on(monkeypatch):
    from portal.config import load_config

    assert load_config({"SECRET_KEY": "x"})["SESSION_COOKIE_SECURE"] is False
    config = load_config({"SECRET_KEY": "x", "PORTAL_HTTPS": True})
    assert (config["SESSION_COOKIE_NAME"], config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]) == (
        "__Host-session", True, True)


# --- through a real gunicorn: several worker processes share both counts ------------------------------

@pytest.mark.server
def test_counts_hold_across_gunicorn_workers(tmp_path):
    import concurrent.futures

    import requests

    from bench.server import Gunicorn
    from tests.conftest import build_world

    url = f"sqlite:///{tmp_path / 'portal.db'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        build_world()
        db.session.remove()
        db.engine.dispose()
    # One window for the whole test (it ends in 2027-01), 30 posts in it for the address.
    with Gunicorn(url, tmp_path / "gunicorn.log", workers=3, threads=2, PORTAL_SIGNIN_ADDRESS_MAX_POSTS="30",
                  PORTAL_SIGNIN_ADDRESS_WINDOW="100000000") as server:
        def session_with_token():
            session = requests.Session()
            html = session.get(f"{server.url}/login", timeout=30).text
            return session, re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

        def attempt(pair, password="wrong password", username="staffA"):
            session, token = pair
            return session.post(f"{server.url}/login", allow_redirects=False, timeout=30,
                                data={"username": username, "password": password, "csrf_token": token}).status_code

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pairs = list(pool.map(lambda _: session_with_token(), range(23)))
            wrong = list(pool.map(attempt, pairs))
        assert wrong == [401] * 23, server.log_tail(2000)
        assert attempt(session_with_token(), PASSWORD) == 401  # locked, across every worker
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == "staffA"))
            assert user.failed_logins == 24 and lockout.is_locked(user)
            db.session.remove()
            db.engine.dispose()
        # 24 posts so far from 127.0.0.1; the limit of 30 holds whichever worker answers.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pairs = list(pool.map(lambda _: session_with_token(), range(10)))
            answers = list(pool.map(lambda p: attempt(p, PASSWORD, "staffB"), pairs))
        assert sorted(answers) == [302] * 6 + [429] * 4, (answers, server.log_tail(2000))
        assert len(server.worker_pids()) == 3
