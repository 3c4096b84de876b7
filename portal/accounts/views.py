from __future__ import annotations

import logging
from flask import Blueprint, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import lockout, operations, passwords, throttle
from portal.accounts.auth import start_session
from portal.accounts.forms import LoginForm, PasswordChangeForm
from portal.authz import public, requires
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import render
from portal.models import User
from portal.models.users import new_session_token
from portal.redirects import safe_next  # noqa: F401 - also imported from here by older code
from portal.uow import saving

bp = Blueprint("accounts", __name__)
security_log = logging.getLogger("portal.security")

# Checked against when the user does not exist, so both paths cost one scrypt (no timing oracle).
_DUMMY_HASH = generate_password_hash("no such user")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        # Per address first, before the username is looked up: the refusal cannot tell whether it exists.
        wait = throttle.check(request.remote_addr or "", username)
        if wait:
            security_log.warning("login_throttled", extra={"event": "login_throttled", "username": username[:64]})
            form.password.errors.append(_("从此处登录的尝试过于频繁，请 %(m)s 分钟后再试。", m=max(1, -(-wait // 60))))
            response = make_response(render("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        else:
            user_id, active = user.id, user.active
            with saving():  # counted and committed before the password is checked (portal.accounts.lockout)
                attempt = lockout.count_attempt(user_id)
            if not attempt.allowed:
                check_password_hash(_DUMMY_HASH, form.password.data)  # same cost as any attempt: the lock does not show
                security_log.warning("login_locked", extra={"event": "login_locked", "username": username})
            elif active and check_password_hash(attempt.password_hash, form.password.data):
                with saving():
                    lockout.record_success(user_id)
                start_session(user)
                login_user(user)
                security_log.info("login_ok", extra={"event": "login_ok", "username": username})
                return redirect(safe_next(request.args.get("next")))
            elif attempt.locks:
                security_log.warning("lockout", extra={"event": "lockout", "username": username})
        security_log.warning(
            "login_failed", extra={"event": "login_failed", "username": username[:64]}
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
