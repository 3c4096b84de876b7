"""Kinds of work (工作类型) whose standard stages apply to an item, and classifying an item by hand."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import authz
from portal.errors import Conflict, Invalid
from portal.history import record
from portal.models import User, WorkItem
from portal.uow import flush_or_conflict

LAW_INSPECTION, WORK_REPORT, INQUIRY, RESEARCH, APPRAISAL, DECISION, GENERAL = (
    "law_inspection", "work_report", "inquiry", "research", "appraisal", "decision", "general",
)

# In the order the supervision plan lists them. GENERAL is an explicit "other work, no standard
# stages" chosen by the admin, as opposed to None ("not classified yet", which an import may fill).
WORK_KINDS = {
    LAW_INSPECTION: _l("执法检查"),
    WORK_REPORT: _l("听取审议工作报告"),
    INQUIRY: _l("专题询问"),
    APPRAISAL: _l("述职测评"),
    RESEARCH: _l("专题调研"),
    DECISION: _l("重大事项决定"),
    GENERAL: _l("其他工作"),
}

def set_work_kind(user: User, item: WorkItem, work_kind: str, *, version: int | None) -> bool:
    """Classify an item by hand (admin). Refused once a stage has been recorded: that work would lose its frame."""
    authz.check(user, "item.classify", item)
    if version is None or version != item.version:
        raise Conflict(item)
    if work_kind and work_kind not in WORK_KINDS:
        raise Invalid({"work_kind": _("未知的工作类型。")})
    new = work_kind or None
    if new == item.work_kind:
        return False
    if any(s.done_on is not None or s.note for s in item.stages):
        raise Invalid({"work_kind": _("已有环节完成或填写了备注，不能再更改工作类型。")})
    before = item.work_kind or ""
    item.stages.clear()  # unticked copies only: the new kind's templates are copied at the next tick
    item.work_kind = new
    record(item, user, "kind", before, new or "")
    flush_or_conflict(item)
    return True
