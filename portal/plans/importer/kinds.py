"""The kind of work (工作类型) an imported item is, read from its plan, section and title.

The keys are those of the standard stages (portal.items.stages): a kind picks the stages an
item's work goes through. Pure: text in, key out.
"""
from __future__ import annotations

LAW_INSPECTION, WORK_REPORT, INQUIRY, RESEARCH, APPRAISAL, DECISION = (
    "law_inspection", "work_report", "inquiry", "research", "appraisal", "decision",
)


def classify_work_kind(plan_key: str, section_title: str, title: str) -> str | None:
    """The kind of work of an imported item, from its plan, section and title; None when no rule fits.

    The order matters — "结合听取审议…报告，…进行专题询问" is an inquiry and
    "听取审议《…》执法检查报告" is a law inspection, although both also read like a work report.
    """
    section_title, title = section_title or "", title or ""
    if plan_key in ("work_points", "deputy_work"):
        return None  # narrative plans: their points are not single pieces of supervision work
    if plan_key == "decisions":
        return DECISION
    if "法律法规实施情况的检查" in section_title or "执法检查" in section_title or "执法检查" in title:
        return LAW_INSPECTION
    if "专题询问" in section_title or "专题询问" in title:
        return INQUIRY
    if "述职测评" in section_title or "述职测评" in title:
        return APPRAISAL
    if "专题调研" in section_title or "专题调研" in title or "开展调研" in title:
        return RESEARCH
    if "听取审议工作报告" in section_title or section_title.startswith("审查和批准决算"):
        return WORK_REPORT
    if plan_key == "supervision" and title.startswith(("听取审议", "听取", "审议")) and "报告" in title:
        return WORK_REPORT
    return None
