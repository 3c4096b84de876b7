"""Responsible bodies (责任单位): names, kind, the other spellings plan texts use, order, retiring.

Aliases are stored normalised (portal.plans.bodies.normalize_body_key), as the importer looks
them up, and one spelling names one body: a spelling another body already has (as an alias,
its full name or its short name) is refused with the body that has it. A body that carries
work or people is never deleted, only retired (active = False): its items, history and
accounts keep pointing at it. Each function checks, changes and flushes; the unit of work audits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import exists, select

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.models import BODY_KINDS, Body, BodyAlias, ItemBody, ItemEvent, User
from portal.models.plans import plan_default_body
from portal.models.users import leader_body, user_body
from portal.plans.bodies import normalize_body_key

NAME_MAX, SHORT_NAME_MAX, ALIAS_MAX = 80, 40, 80


@dataclass
class BodyFields:
    name: str = ""
    short_name: str = ""
    kind: str = ""
    aliases: str = ""  # one a line, as typed
    sort_order: str = "0"
    active: bool = True


def _owner_of_spelling(key: str, body: Body | None) -> Body | None:
    """Another body that a normalised spelling already names (alias, full name or short name)."""
    for other in db.session.scalars(select(Body)):
        if body is not None and other.id == body.id:
            continue
        spellings = {normalize_body_key(other.name), normalize_body_key(other.short_name or "")}
        spellings |= {a.alias for a in other.aliases}
        if key in spellings:
            return other
    return None


def _clean(body: Body | None, fields: BodyFields) -> tuple[str, str, int, list[str]]:
    errors = {}
    name = " ".join((fields.name or "").split())
    short_name = " ".join((fields.short_name or "").split())
    if not name:
        errors["name"] = _("请填写单位全称。")
    elif len(name) > NAME_MAX:
        errors["name"] = _("全称不能超过 %(n)s 字。", n=NAME_MAX)
    elif db.session.scalar(select(Body.id).where(Body.name == name, Body.id != (body.id if body else -1))):
        errors["name"] = _("已有名为「%(name)s」的单位。", name=name)
    elif (owner := _owner_of_spelling(normalize_body_key(name), body)) is not None:
        errors["name"] = _("「%(name)s」已是「%(body)s」的一种写法。", name=name, body=owner.name)
    if len(short_name) > SHORT_NAME_MAX:
        errors["short_name"] = _("简称不能超过 %(n)s 字。", n=SHORT_NAME_MAX)
    if fields.kind not in BODY_KINDS:
        errors["kind"] = _("请选择单位类别。")
    try:
        sort_order = int((fields.sort_order or "0").strip())
        if not -10000 <= sort_order <= 10000:
            raise ValueError
    except ValueError:
        errors["sort_order"] = _("排序须是 -10000 到 10000 之间的整数。")
        sort_order = 0
    aliases, clashes = [], []
    own_name = normalize_body_key(name)
    for line in (fields.aliases or "").splitlines():
        key = normalize_body_key(line)
        if not key or key == own_name or key in aliases:
            continue
        if len(key) > ALIAS_MAX:
            errors["aliases"] = _("每种写法不能超过 %(n)s 字。", n=ALIAS_MAX)
            continue
        owner = _owner_of_spelling(key, body)
        if owner is not None:
            clashes.append(_("「%(alias)s」已是「%(body)s」的写法", alias=line.strip(), body=owner.name))
            continue
        aliases.append(key)
    if clashes:
        errors["aliases"] = _("一种写法只能属于一个单位：%(list)s。", list=pgettext("message separator", "；").join(clashes))
    if errors:
        raise Invalid(errors)
    return name, short_name, sort_order, aliases


def save_body(actor: User, body: Body | None, fields: BodyFields) -> Body:
    """Add a body (body None) or change one; the alias list replaces the stored one."""
    authz.check_allowed(actor, "body.manage")
    name, short_name, sort_order, aliases = _clean(body, fields)
    if body is None:
        body = Body(name=name, kind=fields.kind)
        db.session.add(body)
    body.name, body.short_name, body.kind, body.sort_order = name, short_name, fields.kind, sort_order
    body.active = bool(fields.active)
    kept = [a for a in body.aliases if a.alias in aliases]
    body.aliases = kept + [BodyAlias(alias=key) for key in aliases if key not in {a.alias for a in kept}]
    db.session.flush()
    return body


def body_in_use(body: Body) -> bool:
    """Does anything point at the body: items, history, accounts (members or 分管), a plan's default bodies?"""
    checks = (
        exists().where(ItemBody.body_id == body.id),
        exists().where(ItemEvent.body_id == body.id),
        exists().where(user_body.c.body_id == body.id),
        exists().where(leader_body.c.body_id == body.id),
        exists().where(plan_default_body.c.body_id == body.id),
    )
    return any(db.session.scalar(select(check)) for check in checks)


def delete_body(actor: User, body: Body) -> None:
    authz.check_allowed(actor, "body.manage")
    if body_in_use(body):
        raise Invalid({"delete": _("该单位有事项或人员，不能删除，只能停用（取消“在用”）。")})
    db.session.delete(body)
    db.session.flush()
