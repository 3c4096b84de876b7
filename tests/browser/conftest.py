"""Real-browser fixtures: the portal served over HTTP with the demo data, and headless Chromium.

The server is the real app, not the test client: CSRF on, real cookies, error pages instead
of propagated exceptions (TESTING off). One server and one browser for the session (a fresh
database for every run), a fresh browser context (cookies, storage) for every test. Tests
that change data pick items no other test touches.

Every page opened through `open_page` is watched: console errors, uncaught exceptions and
CSP violations fail the test (T15). A 4xx the test provokes on purpose (a 409 conflict, a
400 form error, the 404 page) is declared with `watch.expect_http(status)`; Chromium logs
each such answer as a console error, and an undeclared one still fails.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from portal.demo import load_demo
from portal.extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, make_app

DEMO_PASSWORD = "browser-demo-pass-2024"
TODAY = "2024-06-15"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]

# Runs before any page script; the listener reports to Python, so a violation is kept even if
# the page navigates away before the test looks.
CSP_LISTENER = """
window.__cspSeen = 0;
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspSeen += 1;
  window.__reportCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || document.location.href) + ":" + e.lineNumber);
});
"""
HTTP_ERROR = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


# On the PostgreSQL leg the live server gets a schema of its own in the leg's database: the
# other tests truncate the public schema's tables after every test, under the server's feet.
LIVE_SCHEMA = "browser_live"


def live_database_url(db_path: str) -> str:
    """A new SQLite file on the SQLite leg; on the PostgreSQL leg, a freshly emptied schema of the test database."""
    if not ON_POSTGRES:
        return f"sqlite:///{db_path}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {LIVE_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {LIVE_SCHEMA}"))
    engine.dispose()
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={LIVE_SCHEMA}"})
    return url.render_as_string(hide_password=False)


def build_app(db_path: str):
    """The portal as a person meets it, with the demo data: used by the tests and by tests/screenshots.py."""
    app = make_app(
        SQLALCHEMY_DATABASE_URI=live_database_url(db_path),
        PORTAL_TODAY=TODAY,
        TESTING=False,            # real error pages, not propagated exceptions
        WTF_CSRF_ENABLED=True,    # every POST, HTMX included, must carry the token
        SESSION_COOKIE_SECURE=False,  # plain http on 127.0.0.1
        # Every browser test signs in from 127.0.0.1 against one server: lift the per-address throttle.
        SIGNIN_ADDRESS_MAX_POSTS=10**6, SIGNIN_ADDRESS_MAX_ACCOUNTS=10**6,
    )
    with app.app_context():
        db.create_all()
        load_demo(DEMO_PASSWORD)
        db.session.commit()
    return app


class LiveServer:
    """werkzeug's threaded server on a free port of 127.0.0.1, in a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self._werkzeug_level = logging.getLogger("werkzeug").level
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        logging.getLogger("werkzeug").setLevel(self._werkzeug_level)


def launch_browser(playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class Watch:
    """What went wrong in the pages of one test, and the HTTP errors the test provoked on purpose."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    http_errors: list[tuple[int, str]] = field(default_factory=list)
    expected_http: set[int] = field(default_factory=set)

    def expect_http(self, *statuses: int) -> None:
        self.expected_http.update(statuses)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        match = HTTP_ERROR.search(message.text)
        if match:
            self.http_errors.append((int(match.group(1)), message.location.get("url", "")))
        else:
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def problems(self) -> list[str]:
        unexpected_http = [(s, url) for s, url in self.http_errors if s not in self.expected_http]
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"CSP violation: {m}" for m in self.csp_violations]
            + [f"unexpected HTTP {s} for {url} (declare it with watch.expect_http)" for s, url in unexpected_http]
        )


def watch_context(context: BrowserContext, watch: Watch) -> None:
    context.expose_function("__reportCspViolation", lambda text: watch.csp_violations.append(text))
    context.add_init_script(CSP_LISTENER)


def watch_page(page: Page, watch: Watch) -> Page:
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    return page


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Through the real login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(password)
    with page.expect_navigation():
        page.locator(".login-box button[type=submit]").click()
    assert "/login" not in page.url, f"sign-in as {username} failed: {page.url}"


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    return build_app(str(tmp_path_factory.mktemp("browser") / "portal.db"))


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def open_page(browser, base_url, watch) -> Iterator[Callable[..., Page]]:
    """open_page(username=None, **context_options) -> a watched page in a fresh context, signed in if asked.

    Called twice, it gives two independent browsers (two people), as the conflict test needs.
    """
    contexts: list[BrowserContext] = []

    def open_(username: str | None = None, **options) -> Page:
        options.setdefault("base_url", base_url)
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1366, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        watch_context(context, watch)
        page = watch_page(context.new_page(), watch)
        if username:
            sign_in(page, base_url, username)
        return page

    yield open_
    for context in contexts:
        context.close()
    problems = watch.problems()
    assert not problems, "\n".join(problems)


@pytest.fixture
def sign_in_as(base_url) -> Callable[[Page, str], None]:
    return lambda page, username: sign_in(page, base_url, username)


@pytest.fixture
def page(open_page) -> Page:
    """A fresh, anonymous, watched page."""
    return open_page()
