"""A deputy's own duty records: the phone form, the list with their figures, and the API."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Response, abort, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import authz
from portal.authz import requires
from portal.deputies import bp
from portal.deputies.records import (KIND_NAMES, STATE_NAMES, TARGETS, RecordForm, deputy_items, deputy_of,
                                     figures, get_record_or_404, records_visible_to, submit_record, term_start)
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import render, wants_fragment
from portal.models import Deputy, DutyRecord, WorkItem
from portal.timeutil import today
from portal.uow import saving

FORM = "deputies/record_form.html"


def _year(args) -> int:
    try:
        year = int(args.get("year", today().year))
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


def _own_deputy() -> Deputy:
    deputy = deputy_of(current_user)
    if deputy is None:
        abort(404)  # an account with the deputy role but no place on the roll
    return deputy


@bp.route("/duty-records/mine")
@requires("duty.own")
def my_records():
    deputy = deputy_of(current_user)
    if deputy is None:  # a deputy account not (yet) on the roll: say so rather than 404 on their home page
        return render("deputies/my_records.html", deputy=None)
    year = _year(request.args)
    records = db.session.scalars(records_visible_to(current_user).where(
        DutyRecord.date >= date(year, 1, 1), DutyRecord.date <= date(year, 12, 31)).order_by(
        DutyRecord.date.desc(), DutyRecord.id.desc())).unique().all()
    mine = figures(year, [deputy.id])
    return render("deputies/my_records.html", deputy=deputy, records=records, year=year,
                  figures=mine[0] if mine else None, TARGETS=TARGETS, KIND_NAMES=KIND_NAMES, STATE_NAMES=STATE_NAMES)


def _form_page(form: RecordForm, record: DutyRecord | None = None, status: int = 200):
    return render(FORM, block="record_form" if status == 400 else None, status=status, form=form, record=record,
                  KIND_NAMES=KIND_NAMES, today=today(), term_start=term_start(),
                  item_title=_item_title(form.item_id, record))


def _item_title(item_id: str, record: DutyRecord | None = None) -> str:
    if not str(item_id).isdigit():
        return ""
    if record is not None and record.item_id == int(item_id) and record.item is not None:
        return record.item.title  # the item a prefilled record came with
    item = db.session.scalar(deputy_items().where(WorkItem.id == int(item_id)))
    return item.title if item else ""


@bp.route("/duty-records/new")
@requires("duty.own")
def new_record():
    _own_deputy()
    return _form_page(RecordForm(date=today().isoformat()))


def _read_form() -> RecordForm:
    f = request.form
    return RecordForm(date=f.get("date", ""), kind=f.get("kind", ""), place=f.get("place", ""),
                      content=f.get("content", ""), item_id=f.get("item_id", ""))


@bp.route("/duty-records", methods=["POST"])
@requires("duty.own")
def create_record():
    _own_deputy()
    form = _read_form()
    upload = request.files.get("file")
    try:
        with saving():
            record = submit_record(current_user, form, filename=upload.filename if upload else None,
                                   data=upload.read() if upload else None)
    except Invalid:
        return _form_page(form, status=400)
    if wants_fragment():
        return render("deputies/my_records.html", block="record_row", record=record, KIND_NAMES=KIND_NAMES,
                      STATE_NAMES=STATE_NAMES)
    return redirect(url_for("deputies.my_records", saved=record.id))


@bp.route("/duty-records/<int:record_id>/edit")
@requires("duty.own")
def edit_record(record_id: int):
    record = get_record_or_404(current_user, record_id)
    if record.state == "confirmed":
        authz.deny(403, "duty.edit_confirmed")
    form = RecordForm(date=record.date.isoformat(), kind=record.kind, place=record.place, content=record.content,
                      item_id=str(record.item_id or ""))
    return _form_page(form, record)


@bp.route("/duty-records/<int:record_id>", methods=["POST"])
@requires("duty.own")
def update_record(record_id: int):
    record = get_record_or_404(current_user, record_id)
    if record.state == "confirmed":
        authz.deny(403, "duty.edit_confirmed")
    form = _read_form()
    upload = request.files.get("file")
    try:
        with saving():
            submit_record(current_user, form, filename=upload.filename if upload else None,
                          data=upload.read() if upload else None, record=record)
    except Invalid:
        return _form_page(form, record, status=400)
    return redirect(url_for("deputies.my_records", saved=record.id))


@bp.route("/duty-records/items")
@requires("duty.own")
def item_search():
    """HTMX: the items a deputy may name whose title contains what they typed."""
    q = request.args.get("item_q", "").strip()
    items = db.session.scalars(deputy_items(q)).unique().all() if q else []
    # Without JavaScript the search button sends the whole form by GET: the form comes back as typed.
    a = request.args
    form = RecordForm(date=a.get("date", today().isoformat()), kind=a.get("kind", ""), place=a.get("place", ""),
                      content=a.get("content", ""))
    return render(FORM, block="item_choices", items=items, q=q, form=form, record=None, KIND_NAMES=KIND_NAMES,
                  today=today(), term_start=term_start(), item_title=q)


@bp.route("/duty-records/<int:record_id>/attachment")
@requires("duty.archive")
def attachment(record_id: int):
    record = get_record_or_404(current_user, record_id)
    if not record.attachment_name:
        abort(404)
    data = db.session.scalar(select(DutyRecord.attachment_data).where(DutyRecord.id == record.id))
    response = Response(data, mimetype=record.attachment_type)
    response.headers["Content-Disposition"] = "attachment; filename=\"attachment\"; filename*=UTF-8''" + quote(record.attachment_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/api/duty-records")
@requires("duty.list")
def api_records():
    year = _year(request.args)
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(500, max(1, int(request.args.get("per_page", 100))))
    except ValueError:
        return jsonify(error="page and per_page must be numbers"), 400
    query = records_visible_to(current_user).where(DutyRecord.state != "draft", DutyRecord.date >= date(year, 1, 1),
                                                   DutyRecord.date <= date(year, 12, 31))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(DutyRecord.date, DutyRecord.id).limit(per_page)
                              .offset((page - 1) * per_page)).unique().all()
    return jsonify(total=total, records=[{
        "id": r.id, "deputy_number": r.deputy.number, "deputy": r.deputy.name, "date": r.date.isoformat(),
        "kind": r.kind, "place": r.place, "content": r.content, "item_id": r.item_id, "state": r.state,
    } for r in rows])
