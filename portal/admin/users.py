"""Accounts screens (用户管理): the list with search, a new account, one account (admin/users.html, admin/user.html).

A one-time password (new account, reset) is shown in the answer to that POST and nowhere else:
not in a flash message (the session cookie is signed, not encrypted), not in a log.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal import authz
from portal.accounts import operations
from portal.accounts.operations import AccountFields
from portal.admin.forms import UserForm
from portal.admin.views import bp
from portal.authz import requires
from portal.errors import Invalid, NotVisible
from portal.extensions import db
from portal.htmx import render
from portal.models import Body, User
from portal.uow import saving

PAGE_SIZE = 200


def _bodies() -> list[Body]:
    return list(db.session.scalars(select(Body).order_by(Body.sort_order, Body.id)))


def _form(user: User | None = None, *, typed: bool = True) -> UserForm:
    """The account form: what was typed (a POST that failed), else the account as stored."""
    form = UserForm() if typed else UserForm(formdata=None)
    roles = [SelectChoice(key, str(spec.label)) for key, spec in authz.ROLE_SPECS.items()]
    bodies = [SelectChoice(b.id, b.name if b.active else _("%(name)s（已停用）", name=b.name)) for b in _bodies()]
    form.role.choices = roles
    form.extra_roles.choices = roles
    form.bodies.choices = bodies
    form.led_bodies.choices = bodies
    if user is not None and not (typed and request.method == "POST"):
        form.display_name.data = user.display_name
        form.role.data = user.role
        form.extra_roles.data = (user.extra_roles or "").split()
        form.bodies.data = [b.id for b in user.bodies]
        form.led_bodies.data = [b.id for b in user.led_bodies]
    return form


def _fields(form: UserForm) -> AccountFields:
    by_id = {b.id: b for b in _bodies()}
    return AccountFields(
        display_name=form.display_name.data or "", role=form.role.data or "",
        extra_roles=list(form.extra_roles.data or []),
        bodies=[by_id[i] for i in form.bodies.data or [] if i in by_id],
        led_bodies=[by_id[i] for i in form.led_bodies.data or [] if i in by_id],
    )


def _attach(form: UserForm, errors: dict) -> dict:
    """Field messages onto their fields; what belongs to no field is returned for the page."""
    rest = {}
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            rest[name] = message
        else:
            field.errors = [*field.errors, message]
    return rest


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotVisible()
    return user


def user_page(user: User | None, form: UserForm, *, status: int = 200, errors: dict | None = None,
              one_time_password: str | None = None):
    return render("admin/user.html", status=status, user=user, form=form, errors=errors or {},
                  one_time_password=one_time_password)


@bp.route("/users")
@requires("user.manage")
def users():
    q = (request.args.get("q") or "").strip()[:64]
    query = select(User).options(selectinload(User.bodies)).order_by(User.active.desc(), User.username)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.username).like(like), func.lower(User.display_name).like(like),
                                User.bodies.any(or_(Body.name.contains(q), Body.short_name.contains(q)))))
    found = list(db.session.scalars(query.limit(PAGE_SIZE + 1)))
    return render("admin/users.html", users=found[:PAGE_SIZE], more=len(found) > PAGE_SIZE, q=q,
                  role_labels=authz.role_labels)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
def new_user():
    form = _form()
    if request.method == "GET":
        return user_page(None, form)
    errors = {}
    if form.validate_on_submit():
        try:
            with saving():
                user, password = operations.create_user(current_user, form.username.data, _fields(form))
        except Invalid as exc:
            errors = _attach(form, exc.errors)
        else:
            return user_page(user, _form(user, typed=False), one_time_password=password)
    return user_page(None, form, status=400, errors=errors)


@bp.route("/users/<int:user_id>")
@requires("user.manage")
def user(user_id: int):
    account = _get_user(user_id)
    return user_page(account, _form(account))


@bp.route("/users/<int:user_id>", methods=["POST"])
@requires("user.manage")
def edit_user(user_id: int):
    account = _get_user(user_id)
    form = _form(account)
    errors = {}
    if form.validate_on_submit():
        try:
            with saving():
                operations.update_user(current_user, account, _fields(form))
        except Invalid as exc:
            errors = _attach(form, exc.errors)
        else:
            flash(_("已保存 %(name)s 的账号，下一次请求起生效。", name=account.username), "success")
            return redirect(url_for("admin.user", user_id=account.id))
    return user_page(_get_user(user_id), form, status=400, errors=errors)


def _account_action(user_id: int, action, done: str):
    """Disable, enable, end sessions: one button each; a refusal shows on the account's page."""
    account = _get_user(user_id)
    try:
        with saving():
            action(current_user, account)
    except Invalid as exc:
        account = _get_user(user_id)
        return user_page(account, _form(account, typed=False), status=400, errors=exc.errors)
    flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@requires("user.manage")
def disable_user(user_id: int):
    return _account_action(user_id, operations.disable_user, _("账号已停用，其所有会话已结束。"))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@requires("user.manage")
def enable_user(user_id: int):
    return _account_action(user_id, operations.enable_user, _("账号已启用。"))


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@requires("user.manage")
def end_sessions(user_id: int):
    return _account_action(user_id, operations.end_sessions, _("已结束该用户的所有会话，需要重新登录。"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@requires("user.manage")
def reset_password(user_id: int):
    account = _get_user(user_id)
    try:
        with saving():
            password = operations.reset_password(current_user, account)
    except Invalid as exc:
        account = _get_user(user_id)
        return user_page(account, _form(account, typed=False), status=400, errors=exc.errors)
    account = _get_user(user_id)
    return user_page(account, _form(account, typed=False), one_time_password=password)
