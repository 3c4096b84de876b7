"""Assignment (交办): the office gives an item its bodies — lead (牵头) and supporting (配合) — its
months or due month, its Standing Committee meeting, its kind of work and its title.

Each change writes one history entry that says what changed from what to what, and marks the
fields as set by hand (`WorkItem.manual_fields`), so a re-import of the plan text keeps them
where the text says nothing (portal.plans.operations). The audit trail records the rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from portal import authz
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.history import record
from portal.items.kinds import WORK_KINDS
from portal.models import Body, ItemBody, Plan, User, WorkItem
from portal.timeutil import month_name, year_month_name
from portal.uow import flush_or_conflict

TITLE_MAX = 300
ASSIGNABLE = ("title", "bodies", "months", "due", "meeting_month", "work_kind")
FIELD_NAMES = {
    "title": _l("标题"), "bodies": _l("责任单位"), "months": _l("月份"), "due": _l("完成时间"),
    "meeting_month": _l("常委会会议"), "work_kind": _l("工作类型"),
}


@dataclass
class Assignment:
    """What the office sets on an item; `None` leaves a field as it is."""

    title: str | None = None
    lead_ids: list[int] | None = None
    supporting_ids: list[int] = field(default_factory=list)
    months: list[int] | None = None
    due: date | None = None          # the first day of the due month; with `set_due`
    set_due: bool = False
    meeting_month: int | None = None  # 0 clears it; with `set_meeting`
    set_meeting: bool = False
    work_kind: str | None = None      # "" clears it


def bodies_text(item: WorkItem) -> str:
    """"A、B（牵头）；C（配合）" — how a history entry names the bodies."""
    sep = pgettext("list separator", "、")
    lead = sep.join(b.label for b in item.lead_bodies)
    supporting = sep.join(b.label for b in item.supporting_bodies)
    parts = [_("%(b)s（牵头）", b=lead)] if lead else []
    if supporting:
        parts.append(_("%(b)s（配合）", b=supporting))
    return pgettext("message separator", "；").join(parts) or "—"


def _field_text(item: WorkItem, name: str) -> str:
    if name == "bodies":
        return bodies_text(item)
    if name == "months":
        return pgettext("list separator", "、").join(month_name(m) for m in item.months) or "—"
    if name == "due":
        return year_month_name(item.assigned_due, item.plan.year) if item.assigned_due else "—"
    if name == "meeting_month":
        return month_name(item.meeting_month) if item.meeting_month else "—"
    if name == "work_kind":
        return str(WORK_KINDS.get(item.work_kind or "", "—"))
    return item.title


def body_pairs(lead_ids: list[int], supporting_ids: list[int]) -> list[tuple[int, bool]]:
    """(body id, lead) in order, each body once: a body ticked both lead and supporting leads."""
    seen: dict[int, bool] = {}
    for body_id in lead_ids:
        seen.setdefault(body_id, True)
    for body_id in supporting_ids:
        seen.setdefault(body_id, False)
    return list(seen.items())


def set_bodies(item: WorkItem, pairs: list[tuple[int, bool]]) -> None:
    """Replace the item's bodies, keeping rows that stay (their positions and lead flag updated)."""
    existing = {a.body_id: a for a in item.assignments}
    item.assignments = [
        _assignment(existing.get(body_id), item, body_id, n, lead) for n, (body_id, lead) in enumerate(pairs)
    ]


def _assignment(row: ItemBody | None, item: WorkItem, body_id: int, position: int, lead: bool) -> ItemBody:
    row = row or ItemBody(item_id=item.id, body_id=body_id)
    row.position, row.lead = position, lead
    return row


