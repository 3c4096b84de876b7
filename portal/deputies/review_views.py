"""The review queue of deputy affairs (选工委): confirm, or return with a reason, one in place or many at once."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.authz import requires
from portal.deputies import bp
from portal.deputies.pages import Page, count_up_to_cap, name_choices, page_number
from portal.deputies.records import KIND_NAMES, STATE_NAMES, get_record_or_404, records_visible_to, review
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.models import Deputy, DeputyGroup, DutyRecord
from portal.models.deputies import DUTY_KINDS
from portal.uow import saving
from portal.pagecache import cached_page

QUEUE = "deputies/review.html"


def queue_context(args, **extra) -> dict:
    filters = {"group": args.get("group", ""), "kind": args.get("kind", "")}
    query = records_visible_to(current_user).where(DutyRecord.state == "submitted")
    if filters["group"].isdigit():
        query = query.where(DutyRecord.deputy_id.in_(select(Deputy.id).where(Deputy.group_id == int(filters["group"]))))
    if filters["kind"] in DUTY_KINDS:
        query = query.where(DutyRecord.kind == filters["kind"])
    total = count_up_to_cap(query)
    number, pages = page_number(args, total)
    rows = db.session.scalars(query.order_by(DutyRecord.date, DutyRecord.id).limit(Page.size)
                              .offset((number - 1) * Page.size)).unique().all()
    groups = name_choices(DeputyGroup)
    return {"page": Page(rows, number, pages, total), "filters": filters, "groups": groups, "KIND_NAMES": KIND_NAMES,
            "STATE_NAMES": STATE_NAMES, "errors": {}, **extra}


@bp.route("/duty-records/review")
@requires("duty.review")
@cached_page
def review_queue():
    return render(QUEUE, block="queue", **queue_context(request.args))


def _one(record_id: int, action: str):
    record = get_record_or_404(current_user, record_id)
    reason = request.form.get("reason", "")
    try:
        with saving():
            review(current_user, [record], action, reason)
    except Invalid as error:
        if wants_fragment():
            return render(QUEUE, block="record_row", status=400, record=record, KIND_NAMES=KIND_NAMES,
                          STATE_NAMES=STATE_NAMES, errors={record.id: error.errors.get("reason", "")}, typed=reason)
        return render(QUEUE, status=400, **queue_context(request.args, errors={record.id: error.errors.get("reason", "")}))
    except Conflict:
        db.session.refresh(record)
        if wants_fragment():
            return render(QUEUE, block="record_row", status=409, record=record, KIND_NAMES=KIND_NAMES,
                          STATE_NAMES=STATE_NAMES, errors={record.id: _("该记录已由他人处理。")})
        return render(QUEUE, status=409, **queue_context(request.args))
    if wants_fragment():
        response = render(QUEUE, block="record_row", record=record, KIND_NAMES=KIND_NAMES, STATE_NAMES=STATE_NAMES,
                          errors={})
        return add_trigger(response, "duty-reviewed", {"id": record.id, "state": record.state})
    return redirect(url_for("deputies.review_queue"))


@bp.route("/duty-records/<int:record_id>/confirm", methods=["POST"])
@requires("duty.review")
def confirm_record(record_id: int):
    return _one(record_id, "confirm")


@bp.route("/duty-records/<int:record_id>/return", methods=["POST"])
@requires("duty.review")
def return_record(record_id: int):
    return _one(record_id, "return")


@bp.route("/duty-records/review/bulk", methods=["POST"])
@requires("duty.review")
def bulk_review():
    ids = [int(i) for i in request.form.getlist("records") if i.isdigit()]
    action, reason = request.form.get("action", ""), request.form.get("reason", "")
    records = db.session.scalars(records_visible_to(current_user).where(DutyRecord.id.in_(ids))).unique().all()
    problem, status = None, 400
    if not records:
        problem = _("请先勾选要处理的记录。")
    else:
        try:
            with saving():
                done = review(current_user, records, action, reason)
        except Invalid as error:
            problem = next(iter(error.errors.values()))
        except Conflict:
            problem, status = _("所选记录中有的已由他人处理，请刷新后重试。"), 409
    if problem:
        return render(QUEUE, status=status,
                      **queue_context(request.args, bulk_error=problem, typed=reason))
    return redirect(url_for("deputies.review_queue", done=done))
