"""Sessions: Flask-Login with a server-checked token and idle/absolute limits.

A signed cookie alone stays valid after logout. The cookie therefore carries
"<user id>:<session token>" and every request compares the token with the database:
rotating it (logout, password change, disabling) ends the user's sessions at once.
"""
from __future__ import annotations

import hmac
import logging
from datetime import datetime, timezone

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db, login_manager
from portal.models import User

security_log = logging.getLogger("portal.security")


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    user_id, _, token = cookie_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 10 or int(user_id) > 2**31 - 1 or not token:
        return None
    # One query for the user and the bodies every page's scope needs (the fixed cost of a request).
    user = db.session.scalar(select(User).where(User.id == int(user_id)).options(joinedload(User.bodies)))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def _now() -> float:
    return datetime.now(timezone.utc).timestamp()


def start_session(user: User) -> None:
    session.clear()  # a fresh session at login: nothing carried over from before (fixation)
    session["login_at"] = session["seen_at"] = _now()
    session.permanent = True


def enforce_session_limits():
    """before_request: end sessions idle too long or older than the absolute lifetime."""
    if not current_user.is_authenticated:
        return
    now = _now()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    login_at, seen_at = session.get("login_at", 0), session.get("seen_at", 0)
    if now - seen_at > idle or now - login_at > absolute:
        security_log.info("session_expired", extra={"event": "session_expired"})
        logout_user()
        session.clear()
        return
    session["seen_at"] = now


# Reachable while a password change is owed: the change page itself, signing out, health, language.
REACHABLE_BEFORE_CHANGE = frozenset({"accounts.password", "accounts.logout", "accounts.login", "core.healthz",
                                     "core.set_language", "static"})


def enforce_password_change():
    """before_request: an account with a one-time password (an admin or an import made it, or reset it)
    goes to the change page on every request until it has changed it."""
    if (not current_user.is_authenticated or not current_user.must_change_password
            or request.endpoint is None or request.endpoint in REACHABLE_BEFORE_CHANGE):
        return None
    target = url_for("accounts.password")
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=200)
        response.headers["HX-Redirect"] = target
        response.vary.add("HX-Request")
        return response
    if request.path.startswith("/api/"):
        return jsonify(error="password change required"), 403
    return redirect(target)


def init_app(app) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # our token check replaces Flask-Login's IP/agent hash
    app.before_request(enforce_session_limits)
    app.before_request(enforce_password_change)
