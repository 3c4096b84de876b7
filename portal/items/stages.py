"""Kinds of work and their standard stages (标准工作环节).

标准人大建设 asks for a standard per kind of work. The defaults below follow the wording of
the committee's own documents (DOMAIN.md gives 执法检查 and 听取审议工作报告; the others follow
the same pattern: plan the work, find the facts, report, deliberate, hand over, follow up).
The admin edits them at /admin/stages; items copy them when their first stage is ticked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal.extensions import db
from portal.models import StageTemplate

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

# Stored in Chinese (the source language, as in the plan texts): these are data, copied into items.
DEFAULT_STAGES: dict[str, tuple[str, ...]] = {
    LAW_INSPECTION: ("制定方案", "实地检查", "起草报告", "提请常委会会议审议", "审议意见交办", "研究处理情况反馈"),
    WORK_REPORT: ("调研", "起草报告", "常委会会议审议", "审议意见交办", "整改反馈"),
    INQUIRY: ("制定方案", "专题调研", "梳理询问问题", "常委会会议专题询问", "审议意见交办", "整改情况反馈"),
    APPRAISAL: ("制定方案", "调查了解", "审阅述职报告", "常委会会议述职测评", "测评结果通报", "整改情况反馈"),
    RESEARCH: ("制定方案", "实地调研", "起草调研报告", "报送主任会议", "调研意见交办反馈"),
    DECISION: ("调研论证", "起草决定（决议）草案", "征求意见", "提请常委会会议审议", "公布决定（决议）", "督促贯彻落实"),
    GENERAL: (),
}

STAGE_NAME_MAX = 100


def classify_work_kind(plan_key: str, section_title: str, title: str) -> str | None:
    """The kind of work of an imported item, from its plan, section and title; None when no rule fits.

    Pure: text in, key out. The order matters — "结合听取审议…报告，…进行专题询问" is an inquiry and
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


def templates_by_kind() -> dict[str, list[StageTemplate]]:
    """Every kind with its templates in order (kinds without any included), in one query."""
    result: dict[str, list[StageTemplate]] = {kind: [] for kind in WORK_KINDS}
    for template in db.session.scalars(select(StageTemplate).order_by(StageTemplate.work_kind, StageTemplate.position,
                                                                        StageTemplate.id)):
        result.setdefault(template.work_kind, []).append(template)
    return result


def templates_for(work_kind: str | None) -> list[StageTemplate]:
    if not work_kind:
        return []
    return list(db.session.scalars(
        select(StageTemplate).where(StageTemplate.work_kind == work_kind).order_by(StageTemplate.position, StageTemplate.id)
    ))


def ensure_stage_templates() -> bool:
    """Seed the default stages when there are no templates at all; True if it did. Idempotent.

    Only an empty table is seeded: an admin who removes every stage of a kind means it, and the
    next plan import must not bring them back.
    """
    if db.session.scalar(select(exists().select_from(StageTemplate))):
        return False
    for kind, names in DEFAULT_STAGES.items():
        db.session.add_all(StageTemplate(work_kind=kind, position=n, name=name) for n, name in enumerate(names, 1))
    db.session.flush()
    return True


@dataclass
class StageRow:
    """One line of an item's checklist: a stored ItemStage, or a template not yet copied (unticked)."""

    position: int
    name: str
    done_on: date | None = None
    note: str = ""
    done_by: object = None
    stored: bool = False

    @property
    def done(self) -> bool:
        return self.done_on is not None


def stage_rows(item) -> list[StageRow]:
    """The item's checklist: its stored stages, else its kind's current templates. At most two queries.

    Showing the templates without storing them keeps GET free of writes; the first tick (a POST)
    copies them into ItemStage rows.
    """
    if item.stages:
        return [StageRow(s.position, s.name, s.done_on, s.note, s.done_by, True) for s in item.stages]
    return [StageRow(t.position, t.name) for t in templates_for(item.work_kind)]


@dataclass(frozen=True)
class StageSummary:
    """Where an item stands in its stages, for a list row: "2/6 起草报告"."""

    done: int
    total: int
    current: str  # the first stage not yet done; the last one when all are done


def stage_summary(item, stored: list, templates: dict[str, list[StageTemplate]]) -> StageSummary | None:
    """From the item's stored stages, else its kind's templates (none done). No queries: both are preloaded."""
    if stored:
        steps = [(s.name, s.done_on is not None) for s in stored]
    else:
        steps = [(t.name, False) for t in templates.get(item.work_kind or "", [])]
    if not steps:
        return None
    current = next((name for name, done in steps if not done), steps[-1][0])
    return StageSummary(sum(done for _name, done in steps), len(steps), current)
