"""Who may do what: the one place for roles, permissions, object rules and scoped loading.

Three layers, all here:
- every view declares the action it performs (`@requires("item.view")`, `@public`); a
  before_request hook refuses any endpoint that declares nothing (fail closed) and any user
  whose roles the action does not list;
- object rules (`OBJECT_RULES`) say which objects of a kind a user may act on, and every
  object is loaded through a query or loader scoped to the user (`items_visible_to`,
  `get_item_or_404`, `get_document_or_404`), so an id outside the user's bodies is a 404 and
  its existence does not leak;
- what a role is (its home page, whether it sees every body's work) is data in `ROLE_SPECS`:
  no view or template tests a role's name.
Views, operations and templates all ask the same `can(user, action, obj)`; every refusal is
logged by `_log_denial`, once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, has_request_context, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, exists, select

from portal.errors import Forbidden, NotVisible
from portal.extensions import db
from portal.models import Body, Instruction, ItemBody, ItemDocument, User, WorkItem

security_log = logging.getLogger("portal.security")


@dataclass(frozen=True)
class RoleSpec:
    label: object
    home: str  # the endpoint a user of this role starts on
    sees_all_items: bool  # False: only the items of the user's own bodies


ROLE_SPECS: dict[str, RoleSpec] = {
    "staff": RoleSpec(_l("委员会工作人员"), "items.workspace", False),
    "leader": RoleSpec(_l("常委会领导"), "dashboard.index", True),
    "deputy_affairs": RoleSpec(_l("代表工作人员"), "items.workspace", True),
    "deputy": RoleSpec(_l("人大代表"), "deputies.my_records", False),
    "admin": RoleSpec(_l("系统管理员"), "items.workspace", True),
}
ROLES = {key: spec.label for key, spec in ROLE_SPECS.items()}

_READERS = frozenset({"staff", "leader", "deputy_affairs", "admin"})
_ITEM_WORKERS = frozenset({"staff", "admin"})
_ADMIN = frozenset({"admin"})
_LEADERS = frozenset({"leader", "admin"})
_EVERYONE = frozenset(ROLE_SPECS)

# action -> roles allowed. The object rules below come on top for actions on one object.
PERMISSIONS: dict[str, frozenset[str]] = {
    "home": _EVERYONE,
    "account.self": _EVERYONE,
    "item.view": _READERS,
    "item.update_status": _ITEM_WORKERS,
    # Stages, progress notes and documents of an item: its bodies' staff and the admin.
    "item.work": _ITEM_WORKERS,
    "item.classify": _ADMIN,
    "stage_template.edit": _ADMIN,
    "plan.view": _READERS,
    # Spreadsheets of the item list (/exports/items.xlsx, .csv): whoever reads the list, of what they may see.
    "item.export": _READERS,
    "plan.import": _ADMIN,
    "item.create": _ADMIN,
    # 交办 and 分解: the office gives items their bodies, schedule and tasks; closes the year.
    "item.assign": _ADMIN,
    "item.decompose": _ADMIN,
    "plan.defaults": _ADMIN,
    "plan.close_year": _ADMIN,
    "audit.view": _ADMIN,
    "user.manage": _ADMIN,  # accounts: create, roles and bodies, disable, reset a password, end sessions
    "body.manage": _ADMIN,  # responsible bodies: names, aliases, order, retire
    # The leaders' view of the whole year (领导驾驶舱): leaders and the office.
    "dashboard.view": _LEADERS,
    # 批示: a leader writes and closes; the item's bodies' staff (and the office) acknowledge and answer.
    "instruction.write": frozenset({"leader"}),
    "instruction.answer": _ITEM_WORKERS,
    "instruction.list": _LEADERS,
    # Who sees an item's instructions: its bodies' staff, leaders and the office (not deputy affairs, never deputies).
    "instruction.view": frozenset({"staff", "leader", "admin"}),
    # 提醒: everyone who works items or writes instructions.
    "notice.view": frozenset({"staff", "leader", "admin"}),
    # 常委会会议 and the year's 议题安排表: everyone who works items reads them; the office plans them.
    "meeting.view": _READERS,
    "meeting.manage": _ADMIN,
    # Who attended a held meeting (列席代表): deputy affairs organises it and records it, with the office;
    # readers of the agenda see the names, levels and groups.
    "meeting.attendance": frozenset({"deputy_affairs", "admin"}),
    "meeting.view_attendance": _READERS,
    # The oversight follow-up (审议意见 → 研究处理情况报告 → 满意度测评): readers see it on the items they see;
    # the item's bodies' staff and the office record its steps.
    "followup.view": _READERS,
    "followup.record": _ITEM_WORKERS,
    # Deputies (代表). The roll and its aggregates: deputy affairs, leaders and the office; the personal
    # fields (mobile, constituency) only deputy affairs, the office and the deputy (templates ask
    # "deputy.personal"). Managing the roll, groups, stations and reviewing records: deputy affairs and the office.
    "deputy.view": frozenset({"deputy_affairs", "leader", "admin"}),
    "deputy.personal": frozenset({"deputy_affairs", "admin"}),
    "deputy.manage": frozenset({"deputy_affairs", "admin"}),
    # Naming deputies as participants of an item's activity: name, level and group only.
    "deputy.pick": frozenset({"staff", "deputy_affairs", "admin"}),
    "duty.own": frozenset({"deputy"}),
    "duty.review": frozenset({"deputy_affairs", "admin"}),
    "duty.list": frozenset({"deputy", "deputy_affairs", "leader", "admin"}),
    "duty.targets": frozenset({"deputy_affairs", "leader", "admin"}),
    "duty.archive": frozenset({"deputy", "deputy_affairs", "admin"}),
    "duty.participants": _ITEM_WORKERS,
}

PUBLIC = "public"


def assigned_roles(user) -> frozenset[str]:
    """The roles an account is given, active or not (lists of accounts). The one place that reads the
    account's role fields; what a user may do now is `roles_of`."""
    return frozenset({user.role, *(user.extra_roles or "").split()}) & frozenset(ROLE_SPECS)


