"""Who may do what: the one place for roles, permissions and data scoping.

Two layers, both here:
- every view declares the action it performs (`@requires("item.view")`, `@public`); a
  before_request hook refuses any endpoint that declares nothing (fail closed) and any role
  the action does not list;
- every object is loaded through a query scoped to the user (`items_visible_to`), so an id
  outside the user's bodies is a 404 and its existence does not leak.
Views, operations and templates all ask the same `can(user, action, obj)`.
"""
from __future__ import annotations

import logging
from functools import wraps
from typing import Callable

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, exists, select

from portal.models import ItemBody, User, WorkItem

security_log = logging.getLogger("portal.security")

ROLES = {
    "staff": _l("委员会工作人员"),
    "leader": _l("常委会领导"),
    "deputy_affairs": _l("代表工作人员"),
    "deputy": _l("人大代表"),
    "admin": _l("系统管理员"),
}

# Roles whose item permissions are limited to the items of their own bodies.
BODY_SCOPED_ROLES = frozenset({"staff"})

_READERS = frozenset({"staff", "leader", "deputy_affairs", "admin"})
_ITEM_WORKERS = frozenset({"staff", "admin"})
_EVERYONE = frozenset(ROLES)

# action -> roles allowed. Object-level scoping for BODY_SCOPED_ROLES comes on top.
PERMISSIONS: dict[str, frozenset[str]] = {
    "home": _EVERYONE,
    "account.self": _EVERYONE,
    "item.view": _READERS,
    "item.update_status": _ITEM_WORKERS,
    # Stages, progress notes and documents of an item: its bodies' staff and the admin.
    "item.work": _ITEM_WORKERS,
    "item.classify": frozenset({"admin"}),
    "stage_template.edit": frozenset({"admin"}),
    "plan.view": _READERS,
    "plan.import": frozenset({"admin"}),
    "item.create": frozenset({"admin"}),
}

PUBLIC = "public"


def requires(action: str) -> Callable:
    """Declare the action a view performs; enforced by `enforce_declared_access` before the view runs."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")

    def decorate(view: Callable) -> Callable:
        view.access = action
        return view

    return decorate


def public(view: Callable) -> Callable:
    view.access = PUBLIC
    return view


def has_role_for(user: User, action: str) -> bool:
    return getattr(user, "is_authenticated", False) and user.role in PERMISSIONS.get(action, ())


def can(user: User, action: str, obj: object | None = None) -> bool:
    """May `user` perform `action` (on `obj`)? The single answer for views, operations and templates."""
    if not has_role_for(user, action):
        return False
    if isinstance(obj, WorkItem) and user.role in BODY_SCOPED_ROLES:
        return bool(obj.body_ids & user.body_ids)
    return True


def items_visible_to(user: User) -> Select:
    """SELECT of the work items `user` may see: all for readers, their bodies' items for staff, none otherwise."""
    query = select(WorkItem)
    if not has_role_for(user, "item.view"):
        return query.where(False)
    if user.role in BODY_SCOPED_ROLES:
        body_ids = list(user.body_ids)
        query = query.where(
            exists().where(ItemBody.item_id == WorkItem.id, ItemBody.body_id.in_(body_ids))
        )
    return query


def deny(status: int, reason: str) -> None:
    security_log.warning(
        "authz_denied",
        extra={"event": "authz_denied", "status": status, "reason": reason},
    )
    abort(status)


def enforce_declared_access():
    """before_request: fail closed for undeclared endpoints; send anonymous users to sign in."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    action = getattr(view, "access", None)
    if action is None:
        deny(403, f"endpoint {request.endpoint} declares no access rule")
    if action == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_required_response()
    if not has_role_for(current_user, action):
        deny(403, f"role {current_user.role} lacks {action}")
    return None


def login_required_response():
    """Anonymous: a page request goes to /login; an HTMX or API request gets 401 (HTMX is told to redirect)."""
    login_url = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("accounts.login")
        return response
    if request.path.startswith("/api/"):
        return jsonify(error="login required"), 401
    return redirect(login_url)
