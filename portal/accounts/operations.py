"""Accounts (账号): creating and editing them, disabling, password resets and changes, ending sessions.

Each function checks, changes and flushes; the caller's `with saving():` commits, and the unit
of work audits every change of the user row (portal.uow). `actor` is the signed-in admin, or
None for the command line (whoever runs `flask` on the server already holds the database).

A user's roles and bodies are read from the database on every request (the user is loaded per
request by portal.accounts.auth), so an edit here takes effect on that user's next request;
anything that must end their sessions rotates `session_token`, which every cookie carries.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select

from portal import authz
from portal.accounts import lockout
from portal.accounts.passwords import one_time_password, password_problem
from portal.errors import Invalid
from portal.extensions import db
from portal.models import Body, User
from portal.models.users import new_session_token
from portal.uow import note_for_audit

security_log = logging.getLogger("portal.security")

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DISPLAY_NAME_MAX = 80


@dataclass
class AccountFields:
    """What an admin sets on an account (an allowlist: nothing else of the user row is taken from a form)."""

    display_name: str = ""
    role: str = ""
    extra_roles: list[str] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    led_bodies: list[Body] = field(default_factory=list)


def _check_admin(actor: User | None) -> None:
    if actor is not None:
        authz.check_allowed(actor, "user.manage")


def _clean(fields: AccountFields) -> tuple[str, str, str]:
    """(display name, main role, further roles as stored) or Invalid with every problem at once."""
    errors = {}
    display_name = " ".join((fields.display_name or "").split())
    if len(display_name) > DISPLAY_NAME_MAX:
        errors["display_name"] = _("姓名不能超过 %(n)s 个字。", n=DISPLAY_NAME_MAX)
    if fields.role not in authz.ROLE_SPECS:
        errors["role"] = _("请选择主要角色。")
    unknown = [r for r in fields.extra_roles if r not in authz.ROLE_SPECS]
    if unknown:
        errors["extra_roles"] = _("未知的角色：%(roles)s。", roles=pgettext("list separator", "、").join(unknown))
    extra = sorted(set(fields.extra_roles) - {fields.role} - set(unknown))
    roles = {fields.role, *extra}
    if "staff" in roles and not fields.bodies:
        errors["bodies"] = _("委员会工作人员至少要属于一个单位，否则看不到任何事项。")
    if fields.led_bodies and "leader" not in roles:
        errors["led_bodies"] = _("只有常委会领导才分管单位。")
    if errors:
        raise Invalid(errors)
    return display_name, fields.role, " ".join(extra)


def _apply(user: User, fields: AccountFields) -> None:
    user.display_name, user.role, user.extra_roles = _clean(fields)
    user.bodies = list(dict.fromkeys(fields.bodies))
    user.led_bodies = list(dict.fromkeys(fields.led_bodies))


def create_user(actor: User | None, username: str, fields: AccountFields) -> tuple[User, str]:
    """A new account with a one-time password that must be changed at first sign-in: (user, password)."""
    _check_admin(actor)
    username = (username or "").strip()
    errors = {}
    if not USERNAME.match(username):
        errors["username"] = _("用户名为 1–64 个英文字母、数字或 . _ -，以字母或数字开头。")
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        errors["username"] = _("用户名 %(name)s 已被使用。", name=username)
    try:
        _clean(fields)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    user = User(username=username, password_hash="")  # nosec B106  # empty until set_password below; an empty hash matches no password
    _apply(user, fields)
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    security_log.info("user_created", extra={"event": "user_created", "username": username})
    return user, password


def update_user(actor: User | None, user: User, fields: AccountFields) -> None:
    """Name, roles, bodies and the bodies a leader is in charge of (分管); effective on the user's next request."""
    _check_admin(actor)
    if actor is not None and user.id == actor.id and "admin" not in {fields.role, *fields.extra_roles}:
        raise Invalid({"role": _("不能取消自己的系统管理员角色：请由另一位管理员操作。")})
    _apply(user, fields)
    db.session.flush()


def disable_user(actor: User | None, user: User) -> None:
    """Disable the account and end its sessions: old cookies stay dead even after re-enabling."""
    _check_admin(actor)
    if actor is not None and user.id == actor.id:
        raise Invalid({"account": _("不能停用自己的账号。")})
    user.active = False
    user.session_token = new_session_token()
    db.session.flush()
    security_log.info("user_disabled", extra={"event": "user_disabled", "username": user.username})


def enable_user(actor: User | None, user: User) -> None:
    _check_admin(actor)
    user.active = True
    db.session.flush()


def reset_password(actor: User | None, user: User) -> str:
    """A new one-time password (returned, to be shown once); the user must change it; their sessions end."""
    _check_admin(actor)
    if actor is not None and user.id == actor.id:
        raise Invalid({"account": _("请在“修改密码”页面修改自己的密码。")})
    password = one_time_password()
    user.set_password(password)  # also rotates the session token
    user.must_change_password = True
    user.failed_logins, user.failed_since, user.locked_until = 0, None, None
    db.session.flush()
    security_log.info("password_reset", extra={"event": "password_reset", "username": user.username})
    return password


def end_sessions(actor: User | None, user: User) -> None:
    """Sign the user out everywhere (ASVS 7.4.5)."""
    _check_admin(actor)
    if actor is not None and user.id == actor.id:
        raise Invalid({"account": _("要结束自己的会话，请点“退出”。")})
    user.session_token = new_session_token()
    note_for_audit(user, sessions_ended=True)  # the token itself is never audited
    db.session.flush()
    security_log.info("sessions_ended", extra={"event": "sessions_ended", "username": user.username})


def change_own_password(user: User, current: str, new: str, repeat: str) -> None:
    """The user's own change (ASVS 6.2.3): current and new password. Rotates the session token, which
    ends the user's other sessions; the view signs this session in again with the new token."""
    authz.check_allowed(user, "account.self")
    errors = {}
    # A locked account (too many wrong passwords, at sign-in or here) is refused like a wrong password.
    if not user.check_password(current or "") or lockout.is_locked(user):
        errors["current"] = _("当前密码不正确。")
    problem = password_problem(new or "", username=user.username, current=current)
    if problem:
        errors["new"] = problem
    elif new != repeat:
        errors["repeat"] = _("两次输入的新密码不一致。")
    if errors:
        raise Invalid(errors)
    user.set_password(new)
    user.must_change_password = False
    db.session.flush()
    security_log.info("password_changed", extra={"event": "password_changed", "username": user.username})
