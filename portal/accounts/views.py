from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import lockout, operations, passwords
from portal.accounts.auth import start_session
from portal.accounts.forms import LoginForm, PasswordChangeForm
from portal.authz import public, requires
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import render
from portal.models import User
from portal.models.users import new_session_token
from portal.uow import saving

bp = Blueprint("accounts", __name__)
security_log = logging.getLogger("portal.security")

# Checked against when the user does not exist, so both paths cost one scrypt (no timing oracle).
_DUMMY_HASH = generate_password_hash("no such user")


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next=//evil`, absolute URLs and backslash tricks go home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("core.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("core.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        elif lockout.is_locked(user):
            user.check_password(form.password.data)  # same cost as any attempt: the lock does not show
            security_log.warning("login_locked", extra={"event": "login_locked", "username": user.username})
        elif user.active and user.check_password(form.password.data):
            with saving():
                lockout.record_success(user)
            start_session(user)
            login_user(user)
            security_log.info("login_ok", extra={"event": "login_ok", "username": user.username})
            return redirect(safe_next(request.args.get("next")))
        else:
            with saving():
                locked = lockout.record_failure(user)
            if locked:
                security_log.warning("lockout", extra={"event": "lockout", "username": user.username})
        security_log.warning(
            "login_failed", extra={"event": "login_failed", "username": form.username.data[:64]}
        )
        form.password.errors.append(_("用户名或密码不正确。连续输错 %(n)s 次，账号将暂停登录 %(m)s 分钟。",
                                      n=lockout.MAX_FAILURES, m=int(lockout.LOCK_TIME.total_seconds() // 60)))
    return render("accounts/login.html", form=form), (401 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@requires("account.self")
def logout():
    with saving():
        current_user.session_token = new_session_token()  # kills this and every other copy of the cookie
    logout_user()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account.self")
def password():
    """Change one's own password; owed after an admin created or reset the account (portal.accounts.auth)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with saving():
                operations.change_own_password(current_user, form.current.data, form.new.data, form.repeat.data)
        except Invalid as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(message)
            if "current" in exc.errors:  # guessing the current password from a live session counts too
                with saving():
                    lockout.record_failure(current_user)
                security_log.warning("password_change_failed", extra={"event": "password_change_failed",
                                                                       "username": current_user.username})
        else:
            # The token rotated: every other session of the user has ended; this one goes on with the new token.
            login_user(current_user._get_current_object())
            flash(_("密码已修改。您在其他设备上的登录已结束。"), "success")
            return redirect(url_for("core.home"))
    return render("accounts/password.html", form=form, forced=current_user.must_change_password,
                  min_length=passwords.MIN_LENGTH, max_length=passwords.MAX_LENGTH), (400 if form.errors else 200)
