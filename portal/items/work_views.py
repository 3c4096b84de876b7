"""Stages, progress notes, documents and the kind of work of an item, on the items blueprint.

Each control is a real form that posts and redirects; htmx posts the same form and gets the
block of templates/items/detail.html that the form lives in. Other parts of the page refresh
themselves on the events these answers trigger (see the template):
- "item-stages-updated": a stage changed, so did the item's version (status panel, history);
- "item-history-updated": a note or a document was added or removed (history).
"""
from __future__ import annotations

import io

from flask import abort, current_app, redirect, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from portal import authz
from portal.authz import requires
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import queries, work_operations as ops
from portal.items.documents import ACCEPT_ATTRIBUTE, DOCUMENT_CATEGORIES
from portal.items.forms import DocumentForm, NoteForm, StageForm, WorkKindForm
from portal.items.operations import Conflict, Invalid
from portal.items.stages import WORK_KINDS, stage_rows
from portal.items.views import bp, detail_context, saving
from portal.models import ItemDocument, WorkItem

DETAIL = "items/detail.html"


# Read helpers for templates/items/detail.html, so that every view rendering the page (the detail
# view, the status form's error answers, the views below) shows the same stages and documents.
@bp.app_template_global("item_stage_rows")
def item_stage_rows(item: WorkItem):
    return stage_rows(item)


@bp.app_template_global("item_documents")
def item_documents(item: WorkItem) -> list[ItemDocument]:
    """The item's current documents, newest first: one query, uploader joined, bytes not loaded."""
    return list(db.session.scalars(
        select(ItemDocument).where(ItemDocument.item_id == item.id, ItemDocument.removed_at.is_(None))
        .order_by(ItemDocument.id.desc())
    ))


@bp.app_template_global("stage_date_bounds")
def stage_date_bounds(item: WorkItem):
    return ops.stage_date_bounds(item)


@bp.app_context_processor
def work_labels() -> dict:
    return {"WORK_KINDS": WORK_KINDS, "DOCUMENT_CATEGORIES": DOCUMENT_CATEGORIES, "DOCUMENT_ACCEPT": ACCEPT_ATTRIBUTE,
            "DOCUMENT_MAX_MB": ops.max_document_megabytes()}


def page(item: WorkItem, block: str | None, status: int = 200, **extra):
    """The detail page, or one of its blocks for htmx, with what the user typed and the errors."""
    context = detail_context(item) | extra
    return render(DETAIL, block=block, status=status, **context)


def done_or_redirect(item: WorkItem, block: str, event: str, anchor: str, **extra):
    if wants_fragment():
        return add_trigger(page(item, block, **extra), event, {"id": item.id})
    return redirect(url_for("items.detail", item_id=item.id, _anchor=anchor))


@bp.route("/items/<int:item_id>/stages/<int:position>", methods=["POST"])
@requires("item.work")
def tick_stage(item_id: int, position: int):
    item = queries.get_visible_item(current_user, item_id)
    form = StageForm()
    typed = {"position": position, "done": form.done.data, "date": form.date.data or "", "note": form.note.data or ""}
    try:
        with saving():
            ops.tick_stage(current_user, item, position, done=form.done.data, date_text=form.date.data or "",
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
    item = queries.get_visible_item(current_user, item_id)
    form = NoteForm()
    try:
        with saving():
            ops.add_note(current_user, item, form.note.data or "")
    except Invalid as exc:
        return page(item, "notes", 400, note_typed=form.note.data or "", note_errors=exc.errors)
    return done_or_redirect(item, "notes", "item-history-updated", "history", note_saved=True)


@bp.route("/items/<int:item_id>/documents", methods=["POST"])
@requires("item.work")
def upload_document(item_id: int):
    item = queries.get_visible_item(current_user, item_id)
    form = DocumentForm()
    upload = form.file.data if form.file.data is not None and hasattr(form.file.data, "stream") else None
    # Read one byte past the limit: enough to know a file is too big without holding all of it.
    data = upload.stream.read(ops.max_document_bytes() + 1) if upload is not None else None
    category = form.category.data or ""
    try:
        with saving():
            ops.upload_document(current_user, item, category=category, filename=upload.filename if upload else None,
                                data=data)
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
    if (request.endpoint == "items.upload_document" and not wants_fragment()
            and authz.has_role_for(current_user, "item.work")):
        item = db.session.scalar(authz.items_visible_to(current_user).where(WorkItem.id == request.view_args["item_id"]))
        if item is not None and authz.can(current_user, "item.work", item):
            return page(item, None, 413, document_errors={"file": ops.too_large_message()})
    app_handler = current_app.error_handler_spec.get(None, {}).get(413, {}).get(RequestEntityTooLarge)
    return app_handler(error) if app_handler else error


def visible_document(item: WorkItem, document_id: int) -> ItemDocument:
    """A document of this item (an id of another item's document is a 404 like any unknown id)."""
    document = db.session.get(ItemDocument, document_id)
    if document is None or document.item_id != item.id:
        authz.security_log.warning("authz_denied", extra={"event": "authz_denied", "item_id": item.id,
                                                          "document_id": document_id, "action": "document"})
        abort(404)
    return document


@bp.route("/items/<int:item_id>/documents/<int:document_id>")
@requires("item.view")
def download_document(item_id: int, document_id: int):
    item = queries.get_visible_item(current_user, item_id)
    document = visible_document(item, document_id)
    if document.removed_at is not None:
        abort(404)
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
    item = queries.get_visible_item(current_user, item_id)
    document = visible_document(item, document_id)
    with saving():
        ops.remove_document(current_user, item, document)
    return done_or_redirect(item, "documents", "item-history-updated", "documents")


@bp.route("/items/<int:item_id>/kind", methods=["POST"])
@requires("item.classify")
def set_work_kind(item_id: int):
    item = queries.get_visible_item(current_user, item_id)
    form = WorkKindForm()
    try:
        with saving():
            ops.set_work_kind(current_user, item, form.work_kind.data or "", version=form.version.data)
    except Conflict as exc:
        item = exc.item
        db.session.refresh(item)
        return page(item, "stages", 409, kind_typed={"work_kind": form.work_kind.data or "", "conflict": True})
    except Invalid as exc:
        return page(item, "stages", 400, kind_typed={"work_kind": form.work_kind.data or "", "errors": exc.errors})
    return done_or_redirect(item, "stages", "item-stages-updated", "stages")
