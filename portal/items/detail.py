"""The item page (templates/items/detail.html) and the changes made on it.

Each control is a real form that posts and redirects; htmx posts the same form and gets the
block of the page the form lives in. Other regions then ask for their own block
(`/items/<id>/regions/<name>`) on the events the answer triggers:
- "item-updated": the status changed (stages, history);
- "item-stages-updated": a stage changed, so did the item's version (status panel, history);
- "item-history-updated": a note or a document was added or removed (history).
The status form also lives in each workspace row; its answer is that row (portal.items.workspace).
"""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal import authz
from portal.redirects import safe_next
from portal.authz import requires
from portal.pagecache import cached_page
from portal.errors import Conflict, Invalid, NotVisible
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import bp, documents, kinds, lights, notes, queries, stages
from portal.items.forms import DocumentForm, NoteForm, StageForm, StatusForm, WorkKindForm
from portal.items.rows import meeting_text, postponed_text, schedule_text
from portal.items.stages import open_stage_count
from portal.items.status import tasks_of
from portal.items.status import DONE, STATUS_LABELS, StatusChange, allowed_targets, change_status, postponement
from portal.items.workspace import row_response
from portal.instructions import operations as instruction_ops
from portal.meetings import followup
from portal.meetings import operations as meeting_ops
from portal.meetings.operations import meeting_label
from portal.models import ItemDocument, WorkItem
from portal.models.meetings import VOTE_RESULTS
from portal.timeutil import today
from portal.uow import saving

TEMPLATE = "items/detail.html"
REGIONS = ("stages", "history", "status_panel", "documents")


def detail_context(item: WorkItem, **extra) -> dict:
    """What every block of the page may need; each part is computed only when its block asks (callables)."""
    stage_rows = stages.stage_rows(item)  # the open count needs them anyway: read once, not again for the block
    return {
        "item": item,
        "light": lights.light_for(item, today()),
        "schedule": schedule_text(item),
        "postponed": postponed_text(item),
        "meeting": meeting_text(item),
        "allowed_targets": allowed_targets,
        "open_stages": sum(1 for row in stage_rows if not row.done),
        "history": lambda: queries.item_history(item),
        "tasks": lambda: tasks_of(item),
        "parent": db.session.get(WorkItem, item.parent_id) if item.parent_id else None,
        "stage_rows": lambda: stage_rows,
        "stage_date_bounds": stages.stage_date_bounds(item),
        "item_documents": lambda: item_documents(item),
        "WORK_KINDS": kinds.WORK_KINDS,
        "DOCUMENT_CATEGORIES": documents.DOCUMENT_CATEGORIES,
        "DOCUMENT_ACCEPT": documents.ACCEPT_ATTRIBUTE,
        "DOCUMENT_MAX_MB": documents.max_document_megabytes(),
        "errors": {},
        "form": None,
        "conflict": False,
        # 批示 (portal.instructions): templates/instructions/panel.html, included in the page.
        "instructions": lambda: instruction_ops.instructions_of(item),
        "instruction_documents": instruction_ops.answer_documents,
        "instruction_today": today(),
        "INSTRUCTION_STATES": instruction_ops.STATE_LABELS,
        # 常委会会议 and the follow-up after the hearing (portal.meetings): templates/meetings/followup_panel.html.
        "agenda_meeting": lambda: agenda_meeting(item),
        "meeting_label": meeting_label,
        "followup": lambda: followup.item_status(item, today()),
        "followup_errors": {},
        "followup_typed": {},
        "RESULT_LABELS": followup.RESULT_LABELS,
        "VOTE_RESULTS": VOTE_RESULTS,
        "followup_today": today(),
    } | extra


def agenda_meeting(item: WorkItem):
    """The meeting whose agenda the item is on (not dropped), or None."""
    entry = meeting_ops.entry_of(item)
    return entry.meeting if entry is not None and entry.state == meeting_ops.ON else None


