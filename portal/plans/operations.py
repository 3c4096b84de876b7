"""Storing a parsed plan: add new items, update changed ones, never touch a status.

The same function makes the preview (run, report, roll back) and the real import (run,
report, commit), so what the admin confirms is exactly what happens.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.history import record
from portal.items.stages import ensure_stage_templates
from portal.models import Body, BodyAlias, ItemBody, Plan, Section, User, WorkItem
from portal.models.plans import PLAN_KEYS_ORDER
from portal.plans.bodies import BODY_CATALOG, normalize_body_key
from portal.plans.importer import ParsedDocument, ParsedItem, ParseProblem, classify_work_kind


# Names of the fields an import can change, as people read them (previews and history).
FIELD_LABELS = {
    "title": _l("标题"), "text": _l("内容"), "months": _l("月份"), "schedule": _l("时间安排"),
    "meeting_month": _l("常委会会议"), "bodies": _l("责任单位"),
}


@dataclass
class FieldChange:
    """One field of a stored item that the new text changes: its value before and after."""

    name: str
    old: object
    new: object


@dataclass
class ItemChange:
    item: ParsedItem
    changes: list[FieldChange]

    @property
    def fields(self) -> list[str]:
        return [c.name for c in self.changes]


@dataclass
class ManualConflict:
    """A field the office set by hand that the new text states differently: the admin chooses."""

    key: str  # "plan:section:seq:field", the name of the choice in the confirm form
    item: ParsedItem
    name: str
    manual: object
    text: object
    kept: bool  # True: the hand-set value stays (the default)


@dataclass
class ImportReport:
    year: int
    added: list[ParsedItem] = field(default_factory=list)
    updated: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0
    plans_added: list[str] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    missing_from_text: list[str] = field(default_factory=list)  # stored items the new text no longer has (kept)
    conflicts: list[ManualConflict] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.updated or self.plans_added)

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "added": [f"{i.plan} {i.section_no}.{i.seq} {i.title}" for i in self.added],
            "updated": [{"item": f"{c.item.plan} {c.item.section_no}.{c.item.seq} {c.item.title}", "fields": c.fields,
                         "changes": {f.name: {"old": f.old, "new": f.new} for f in c.changes}}
                        for c in self.updated],
            "unchanged": self.unchanged,
            "plans_added": self.plans_added,
            "not_placed": [{"line": p.line, "code": p.code, "message": p.message} for p in self.problems],
            "missing_from_text": self.missing_from_text,
            "conflicts": [{"choice": c.key, "field": c.name, "manual": c.manual, "text": c.text, "kept": c.kept}
                          for c in self.conflicts],
        }


def ensure_catalog_bodies() -> None:
    """Create the bodies of the built-in catalogue (DOMAIN.md) and their aliases where missing.

    Also seeds the standard stages (portal.items.stages) on first use, so every path that
    prepares an import (demo load, CLI, the import screen) has them."""
    existing = {b.name: b for b in db.session.scalars(select(Body).options(selectinload(Body.aliases)))}
    known_aliases = set(db.session.scalars(select(BodyAlias.alias)))
    for order, spec in enumerate(BODY_CATALOG):
        body = existing.get(spec.name)
        if body is None:
            body = Body(name=spec.name, short_name=spec.short_name, kind=spec.kind, sort_order=order)
            db.session.add(body)
        for alias in spec.aliases:
            key = normalize_body_key(alias)
            if key and key != normalize_body_key(spec.name) and key not in known_aliases:
                body.aliases.append(BodyAlias(alias=key))
                known_aliases.add(key)
    db.session.flush()
    ensure_stage_templates()


def alias_map() -> dict[str, str]:
    """normalized name or alias -> canonical body name, from the database (admins may add aliases)."""
    mapping = {normalize_body_key(b.name): b.name for b in db.session.scalars(select(Body))}
    for alias, name in db.session.execute(select(BodyAlias.alias, Body.name).join(Body)):
        mapping[alias] = name
    return mapping


def _plan_order(key: str) -> int:
    return PLAN_KEYS_ORDER.index(key) if key in PLAN_KEYS_ORDER else len(PLAN_KEYS_ORDER)


def import_plan(doc: ParsedDocument, year: int, user: User | None = None,
                choices: dict[str, str] | None = None) -> ImportReport:
    """Add or update the document's plans for `year`. Flushes; the caller commits or rolls back.

    Fields the office set by hand (交办, WorkItem.manual_fields) are kept where the text says nothing;
    where the text states something else, the report lists a ManualConflict and `choices[key]` ==
    "text" takes the text's value (anything else keeps the hand-set one). A plan's items whose text
    names no body get the plan's default bodies (代表工作计划 → 选工委).
    """
    choices = choices or {}
    report = ImportReport(year=year, problems=list(doc.problems))
    bodies = {b.name: b for b in db.session.scalars(select(Body))}
    body_names = {b.id: b.name for b in bodies.values()}
    plans = {p.key: p for p in db.session.scalars(select(Plan).where(Plan.year == year).options(selectinload(Plan.sections)))}
    stored = {
        (i.plan.key, i.section.number, i.seq): i
        for i in db.session.scalars(
            select(WorkItem).join(WorkItem.plan).where(Plan.year == year, WorkItem.parent_id.is_(None))
            .options(selectinload(WorkItem.assignments))
        )
    }

    for parsed_plan in doc.plans:
        plan = plans.get(parsed_plan.key)
        if plan is None:
            plan = Plan(year=year, key=parsed_plan.key, title=parsed_plan.title, sort_order=_plan_order(parsed_plan.key))
            db.session.add(plan)
            plans[plan.key] = plan
            report.plans_added.append(parsed_plan.title)
        elif plan.title != parsed_plan.title:
            plan.title = parsed_plan.title
        sections = {s.number: s for s in plan.sections}
        wanted = dict(parsed_plan.sections) or {0: ""}
        for number, title in wanted.items():
            if number not in sections:
                sections[number] = Section(number=number, title=title)
                plan.sections.append(sections[number])
            elif sections[number].title != title:
                sections[number].title = title
    db.session.flush()

    sections_by_key = {(p.key, s.number): s for p in plans.values() for s in p.sections}
    seen = set()
    for parsed in doc.items:
        key = (parsed.plan, parsed.section_no, parsed.seq)
        seen.add(key)
        body_ids = [bodies[name].id for name in parsed.bodies if name in bodies]
        item = stored.get(key)
        if item is None:
            section = sections_by_key.get((parsed.plan, parsed.section_no))
            if section is None:  # an item under a section the plan did not list
                section = Section(plan_id=plans[parsed.plan].id, number=parsed.section_no, title=parsed.section_title)
                db.session.add(section)
                db.session.flush()
                sections_by_key[(parsed.plan, parsed.section_no)] = section
            item = WorkItem(plan_id=plans[parsed.plan].id, section_id=section.id, seq=parsed.seq)
            _apply(item, parsed)
            body_ids = body_ids or [b.id for b in plans[parsed.plan].default_bodies]
            item.assignments = [ItemBody(body_id=b, position=n) for n, b in enumerate(dict.fromkeys(body_ids))]
            db.session.add(item)
            db.session.flush()
            record(item, user, "import", "", "added", f"line {parsed.line}")
            report.added.append(parsed)
            continue
        kept = _keep_manual(item, parsed, body_ids, key, choices, report, body_names)
        changed = _apply(item, parsed, kept)
        old_ids = [a.body_id for a in item.assignments]
        if "bodies" not in kept and old_ids != list(dict.fromkeys(body_ids)):
            names = {b.id: b.name for b in bodies.values()}
            changed.append(FieldChange("bodies", [names[b] for b in old_ids if b in names],
                                       [names[b] for b in dict.fromkeys(body_ids)]))
            item.assignments = [ItemBody(body_id=b, position=n) for n, b in enumerate(dict.fromkeys(body_ids))]
        if changed:
            db.session.flush()
            record(item, user, "import", "", "updated", ", ".join(c.name for c in changed))
            report.updated.append(ItemChange(parsed, changed))
        else:
            report.unchanged += 1

    imported_plans = {p.key for p in doc.plans}
    report.missing_from_text = [
        f"{k[0]} {k[1]}.{k[2]} {i.title}" for k, i in stored.items()
        if k not in seen and k[0] in imported_plans and i.source == "import"
    ]
    db.session.flush()
    from portal.meetings.operations import sync_agenda  # the meetings domain builds on the plans, not the reverse

    sync_agenda(year)
    return report


def _keep_manual(item: WorkItem, parsed: ParsedItem, body_ids: list[int], key: tuple, choices: dict[str, str],
                 report: ImportReport, body_names: dict[int, str]) -> set[str]:
    """The hand-set fields this import leaves alone: those the text says nothing of, and those whose
    different text value the admin did not choose. A field taken from the text is no longer hand-set."""
    text_values = {"title": parsed.title, "months": parsed.months, "meeting_month": parsed.meeting_month,
                   "bodies": list(dict.fromkeys(body_ids))}
    current = {"title": item.title, "months": item.months, "meeting_month": item.meeting_month,
               "bodies": [a.body_id for a in item.assignments]}
    kept = set()
    for name in set(item.manual_fields or []) & set(text_values):
        text, manual = text_values[name], current[name]
        if text in (None, "", []) or text == manual:
            kept.add(name)
            continue
        choice_key = ":".join(map(str, key)) + f":{name}"
        take_text = choices.get(choice_key) == "text"
        shown = (lambda v: [body_names.get(b, b) for b in v]) if name == "bodies" else (lambda v: v)
        report.conflicts.append(ManualConflict(choice_key, parsed, name, shown(manual), shown(text), not take_text))
        if take_text:
            item.manual_fields = [f for f in item.manual_fields if f != name]
        else:
            kept.add(name)
    return kept


def _apply(item: WorkItem, parsed: ParsedItem, kept: set[str] = frozenset()) -> list[FieldChange]:
    """Copy the text's fields onto the item, except `kept`; return those that changed. Status is not among them."""
    changed = []
    values = {
        "title": parsed.title,
        "text": parsed.text,
        "months": parsed.months,
        "schedule": parsed.schedule,
        "meeting_month": parsed.meeting_month,
        "source_line": parsed.line,
    }
    for name, value in values.items():
        if name in kept:
            continue
        old = getattr(item, name)
        if old != value:
            setattr(item, name, value)
            if name != "source_line":
                changed.append(FieldChange(name, list(old) if isinstance(old, list) else old, value))
    if item.work_kind is None:  # set once: an admin's later choice is never overwritten by a re-import
        item.work_kind = classify_work_kind(parsed.plan, parsed.section_title, parsed.title)
    return changed


def add_item_by_hand(
    user: User, section: Section, *, title: str, text: str, months: list[int], meeting_month: int | None,
    body_ids: list[int],
) -> WorkItem:
    """An item the 主任会议 adds during the year (e.g. under 其他监督事项), numbered after the section's last."""
    last = db.session.scalar(select(func.max(WorkItem.seq)).where(WorkItem.section_id == section.id)) or 0
    item = WorkItem(plan_id=section.plan_id, section_id=section.id, seq=last + 1, title=title, text=text or title,
                    meeting_month=meeting_month, source="manual",
                    work_kind=classify_work_kind(section.plan.key, section.title, title))
    item.months = sorted(set(months) | ({meeting_month} if meeting_month else set()))
    item.assignments = [ItemBody(body_id=b, position=n) for n, b in enumerate(dict.fromkeys(body_ids))]
    db.session.add(item)
    db.session.flush()
    record(item, user, "import", "", "manual", "")
    return item
