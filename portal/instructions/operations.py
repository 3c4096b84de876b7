"""Writing, acknowledging, answering and closing instructions (批示): check, change, history, flush.

Each step writes the item's history ("instruction" entries, portal.history) and, through the
unit of work, the audit trail. The view commits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record
from portal.items.documents import upload_document
from portal.models import Instruction, ItemDocument, User, WorkItem
from portal.timeutil import today, utcnow
from portal.uow import flush_or_conflict

TEXT_MAX = 2000
ANSWER_FILES_MAX = 5
STATE_LABELS = {"unread": _l("未阅"), "read": _l("已阅未复"), "answered": _l("已答复"), "overdue": _l("逾期未复")}


def _text(value: str, field: str, empty_message) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid({field: str(empty_message)})
    if len(value) > TEXT_MAX:
        raise Invalid({field: str(_l("不能超过 %(n)s 字。", n=TEXT_MAX))})
    return value


def write_instruction(user: User, item: WorkItem, text: str, reply_by: date | None) -> Instruction:
    authz.check(user, "instruction.write", item)
    text = _text(text, "text", _l("请填写批示内容。"))
    if reply_by is not None and reply_by < today():
        raise Invalid({"reply_by": str(_l("答复期限不能早于今天。"))})
    instruction = Instruction(item_id=item.id, author_id=user.id, text=text, reply_by=reply_by)
    db.session.add(instruction)
    record(item, user, "instruction", "", "written", text)
    db.session.flush()
    return instruction


def _item(instruction: Instruction) -> WorkItem:
    return db.session.get(WorkItem, instruction.item_id)


def acknowledge(user: User, instruction: Instruction) -> Instruction:
    """已阅: the first reader of the item's bodies marks it read; reading it again changes nothing."""
    item = _item(instruction)
    authz.check(user, "instruction.answer", item)
    if instruction.acknowledged_at is None:
        instruction.acknowledged_at = utcnow()
        instruction.acknowledged_by_id = user.id
        record(item, user, "instruction", "", "acknowledged", "")
        flush_or_conflict(instruction)
    return instruction


def answer(user: User, instruction: Instruction, text: str,
           files: list[tuple[str | None, bytes]] = ()) -> Instruction:
    """办理情况: the answer (it also acknowledges); a later answer replaces it, with its own history entry.
    `files` (name, bytes) are its documents, checked like every item document; one bad file refuses all."""
    item = _item(instruction)
    authz.check(user, "instruction.answer", item)
    if instruction.closed_at is not None:
        raise Invalid({"answer": str(_l("该批示已办结。"))})
    text = _text(text, "answer", _l("请填写办理情况。"))
    if len(files) > ANSWER_FILES_MAX:
        raise Invalid({"answer_file": str(_l("一次最多上传 %(n)s 个文件。", n=ANSWER_FILES_MAX))})
    names = []
    for filename, data in files:
        try:
            names.append(upload_document(user, item, category="instruction_answer", filename=filename, data=data,
                                         instruction_id=instruction.id).filename)
        except Invalid as exc:
            name = filename or ""
            raise Invalid({"answer_file": f"{name}：{exc.errors.get('file', '')}" if name else exc.errors.get("file", "")}) from None
    now = utcnow()
    if instruction.acknowledged_at is None:
        instruction.acknowledged_at, instruction.acknowledged_by_id = now, user.id
    instruction.answer, instruction.answered_at, instruction.answered_by_id = text, now, user.id
    record(item, user, "instruction", "", "answered", text + ("\n附件：" + "、".join(names) if names else ""))
    flush_or_conflict(instruction)
    return instruction


def close(user: User, instruction: Instruction) -> Instruction:
    item = _item(instruction)
    authz.check(user, "instruction.write", item)
    if instruction.closed_at is None:
        instruction.closed_at = utcnow()
        record(item, user, "instruction", "", "closed", "")
        flush_or_conflict(instruction)
    return instruction


def instructions_of(item: WorkItem) -> list[Instruction]:
    return list(db.session.scalars(select(Instruction).where(Instruction.item_id == item.id)
                                   .order_by(Instruction.id.desc())))


def answer_documents(instructions: list[Instruction]) -> dict[int, list[ItemDocument]]:
    """The current documents of these instructions' answers, by instruction id: one query, bytes not loaded."""
    if not instructions:
        return {}
    found: dict[int, list[ItemDocument]] = {}
    for document in db.session.scalars(
            select(ItemDocument).where(ItemDocument.instruction_id.in_([i.id for i in instructions]),
                                       ItemDocument.removed_at.is_(None)).order_by(ItemDocument.id)):
        found.setdefault(document.instruction_id, []).append(document)
    return found


def unacknowledged_marks(user, items: list[WorkItem]) -> set[int]:
    """Which of these items carry an instruction nobody of their bodies has read yet (the workspace mark)."""
    if not items or not authz.has_role_for(user, "instruction.view"):
        return set()
    return set(db.session.scalars(
        select(Instruction.item_id).where(Instruction.item_id.in_([i.id for i in items]),
                                          Instruction.acknowledged_at.is_(None), Instruction.closed_at.is_(None))
    ))
