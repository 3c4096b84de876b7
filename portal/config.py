"""Configuration: safe defaults, overridden by the environment (DATABASE_URL, SECRET_KEY, …)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def database_url(raw: str | None) -> str:
    """Accept the usual spellings and pick the psycopg 3 driver for PostgreSQL."""
    url = raw or f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_instance_dir() -> Path:
    """instance/ (secret key, demo password, the SQLite database) is readable by its owner only."""
    INSTANCE_DIR.mkdir(mode=0o700, exist_ok=True)
    if INSTANCE_DIR.stat().st_mode & 0o077 and INSTANCE_DIR.stat().st_uid == os.getuid():
        INSTANCE_DIR.chmod(0o700)
    return INSTANCE_DIR


def secret_key() -> str:
    """SECRET_KEY from the environment, else one generated on first start and kept in instance/ (never in git)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = ensure_instance_dir() / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def demo_today() -> str | None:
    path = INSTANCE_DIR / "demo-today"
    return path.read_text().strip() or None if path.exists() else None


class Config:
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "中文", "en": "English"}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # a whole request: plan uploads and documents
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024  # one attached document
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Behind HTTPS (production): PORTAL_HTTPS=1 (or SESSION_COOKIE_SECURE=1, the older spelling) makes the
    # cookies Secure and gives the session cookie a `__Host-` name, which a browser accepts only over
    # HTTPS, for the whole site and from this host alone (no Domain), so a sibling host cannot plant one.
    PORTAL_HTTPS = os.environ.get("PORTAL_HTTPS", os.environ.get("SESSION_COOKIE_SECURE", "0")) == "1"
    SESSION_COOKIE_SECURE = False  # set from PORTAL_HTTPS in load_config
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The client address is request.remote_addr. Behind reverse proxies, the number of them that add
    # X-Forwarded-For (werkzeug ProxyFix): 0 trusts no such header, so a client cannot forge its address.
    PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0") or 0)
    # Sign-in throttle per address (portal.accounts.throttle): posts per window, distinct accounts per window.
    SIGNIN_ADDRESS_MAX_POSTS = int(os.environ.get("PORTAL_SIGNIN_ADDRESS_MAX_POSTS", "30"))
    SIGNIN_ADDRESS_WINDOW = int(os.environ.get("PORTAL_SIGNIN_ADDRESS_WINDOW", "60"))
    SIGNIN_ADDRESS_MAX_ACCOUNTS = int(os.environ.get("PORTAL_SIGNIN_ADDRESS_MAX_ACCOUNTS", "10"))
    SIGNIN_ACCOUNTS_WINDOW = 15 * 60
    # The throttle counts in Redis when set (shared by every worker and server), else in the database.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    SIGNIN_THROTTLE_PREFIX = "portal:signin:"
    # A plain date override lets demos and tests show traffic lights for a fixed "today". `make run`'s
    # demo pins one in instance/demo-today when the plan's year is over (portal.cli, demo setup).
    PORTAL_TODAY = os.environ.get("PORTAL_TODAY") or demo_today()
    # Pages rendered again only when data changed (portal.pagecache); REDIS_URL shares the store.
    PAGE_CACHE = os.environ.get("PORTAL_PAGE_CACHE", "1") == "1"
    PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", "300"))
    # Months the reporting organ has for its 研究处理情况报告 after the 审议意见 is sent, by kind of work
    # (portal.items.kinds); "tracking" after an unsatisfactory vote (跟踪监督); "default" for any other kind.
    FOLLOWUP_REPORT_MONTHS = {"default": 2, "work_report": 2, "law_inspection": 3, "inquiry": 2, "appraisal": 2,
                              "tracking": 2}
    # Printed at the head of every summary (templates/print/_base.html).
    ORGANISATION_NAME = os.environ.get("PORTAL_ORGANISATION", "濮阳市人大常委会")


def load_config(overrides: dict | None) -> dict:
    config = {k: v for k, v in vars(Config).items() if k.isupper()}
    config["SECRET_KEY"] = (overrides or {}).get("SECRET_KEY") or secret_key()
    config.update(overrides or {})
    if config.get("PORTAL_HTTPS") or config.get("SESSION_COOKIE_SECURE"):
        config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True
        config.setdefault("REMEMBER_COOKIE_NAME", "__Host-remember_token")
        config["SESSION_COOKIE_PATH"] = config["REMEMBER_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = config["REMEMBER_COOKIE_DOMAIN"] = None
    return config
