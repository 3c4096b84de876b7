"""Standard stages (标准工作环节) of each kind of work, and ticking an item's stages.

标准人大建设 asks for a standard per kind of work. The defaults below follow the wording of
the committee's own documents (DOMAIN.md gives 执法检查 and 听取审议工作报告; the others follow
the same pattern: plan the work, find the facts, report, deliberate, hand over, follow up).
The admin edits them at /admin/stages; items copy them when their first stage is ticked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal import authz
from portal.errors import Conflict, Invalid, NotVisible
from portal.extensions import db
from portal.history import record
from portal.items.kinds import (APPRAISAL, DECISION, GENERAL, INQUIRY, LAW_INSPECTION, RESEARCH, WORK_KINDS,
                                WORK_REPORT)
from portal.items.status import NOTE_MAX
from portal.models import ItemStage, StageTemplate, User, WorkItem
from portal.timeutil import today, utcnow
from portal.uow import flush_or_conflict

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


def templates_by_kind() -> dict[str, list[StageTemplate]]:
    """Every kind with its templates in order (kinds without any included), in one query."""
    result: dict[str, list[StageTemplate]] = {kind: [] for kind in WORK_KINDS}
    for template in db.session.scalars(select(StageTemplate).order_by(StageTemplate.work_kind, StageTemplate.position,
                                                                        StageTemplate.id)):
        result.setdefault(template.work_kind, []).append(template)
    return result


def template_names_by_kind() -> dict[str, list]:
    """`templates_by_kind` for list rows, which summarise the names only: rows of (work_kind, name), no entities."""
    result: dict[str, list] = {kind: [] for kind in WORK_KINDS}
    for template in db.session.execute(select(StageTemplate.work_kind, StageTemplate.name)
                                       .order_by(StageTemplate.work_kind, StageTemplate.position, StageTemplate.id)):
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


def open_stage_count(item) -> int:
    """Stages not yet ticked, for the warning shown when an item is marked done (a warning, not a refusal)."""
    return sum(1 for row in stage_rows(item) if not row.done)


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


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def stage_date_bounds(item: WorkItem) -> tuple[date, date]:
    """A stage can be dated from 1 January of the year before the plan's (preparation starts early) to today."""
    return date(item.plan.year - 1, 1, 1), today()


def _touch(item: WorkItem) -> None:
    """Update the item row so its version goes up; its "WHERE version = ?" makes a concurrent save fail here."""
    item.updated_at = utcnow()
    flush_or_conflict(item)


def _check_version(item: WorkItem, version: int | None) -> None:
    if version is None or version != item.version:
        raise Conflict(item)


def tick_stage(
    user: User, item: WorkItem, position: int, *, done: bool, date_text: str = "", note: str = "",
    version: int | None, stage_name: str | None = None,
) -> ItemStage | None:
    """Mark stage `position` of `item` done on a date (or not done), with a note.

    The first tick copies the kind's templates into the item's own stages. Returns the stage,
    or None when nothing changed (nothing is written then).
    """
    authz.check(user, "item.work", item)
    stored = {s.position: s for s in item.stages}
    templates = [] if stored else templates_for(item.work_kind)
    names = {p: s.name for p, s in stored.items()} or {t.position: t.name for t in templates}
    if position not in names:
        raise NotVisible()
    _check_version(item, version)
    if stage_name is not None and stage_name != names[position]:
        raise Conflict(item)  # the page showed another stage at this place: the templates were edited since

    note = (note or "").strip()
    errors: dict[str, str] = {}
    done_on = None
    if done:
        earliest, latest = stage_date_bounds(item)
        date_text = (date_text or "").strip()
        if not date_text:
            done_on = latest
        elif not _ISO_DATE.fullmatch(date_text):
            errors["date"] = _("日期格式应为 年-月-日，例如 %(d)s。", d=latest.isoformat())
        else:
            try:
                done_on = date.fromisoformat(date_text)
            except ValueError:
                errors["date"] = _("没有这个日期。")
            else:
                if done_on > latest:
                    errors["date"] = _("完成日期不能晚于今天。")
                elif done_on < earliest:
                    errors["date"] = _("完成日期不能早于 %(d)s。", d=earliest.isoformat())
    if len(note) > NOTE_MAX:
        errors["note"] = _("备注不能超过 %(n)s 字。", n=NOTE_MAX)
    if errors:
        raise Invalid(errors)

    stage = stored.get(position)
    before = (stage.done_on, stage.note) if stage else (None, "")
    if (done_on, note) == before:
        return None
    _touch(item)
    if stage is None:
        for template in templates:
            item.stages.append(ItemStage(item_id=item.id, position=template.position, name=template.name))
        stage = next(s for s in item.stages if s.position == position)
    stage.done_on = done_on
    stage.note = note
    stage.done_by_id = user.id if done_on else None
    record(item, user, "stage", _iso(before[0]), _iso(done_on), f"{stage.name}\n{note}".rstrip("\n"))
    flush_or_conflict(item)
    return stage


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
