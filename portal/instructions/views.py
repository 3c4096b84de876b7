"""The instructions panel of the item page (templates/instructions/panel.html) and the leaders' list
of every instruction (templates/instructions/index.html)."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import authz
from portal.authz import requires
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.instructions import bp, operations
from portal.items.documents import ACCEPT_ATTRIBUTE, max_document_bytes
from portal.models import Instruction, WorkItem
from portal.timeutil import today
from portal.uow import saving

PANEL = "instructions/panel.html"


def panel_context(item: WorkItem, **extra) -> dict:
    return {"item": item, "instructions": operations.instructions_of(item), "instruction_today": today(),
            "instruction_documents": operations.answer_documents, "DOCUMENT_ACCEPT": ACCEPT_ATTRIBUTE,
            "INSTRUCTION_STATES": operations.STATE_LABELS, "instruction_errors": {}, "instruction_typed": {}} | extra


def _reply_by(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid({"reply_by": _("请填写有效的日期。")}) from None


def answer_panel(item: WorkItem, change, **typed):
    """Make `change` in one unit of work; answer with the panel (htmx) or a redirect to the item page."""
    errors = {}
    try:
        with saving():
            change()
    except Invalid as exc:
        errors = exc.errors
    except Conflict:
        errors = {"form": _("他人已处理此批示，请刷新后重试。")}
    if wants_fragment():
        response = render(PANEL, block="panel", status=400 if errors else 200,
                          **panel_context(item, instruction_errors=errors, instruction_typed=typed if errors else {}))
        return response if errors else add_trigger(response, "item-history-updated", {"id": item.id})
    for message in errors.values():
        flash(message, "error")
    target = request.form.get("next", "")
    if target == "list" and authz.has_role_for(current_user, "instruction.list"):
        return redirect(url_for("instructions.index"))
    return redirect(url_for("items.detail", item_id=item.id, _anchor="instructions"))


@bp.route("/items/<int:item_id>/instructions", methods=["POST"])
@requires("instruction.write")
def write(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    text, reply_by = request.form.get("text", ""), request.form.get("reply_by", "")
    return answer_panel(item, lambda: operations.write_instruction(current_user, item, text, _reply_by(reply_by)),
                        text=text, reply_by=reply_by)


def _loaded(instruction_id: int) -> tuple[Instruction, WorkItem]:
    instruction = authz.get_instruction_or_404(current_user, instruction_id)
    return instruction, authz.get_item_or_404(current_user, instruction.item_id)


@bp.route("/instructions/<int:instruction_id>/acknowledge", methods=["POST"])
@requires("instruction.answer")
def acknowledge(instruction_id: int):
    instruction, item = _loaded(instruction_id)
    return answer_panel(item, lambda: operations.acknowledge(current_user, instruction))


@bp.route("/instructions/<int:instruction_id>/answer", methods=["POST"])
@requires("instruction.answer")
def answer(instruction_id: int):
    instruction, item = _loaded(instruction_id)
    text = request.form.get("answer", "")
    # Read one byte past the limit: enough to know a file is too big without holding all of it.
    files = [(upload.filename, upload.stream.read(max_document_bytes() + 1))
             for upload in request.files.getlist("documents") if upload.filename]
    return answer_panel(item, lambda: operations.answer(current_user, instruction, text, files),
                        answer=text, instruction_id=instruction.id)


@bp.route("/instructions/<int:instruction_id>/close", methods=["POST"])
@requires("instruction.write")
def close(instruction_id: int):
    instruction, item = _loaded(instruction_id)
    return answer_panel(item, lambda: operations.close(current_user, instruction))


@bp.route("/instructions")
@requires("instruction.list")
def index():
    """Every instruction with its state, newest first; `?state=` narrows to one state."""
    now = today()
    visible = authz.items_visible_to(current_user).subquery()
    rows = db.session.scalars(
        select(Instruction).join(WorkItem, WorkItem.id == Instruction.item_id).join(WorkItem.plan)
        .where(WorkItem.id.in_(select(visible.c.id)))
        .options(contains_eager(Instruction.item).contains_eager(WorkItem.plan))
        .order_by(Instruction.id.desc())
    ).unique().all()
    state = request.args.get("state", "")
    counts = {key: 0 for key in operations.STATE_LABELS}
    for row in rows:
        counts[row.state(now)] += 1
    if state in operations.STATE_LABELS:
        rows = [r for r in rows if r.state(now) == state]
    return render("instructions/index.html", block="list", instructions=rows, state=state, counts=counts,
                  instruction_today=now, INSTRUCTION_STATES=operations.STATE_LABELS, total=sum(counts.values()))