def roles_of(user) -> frozenset[str]:
    """The roles a user holds now: none unless signed in and active."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return assigned_roles(user)


def role_labels(user) -> list:
    """The labels of an account's roles, its main role first."""
    roles = assigned_roles(user)
    main = [user.role] if user.role in roles else []
    return [ROLE_SPECS[role].label for role in main + sorted(roles - set(main))]


def role_spec(user) -> RoleSpec | None:
    """What the user's main role is (their home page, the label beside their name)."""
    return ROLE_SPECS.get(user.role) if roles_of(user) else None


def home_endpoint(user) -> str:
    spec = role_spec(user)
    return spec.home if spec else "accounts.login"


def sees_all_items(user) -> bool:
    return any(ROLE_SPECS[role].sees_all_items for role in roles_of(user))


def has_role_for(user, action: str) -> bool:
    return bool(roles_of(user) & PERMISSIONS.get(action, frozenset()))


# --- object rules ------------------------------------------------------------------------------

def _item_in_scope(user: User, item: WorkItem) -> bool:
    return sees_all_items(user) or bool(item.body_ids & user.body_ids)


def _works_on_item(user: User, item: WorkItem) -> bool:
    """Changing an item (its status, stages, notes, documents) comes from being staff of one of its bodies,
    or from the admin role; seeing every item does not give it. So a deputy-affairs officer who is also
    选工委 staff changes 选工委's items and reads, but does not change, everyone else's."""
    roles = roles_of(user)
    return "admin" in roles or ("staff" in roles and bool(item.body_ids & user.body_ids))


# Actions on an item that need more than seeing it: (action, model) -> rule, checked after OBJECT_RULES.
ACTION_RULES: dict[tuple[str, type], Callable[[User, object], bool]] = {
    ("item.update_status", WorkItem): _works_on_item,
    ("item.work", WorkItem): _works_on_item,
    ("followup.record", WorkItem): _works_on_item,
}


def _document_in_scope(user: User, document: ItemDocument) -> bool:
    if document.instruction_id is not None and not has_role_for(user, "instruction.view"):
        return False  # an instruction's documents go where the instruction goes
    item = db.session.get(WorkItem, document.item_id)
    return item is not None and _item_in_scope(user, item)


def _instruction_in_scope(user: User, instruction: Instruction) -> bool:
    item = db.session.get(WorkItem, instruction.item_id)
    return item is not None and _item_in_scope(user, item)


OBJECT_RULES: dict[type, Callable[[User, object], bool]] = {
    WorkItem: _item_in_scope,
    ItemDocument: _document_in_scope,
    Instruction: _instruction_in_scope,
}