def item_documents(item: WorkItem) -> list[ItemDocument]:
    """The item's current documents, newest first: one query, uploader joined, bytes not loaded.
    Those of instruction answers are listed with their instruction (templates/instructions/panel.html)."""
    return list(db.session.scalars(
        db.select(ItemDocument).where(ItemDocument.item_id == item.id, ItemDocument.removed_at.is_(None),
                                      ItemDocument.instruction_id.is_(None))
        .order_by(ItemDocument.id.desc())
    ))


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """Sizes in the user's language: "45 字节", "12.3 KB", "1.2 MB"."""
    if size < 1024:
        return _("%(n)s 字节", n=format_decimal(size))
    if size < 1024 * 1024:
        return f"{format_decimal(round(size / 1024, 1))} KB"
    return f"{format_decimal(round(size / 1024 / 1024, 1))} MB"


def page(item: WorkItem, block: str | None, status: int = 200, **extra):
    """The detail page, or one of its blocks for htmx, with what the user typed and the errors."""
    return render(TEMPLATE, block=block, status=status, **detail_context(item, **extra))


def done_or_redirect(item: WorkItem, block: str, event: str, anchor: str, **extra):
    if wants_fragment():
        return add_trigger(page(item, block, **extra), event, {"id": item.id})
    return redirect(url_for("items.detail", item_id=item.id, _anchor=anchor))


@bp.route("/items/<int:item_id>")
@requires("item.view")
@cached_page(reads=("work",))
def detail(item_id: int):
    return page(authz.get_item_or_404(current_user, item_id), None)