def _validate(item: WorkItem, change: Assignment) -> dict[str, str]:
    errors: dict[str, str] = {}
    if change.title is not None:
        title = " ".join(change.title.split())
        if not title:
            errors["title"] = _("请填写标题。")
        elif len(title) > TITLE_MAX:
            errors["title"] = _("标题不能超过 %(n)s 字。", n=TITLE_MAX)
    if change.lead_ids is not None:
        wanted = set(change.lead_ids) | set(change.supporting_ids)
        active = set(db.session.scalars(db.select(Body.id).where(Body.id.in_(wanted), Body.active)))
        if wanted - active:
            errors["bodies"] = _("所选单位不存在或已停用。")
        elif wanted and not change.lead_ids:
            errors["bodies"] = _("请至少指定一个牵头单位。")
    if change.months is not None and any(not 1 <= m <= 12 for m in change.months):
        errors["months"] = _("月份须在 1 到 12 之间。")
    if change.set_due and change.due is not None and not item.plan.year <= change.due.year <= item.plan.year + 1:
        errors["due"] = _("完成时间只能在本年度或下一年度。")
    if change.set_meeting and change.meeting_month and not 1 <= change.meeting_month <= 12:
        errors["meeting_month"] = _("月份须在 1 到 12 之间。")
    if change.work_kind and change.work_kind not in WORK_KINDS:
        errors["work_kind"] = _("未知的工作类型。")
    if change.work_kind is not None and (change.work_kind or None) != item.work_kind and any(
            s.done_on is not None or s.note for s in item.stages):
        errors["work_kind"] = _("已有环节完成或填写了备注，不能再更改工作类型。")
    return errors


def assign_item(user: User, item: WorkItem, change: Assignment, *, version: int | None) -> list[str]:
    """Apply `change` to `item`; returns the names of the fields that changed (nothing written if none)."""
    authz.check(user, "item.assign", item)
    if version is None or version != item.version:
        raise Conflict(item)
    errors = _validate(item, change)
    if errors:
        raise Invalid(errors)
    before = {name: _field_text(item, name) for name in ASSIGNABLE}
    if change.title is not None:
        item.title = " ".join(change.title.split())
    if change.lead_ids is not None:
        pairs = body_pairs(change.lead_ids, change.supporting_ids)
        if [(a.body_id, a.lead) for a in item.assignments] != pairs:
            set_bodies(item, pairs)
            flush_or_conflict(item)
            db.session.refresh(item, ["assignments"])
    if change.months is not None:
        item.months = sorted(set(change.months))
    if change.set_due:
        item.assigned_due = change.due
    if change.set_meeting:
        item.meeting_month = change.meeting_month or None
    if change.work_kind is not None and (change.work_kind or None) != item.work_kind:
        item.stages.clear()  # unticked copies only (checked above): the new kind's stages come at the next tick
        item.work_kind = change.work_kind or None
    changed = [name for name in ASSIGNABLE if _field_text(item, name) != before[name]]
    if not changed:
        return []
    item.manual_fields = sorted(set(item.manual_fields or []) | set(changed))
    lines = [_("%(field)s：%(a)s → %(b)s", field=FIELD_NAMES[name], a=before[name], b=_field_text(item, name))
             for name in changed]
    record(item, user, "assign", "", ",".join(changed), "\n".join(lines))
    flush_or_conflict(item)
    if "meeting_month" in changed and item.parent_id is None:
        from portal.meetings.operations import sync_agenda  # the agenda follows the meeting month the office set

        sync_agenda(item.plan.year)
    return changed


def assign_bodies_many(user: User, items: list[WorkItem], lead_ids: list[int], supporting_ids: list[int]) -> int:
    """Bulk assignment from the list: the same bodies for every ticked item; returns how many changed."""
    changed = 0
    for item in {i.id: i for i in items}.values():
        if assign_item(user, item, Assignment(lead_ids=lead_ids, supporting_ids=supporting_ids), version=item.version):
            changed += 1
    return changed


def set_plan_default_bodies(user: User, plan: Plan, body_ids: list[int]) -> int:
    """The bodies that carry this plan's items when the text names none (代表工作计划 → 选工委).

    Also gives them to the plan's items that have no body yet; returns how many items got them.
    """
    authz.check_allowed(user, "plan.defaults")
    bodies = list(db.session.scalars(db.select(Body).where(Body.id.in_(body_ids), Body.active)))
    if len(bodies) != len(set(body_ids)):
        raise Invalid({"bodies": _("所选单位不存在或已停用。")})
    plan.default_bodies = sorted(bodies, key=lambda b: b.sort_order)
    orphans = db.session.scalars(db.select(WorkItem).where(WorkItem.plan_id == plan.id, ~WorkItem.assignments.any()))
    count = 0
    for item in orphans:
        assign_item(user, item, Assignment(lead_ids=[b.id for b in plan.default_bodies]), version=item.version)
        count += 1
    db.session.flush()
    return count

