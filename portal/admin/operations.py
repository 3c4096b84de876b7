"""Editing the standard stages (标准工作环节) per kind of work. Each function checks, changes and flushes;
the unit of work audits every change (portal.uow).

Items that have started their stages keep their own copies (ItemStage), so these edits only
shape items whose first stage is still to be ticked.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.items.kinds import WORK_KINDS
from portal.items.stages import STAGE_NAME_MAX, templates_for
from portal.models import StageTemplate, User

ACTIONS = ("save", "up", "down", "delete")


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())  # one line: the name is copied into items and their history
    if not name:
        raise Invalid({"name": _("请填写环节名称。")})
    if len(name) > STAGE_NAME_MAX:
        raise Invalid({"name": _("环节名称不能超过 %(n)s 字。", n=STAGE_NAME_MAX)})
    return name


def _renumber(work_kind: str) -> None:
    for n, template in enumerate(templates_for(work_kind), 1):
        template.position = n


def add_stage_template(user: User, work_kind: str, name: str) -> StageTemplate:
    authz.check_allowed(user, "stage_template.edit")
    if work_kind not in WORK_KINDS:
        raise Invalid({"work_kind": _("未知的工作类型。")})
    name = _clean_name(name)
    last = db.session.scalar(select(func.max(StageTemplate.position)).where(StageTemplate.work_kind == work_kind))
    template = StageTemplate(work_kind=work_kind, position=(last or 0) + 1, name=name)
    db.session.add(template)
    db.session.flush()
    return template


def edit_stage_template(user: User, template: StageTemplate, action: str, name: str | None = None) -> None:
    """Rename, move up or down one place, or delete a template row; positions stay 1..n."""
    authz.check_allowed(user, "stage_template.edit")
    if action not in ACTIONS:
        raise Invalid({"name": _("未知的操作。")})
    if action == "save":
        template.name = _clean_name(name)
    elif action == "delete":
        db.session.delete(template)
        db.session.flush()
        _renumber(template.work_kind)
    else:
        siblings = templates_for(template.work_kind)
        index = siblings.index(template)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for n, row in enumerate(siblings, 1):
                row.position = n
    db.session.flush()