@bp.route("/items/<int:item_id>/regions/<name>")
@requires("item.view")
@cached_page(reads=("work",))
def region(item_id: int, name: str):
    """One region of the page, refreshed on its own after another region changed the item."""
    item = authz.get_item_or_404(current_user, item_id)
    if name not in REGIONS:
        abort(404)
    if not wants_fragment():
        return redirect(url_for("items.detail", item_id=item.id, _anchor=name.replace("_", "-")))
    return page(item, name)


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@requires("item.update_status")
def update_status(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = StatusForm()
    errors = form.field_errors() if not form.validate() else {}
    status_code, conflict, warning = 200, False, ""
    if not errors:
        change = StatusChange(form.status.data or "", form.note.data or "",
                              postponement(form.month.data, form.year.data, item.plan.year))
        try:
            with saving():
                change_status(current_user, item, change, version=form.version.data)
        except Conflict as exc:
            item, status_code, conflict = exc.item, 409, True
            db.session.refresh(item)
        except Invalid as exc:
            errors, status_code = exc.errors, 400
        else:
            # Counted only for a completion, the one change that warns of them (a status change leaves stages as they are).
            stages_open = open_stage_count(item) if item.status == DONE else 0
            if stages_open:
                warning = _("已标记为已完成；提醒：还有 %(n)s 个工作环节未勾选。", n=stages_open)
    else:
        status_code = 400
    typed = {"form": form, "errors": errors, "conflict": conflict, "status_warning": warning}
    if wants_fragment():
        if form.view.data == "detail":
            response = page(item, "status_panel", status_code, **typed)
        else:
            response = row_response(item, status_code, **typed)
        if status_code == 200:
            add_trigger(response, "item-updated", {"id": item.id, "status": item.status})
        return response
    if status_code == 200:
        flash(warning or _("状态已更新为“%(s)s”。", s=STATUS_LABELS[item.status]), "success")
        if request.form.get("next"):  # back to the list, at the row just changed
            return redirect(f"{safe_next(request.form['next'])}#item-{item.id}")
        return redirect(url_for("items.detail", item_id=item.id))
    return page(item, None, status_code, **typed)


@bp.route("/items/<int:item_id>/stages/<int:position>", methods=["POST"])
@requires("item.work")
def tick_stage(item_id: int, position: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = StageForm()
    typed = {"position": position, "done": form.done.data, "date": form.date.data or "", "note": form.note.data or ""}
    try:
        with saving():
            stages.tick_stage(current_user, item, position, done=form.done.data, date_text=form.date.data or "",
                              note=form.note.data or "", version=form.version.data, stage_name=form.stage.data)
    except Conflict as exc:
        item = exc.item
        db.session.refresh(item)
        return page(item, "stages", 409, stage_typed=typed | {"conflict": True})
    except Invalid as exc:
        return page(item, "stages", 400, stage_typed=typed | {"errors": exc.errors})
    return done_or_redirect(item, "stages", "item-stages-updated", "stages")


@bp.route("/items/<int:item_id>/notes", methods=["POST"])
@requires("item.work")
def add_note(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = NoteForm()
    try:
        with saving():
            notes.add_note(current_user, item, form.note.data or "")
    except Invalid as exc:
        return page(item, "notes", 400, note_typed=form.note.data or "", note_errors=exc.errors)
    return done_or_redirect(item, "notes", "item-history-updated", "history", note_saved=True)


@bp.route("/items/<int:item_id>/documents", methods=["POST"])
@requires("item.work")
def upload_document(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = DocumentForm()
    upload = form.file.data if form.file.data is not None and hasattr(form.file.data, "stream") else None
    # Read one byte past the limit: enough to know a file is too big without holding all of it.
    data = upload.stream.read(documents.max_document_bytes() + 1) if upload is not None else None
    category = form.category.data or ""
    try:
        with saving():
            documents.upload_document(current_user, item, category=category,
                                      filename=upload.filename if upload else None, data=data)
    except Invalid as exc:
        return page(item, "documents", 400, document_typed={"category": category}, document_errors=exc.errors)
    return done_or_redirect(item, "documents", "item-history-updated", "documents")


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """Over MAX_CONTENT_LENGTH the request is refused before the view runs (CSRF reads the form first).

    For an upload, answer with the item's page and the message next to the file field, so the
    user keeps the page. Elsewhere on this blueprint, and for htmx (whose 413 answers are not
    swapped), the application's own 413 answer.
    """
    if request.endpoint == "items.upload_document" and not wants_fragment() and authz.has_role_for(current_user, "item.work"):
        try:
            item = authz.get_item_or_404(current_user, request.view_args["item_id"])
        except NotVisible:
            item = None
        if item is not None and authz.can(current_user, "item.work", item):
            return page(item, None, 413, document_errors={"file": documents.too_large_message()})
    app_handler = current_app.error_handler_spec.get(None, {}).get(413, {}).get(RequestEntityTooLarge)
    return app_handler(error) if app_handler else error


@bp.route("/items/<int:item_id>/documents/<int:document_id>")
@requires("item.view")
def download_document(item_id: int, document_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    document = authz.get_document_or_404(current_user, item, document_id)
    response = send_file(
        # A fresh stream over the bytes; the name only becomes the download name (RFC 5987 filename*).
        io.BytesIO(document.data), mimetype=document.content_type, as_attachment=True,
        download_name=document.filename, conditional=False, etag=False, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it anyway, it gets no scripts, no plugins and no same-origin powers.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/items/<int:item_id>/documents/<int:document_id>/remove", methods=["POST"])
@requires("item.work")
def remove_document(item_id: int, document_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    document = authz.get_document_or_404(current_user, item, document_id, removed=True)
    with saving():
        documents.remove_document(current_user, item, document)
    return done_or_redirect(item, "documents", "item-history-updated", "documents")


@bp.route("/items/<int:item_id>/kind", methods=["POST"])
@requires("item.classify")
def set_work_kind(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = WorkKindForm()
    typed = {"work_kind": form.work_kind.data or ""}
    try:
        with saving():
            kinds.set_work_kind(current_user, item, form.work_kind.data or "", version=form.version.data)
    except Conflict as exc:
        item = exc.item
        db.session.refresh(item)
        return page(item, "stages", 409, kind_typed=typed | {"conflict": True})
    except Invalid as exc:
        return page(item, "stages", 400, kind_typed=typed | {"errors": exc.errors})
    return done_or_redirect(item, "stages", "item-stages-updated", "stages")