def can(user, action: str, obj: object | None = None) -> bool:
    """May `user` perform `action` (on `obj`)? The single answer for views, operations and templates."""
    return has_role_for(user, action) and _object_allows(user, action, obj)


def can_each(user, action: str) -> Callable[[object], bool]:
    """`can(user, action, obj)` for the many rows of one page: the role check, which no row can change, is
    made once; each object still gets its object and action rules."""
    if not has_role_for(user, action):
        return lambda obj: False
    return lambda obj: _object_allows(user, action, obj)


def _object_allows(user, action: str, obj: object | None) -> bool:
    """The object's rule (may the user see it?) and the action's rule on that kind of object."""
    rule = OBJECT_RULES.get(type(obj))
    if rule and not rule(user, obj):
        return False
    action_rule = ACTION_RULES.get((action, type(obj)))
    return action_rule(user, obj) if action_rule else True


def check(user, action: str, obj: object) -> None:
    """Raise NotVisible when the user may not see `obj`, Forbidden when they see it but may not act."""
    if not can(user, "item.view", obj):
        _log_denial(404, action, obj)
        raise NotVisible()
    if not can(user, action, obj):
        _log_denial(403, action, obj)
        raise Forbidden()


def check_allowed(user, action: str) -> None:
    """Raise Forbidden unless the user's roles allow `action` (for changes that concern no one object)."""
    if not has_role_for(user, action):
        _log_denial(403, action)
        raise Forbidden()


def _log_denial(status: int, action: str, obj: object | None = None, **details) -> None:
    if obj is not None:
        details[f"{type(obj).__name__.lower()}_id"] = getattr(obj, "id", None)
    security_log.warning("authz_denied", extra={"event": "authz_denied", "status": status, "action": action,
                                                "endpoint": request.endpoint if has_request_context() else None,
                                                **details})


# --- scoped loading ----------------------------------------------------------------------------

def items_visible_to(user) -> Select:
    """SELECT of the work items `user` may see: all for readers of every body, their bodies' items
    for body staff, none for anyone else."""
    query = select(WorkItem)
    if not has_role_for(user, "item.view"):
        return query.where(False)
    if not sees_all_items(user):
        query = query.where(
            exists().where(ItemBody.item_id == WorkItem.id, ItemBody.body_id.in_(list(user.body_ids)))
        )
    return query


def get_item_or_404(user, item_id: int) -> WorkItem:
    """The item if the user may see it; otherwise NotVisible (404), whether or not it exists."""
    item = db.session.scalar(items_visible_to(user).where(WorkItem.id == item_id))
    if item is None:
        _log_denial(404, "item.view", item_id=item_id)
        raise NotVisible()
    return item


def get_document_or_404(user, item: WorkItem, document_id: int, *, removed: bool = False) -> ItemDocument:
    """A document of this visible item (another item's document id is a 404 like an unknown one).
    Removed documents only when asked for (`removed=True`): they are no longer served."""
    document = db.session.get(ItemDocument, document_id)
    if (document is None or document.item_id != item.id or not can(user, "item.view", document)
            or (document.removed_at is not None and not removed)):
        _log_denial(404, "document.view", item_id=item.id, document_id=document_id)
        raise NotVisible()
    return document


def get_body_or_404(user, body_id: int) -> Body:
    """A responsible body whose work the user may see: any body for readers of every body, their own bodies
    for body staff; otherwise NotVisible (404), whether or not it exists."""
    body = db.session.get(Body, body_id)
    if body is None or not has_role_for(user, "item.view") or not (sees_all_items(user) or body.id in user.body_ids):
        _log_denial(404, "body.view", body_id=body_id)
        raise NotVisible()
    return body


def get_instruction_or_404(user, instruction_id: int) -> Instruction:
    """An instruction on an item the user may see, for a user who may see instructions; otherwise NotVisible."""
    instruction = db.session.get(Instruction, instruction_id)
    if (instruction is None or not has_role_for(user, "instruction.view")
            or not _instruction_in_scope(user, instruction)):
        _log_denial(404, "instruction.view", instruction_id=instruction_id)
        raise NotVisible()
    return instruction


# --- route declarations ------------------------------------------------------------------------

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


def deny(status: int, reason: str) -> None:
    _log_denial(status, reason)
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
        deny(403, action)
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
