"""Fixtures: a fresh app per test on SQLite in memory, or on PostgreSQL when TEST_DATABASE_URL says so.

The security fixtures follow SECURITY-CHECKLIST.md: bodies A and B, items iA, iB and iAB,
and one user per principal.
"""
from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from portal.models import Body, ItemBody, Plan, Section, User, WorkItem

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
PASSWORD = "correct horse battery staple"

_schema_ready = False


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: its own `g` and its own DB session.

    Tests hold an app context for their own queries; without this, requests would share that
    context's `g` (Flask-WTF caches the CSRF token there) and its session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept for the whole run and shared by every test app.

    Each test builds a fresh app, and each app a fresh Jinja environment that would compile every
    template it renders again (about a third of the suite's time before this cache). Jinja keys the
    bucket by template name and file, and throws the code away when the source's checksum
    changes, so an edited template is compiled afresh. Code objects are immutable: sharing them
    between environments built with the same options (every test app) is safe.
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket) -> None:
        checksum, code = self._code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CACHE = SharedTemplateCache()


def make_app(**overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PORTAL_TODAY": "2024-06-15",
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    app.test_client_class = IsolatedClient
    return app


def reset_database() -> None:
    """SQLite in memory starts empty; PostgreSQL keeps one schema for the run and is truncated per test."""
    global _schema_ready
    if not ON_POSTGRES:
        # A database in memory is new with its app: create without asking table by table first.
        db.metadata.create_all(db.engine, checkfirst=db.engine.url.database not in (None, "", ":memory:"))
        return
    if not _schema_ready:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        _schema_ready = True
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    # The audit trail and the history refuse TRUNCATE (a BEFORE TRUNCATE trigger). Only here, as the
    # superuser the tests connect as, are triggers switched off for this one transaction.
    db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


_shared_apps: list = []


def shared_app():
    """One app with the default test configuration for the whole run: building one costs about 150 ms
    (werkzeug compiles each URL rule), paid before by every test. Tests get it back as new: the
    `app` fixture empties the database and the kept pages and restores the configuration."""
    if not _shared_apps:
        _shared_apps.append(make_app())
    return _shared_apps[0]


@pytest.fixture
def app(request):
    """The shared app, as new; a test marked `fresh_app` (it adds routes, say) gets one of its own."""
    from portal.pagecache import cache as page_cache

    fresh = request.node.get_closest_marker("fresh_app") is not None
    app = make_app() if fresh else shared_app()
    config, extensions = dict(app.config), dict(app.extensions)
    with app.app_context():
        reset_database()
        page_cache.clear()
        yield app
        db.session.remove()
        if not ON_POSTGRES:
            db.drop_all()
        if fresh:
            # Close the app's pooled connections now, not when the garbage collector finds the app:
            # on PostgreSQL a run would otherwise hold dozens and meet "too many clients".
            db.engine.dispose()
    app.config.clear()
    app.config.update(config)
    app.extensions.clear()
    app.extensions.update(extensions)


@pytest.fixture
def client(app):
    return app.test_client()


def _signed_csrf(app, raw: str) -> str:
    """The form token Flask-WTF derives from the raw token it keeps in the session (flask_wtf.csrf.generate_csrf)."""
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def csrf_token(client) -> str:
    html = client.get("/login").get_data(as_text=True)
    if "csrf_token" not in html:  # already signed in: /login redirects; any page with a form carries it
        html = client.get("/items").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def login(client, username: str, password: str = PASSWORD):
    """Sign in over HTTP, through the real form (password check, lockout, session start)."""
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def sign_in(client, user: User | str) -> str:
    """Sign `user` in without POSTing /login; returns a CSRF token valid for the new session.

    Writes what a successful POST /login leaves in the session (portal.accounts.views.login):
    Flask-Login's `_user_id` — "<id>:<session token>", checked against the database on every
    request by portal.accounts.auth.load_user — and `_fresh`, the portal's session clock
    (`login_at`, `seen_at`, checked by enforce_session_limits), a permanent session, and the raw
    CSRF token Flask-WTF keeps. Skips the password hash and the lockout bookkeeping, which
    tests/test_accounts.py covers over HTTP.
    """
    if isinstance(user, str):
        user = db.session.scalar(select(User).where(User.username == user))
    raw = hashlib.sha1(os.urandom(64)).hexdigest()
    now = time.time()
    with client.session_transaction() as session:
        session.clear()  # as start_session does: nothing carried over
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = session["seen_at"] = now
        session["csrf_token"] = raw
        session.permanent = True
    return _signed_csrf(client.application, raw)


def make_user(username: str, role: str, bodies=(), password: str = PASSWORD) -> User:
    user = User(username=username, role=role, display_name=username, password_hash="")
    user.set_password(password)
    user.bodies = list(bodies)
    db.session.add(user)
    return user


def make_plan(year: int = 2024, key: str = "supervision", title: str = "2024年度监督工作计划") -> Plan:
    plan = Plan(year=year, key=key, title=title)
    plan.sections.append(Section(number=1, title="听取审议工作报告"))
    db.session.add(plan)
    db.session.flush()
    return plan


def make_item(plan: Plan, seq: int, title: str, bodies=(), months=(4,), meeting_month=4, status="not_started") -> WorkItem:
    item = WorkItem(plan_id=plan.id, section_id=plan.sections[0].id, seq=seq, title=title, text=title + "。",
                    meeting_month=meeting_month, status=status)
    item.months = list(months)
    item.assignments = [ItemBody(body_id=b.id, position=n) for n, b in enumerate(bodies)]
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class World:
    A: Body
    B: Body
    iA: WorkItem
    iB: WorkItem
    iAB: WorkItem
    users: dict[str, User]


PRINCIPALS = ("staffA", "staffAB", "staffB", "leader", "depaff", "deputy1", "deputy2", "admin")


def build_world() -> World:
    """Bodies A and B, items iA, iB, iAB and one user per principal, in the active app's database."""
    A = Body(name="甲委员会", short_name="甲委", kind="special_committee", sort_order=1)
    B = Body(name="常委会乙工作委员会", short_name="乙工委", kind="working_committee", sort_order=2)
    db.session.add_all([A, B])
    db.session.flush()
    plan = make_plan()
    iA = make_item(plan, 1, "甲委员会的事项", [A], months=(4,))
    iB = make_item(plan, 2, "乙工委的秘密事项", [B], months=(8,), meeting_month=8)
    iAB = make_item(plan, 3, "两家共同负责的事项", [A, B], months=(7, 8), meeting_month=None)
    users = {
        "staffA": make_user("staffA", "staff", [A]),
        "staffAB": make_user("staffAB", "staff", [A, B]),
        "staffB": make_user("staffB", "staff", [B]),
        "leader": make_user("leader", "leader"),
        "depaff": make_user("depaff", "deputy_affairs", [B]),
        "deputy1": make_user("deputy1", "deputy"),
        "deputy2": make_user("deputy2", "deputy"),
        "admin": make_user("admin", "admin"),
    }
    db.session.commit()
    return World(A, B, iA, iB, iAB, users)


@pytest.fixture
def world(app) -> World:
    return build_world()


@pytest.fixture
def world_factory():
    return build_world


def pytest_collection_modifyitems(config, items):
    """A test that belongs to one leg (marked only_sqlite / only_postgres) is deselected in the other, not
    skipped: a skip in the report would hide a test that should have run."""
    other = "only_sqlite" if ON_POSTGRES else "only_postgres"
    kept = [item for item in items if other not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if other in item.keywords])
        items[:] = kept
