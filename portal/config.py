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
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A plain date override lets demos and tests show traffic lights for a fixed "today". `make run`'s
    # demo pins one in instance/demo-today when the plan's year is over (portal.cli, demo setup).
    PORTAL_TODAY = os.environ.get("PORTAL_TODAY") or demo_today()
    # Printed at the head of every summary (templates/print/_base.html).
    ORGANISATION_NAME = os.environ.get("PORTAL_ORGANISATION", "濮阳市人大常委会")


def load_config(overrides: dict | None) -> dict:
    config = {k: v for k, v in vars(Config).items() if k.isupper()}
    config["SECRET_KEY"] = (overrides or {}).get("SECRET_KEY") or secret_key()
    config.update(overrides or {})
    return config
