"""The work on an item: ticking its stages, progress notes, documents, its kind of work.

Same pattern as portal.items.operations: each function takes the acting user, checks, changes,
writes the history row and flushes; the view commits. Errors are the exceptions of that module.

History rows written here (ItemEvent):
- kind "stage":    from/to = the stage's completion date before/after ("" = not done);
                   note = the stage's name, a newline, then the note typed with the tick.
- kind "note":     note = the progress note.
- kind "document": from = the category key, to = "uploaded" | "removed", note = the file name.
- kind "kind":     from/to = the work kind before/after ("" = not classified).
"""
from __future__ import annotations

import hashlib
import logging
import re
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from portal.extensions import db
from portal.items import documents as docs
from portal.items.operations import Conflict, Invalid, NotVisible, check_access, flush_or_conflict, record
from portal.items.stages import WORK_KINDS, templates_for
from portal.items.status import NOTE_MAX
from portal.models import ItemDocument, ItemStage, User, WorkItem
from portal.timeutil import today, utcnow

log = logging.getLogger("portal.items")

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
    check_access(user, "item.work", item)
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


def add_note(user: User, item: WorkItem, note: str) -> None:
    """A progress note (进展情况): history only, the item itself does not change (no version check)."""
    check_access(user, "item.work", item)
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": _("请填写进展情况。")})
    if len(note) > NOTE_MAX:
        raise Invalid({"note": _("进展情况不能超过 %(n)s 字。", n=NOTE_MAX)})
    record(item, user, "note", "", "", note)
    db.session.flush()


def max_document_bytes() -> int:
    return int(current_app.config["DOCUMENT_MAX_BYTES"])


def max_document_megabytes() -> str:
    return f"{max_document_bytes() / 1024 / 1024:.3g}"


def too_large_message() -> str:
    return _("文件超过 %(mb)s MB 的大小限制，未上传。", mb=max_document_megabytes())


def upload_document(user: User, item: WorkItem, *, category: str, filename: str | None, data: bytes | None) -> ItemDocument:
    """Store a document after checking its category, size and type (by content; the name must agree)."""
    check_access(user, "item.work", item)
    errors: dict[str, str] = {}
    if category not in docs.DOCUMENT_CATEGORIES:
        errors["category"] = _("请选择材料类别。")
    name = docs.display_filename(filename)
    if data is None or (not data and not name):
        errors["file"] = _("请选择要上传的文件。")
    elif not data:
        errors["file"] = _("文件是空的。")
    elif len(data) > max_document_bytes():
        errors["file"] = too_large_message()
    else:
        kind = docs.sniff(data)
        allowed = "、".join(t.label for t in docs.ALLOWED_TYPES.values())
        if kind == docs.MACROS:
            errors["file"] = _("不接受含有宏的 Office 文件，请另存为不含宏的 .docx 或 .xlsx 后再上传。")
        elif kind is None:
            errors["file"] = _("只能上传 %(types)s 文件；此文件的内容不属于这些类型，未上传。", types=allowed)
        elif docs.extension(name) not in docs.ALLOWED_TYPES[kind].extensions:
            expected = docs.ALLOWED_TYPES[kind]
            errors["file"] = _("文件名的扩展名与内容不符：内容是 %(kind)s，扩展名应为 %(ext)s。",
                               kind=expected.label, ext="、".join("." + e for e in expected.extensions))
    if errors:
        if "file" in errors:
            log.warning("document_refused", extra={"event": "document_refused", "item_id": item.id,
                                                   "reason": errors["file"][:80]})
        raise Invalid(errors)
    document = ItemDocument(
        item_id=item.id, category=category, filename=name, content_type=docs.ALLOWED_TYPES[kind].content_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=user.id,
    )
    db.session.add(document)
    record(item, user, "document", category, "uploaded", name)
    db.session.flush()
    return document


def remove_document(user: User, item: WorkItem, document: ItemDocument) -> bool:
    """Soft-remove: the file is no longer offered or served, its row and bytes stay for the history."""
    check_access(user, "item.work", item)
    if document.item_id != item.id:
        raise NotVisible()
    if document.removed_at is not None:
        return False
    document.removed_at = utcnow()
    document.removed_by_id = user.id
    record(item, user, "document", document.category, "removed", document.filename)
    db.session.flush()
    return True


def set_work_kind(user: User, item: WorkItem, work_kind: str, *, version: int | None) -> bool:
    """Classify an item by hand (admin). Refused once a stage has been recorded: that work would lose its frame."""
    check_access(user, "item.classify", item)
    _check_version(item, version)
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
