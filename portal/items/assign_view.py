"""The office's assignment page of an item (templates/items/assign.html): bodies lead and supporting,
months or due month, meeting, kind of work, title; and its tasks (分解). Also bulk assignment."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from portal import authz
from portal.inputs import as_id, form_ids
from portal.authz import requires
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import bp, kinds, tasks
from portal.items.assignment import Assignment, assign_bodies_many, assign_item
from portal.items.status import follow_tasks
from portal.items.workspace import current_filter_args, filters_from, workspace_context
from portal.models import Body, WorkItem
from portal.uow import saving

TEMPLATE = "items/assign.html"


def _ids(name: str) -> list[int]:
    return form_ids(name)


def _month(name: str) -> int | None:
    value = as_id(request.form.get(name))
    return value if value is not None and 1 <= value <= 12 else None


def _year_month(year_field: str, month_field: str) -> date | None:
    """A year-month from two selects; None when the month is left empty."""
    month, year = _month(month_field), as_id(request.form.get(year_field))
    if month is None:
        return None
    return date(year, month, 1) if year is not None and 1990 <= year <= 2100 else None


def page(item: WorkItem, status: int = 200, **extra):
    bodies = db.session.scalars(db.select(Body).where(Body.active).order_by(Body.sort_order)).all()
    context = {"item": item, "bodies": bodies, "tasks": tasks.tasks_of(item), "WORK_KINDS": kinds.WORK_KINDS,
               "errors": {}, "task_errors": {}, "typed": None, "task_typed": None} | extra
    return render(TEMPLATE, status=status, **context)


@bp.route("/items/<int:item_id>/assign")
@requires("item.assign")
def assign(item_id: int):
    return page(authz.get_item_or_404(current_user, item_id))


@bp.route("/items/<int:item_id>/assign", methods=["POST"])
@requires("item.assign")
def save_assignment(item_id: int):
    item = authz.get_item_or_404(current_user, item_id)
    form = request.form
    version = form.get("version", "")
    change = Assignment(
        title=form.get("title", ""),
        lead_ids=_ids("lead"), supporting_ids=_ids("supporting"),
        months=[m for m in (_ids("months")) if 1 <= m <= 12],
        due=_year_month("due_year", "due_month"), set_due=True,
        meeting_month=_month("meeting_month") or 0, set_meeting=True,
        work_kind=form.get("work_kind", ""),
    )
    try:
        with saving():
            changed = assign_item(current_user, item, change, version=as_id(version))
            if form.get("follow_tasks") and item.status_by_hand:
                item.status_by_hand = False
                follow_tasks(item, current_user)
    except Conflict as exc:
        db.session.refresh(exc.item)
        return page(exc.item, 409, conflict=True, typed=form)
    except Invalid as exc:
        return page(item, 400, errors=exc.errors, typed=form)
    flash(_("已保存交办信息。") if changed else _("没有改动。"), "success")
    return redirect(url_for("items.detail", item_id=item.id))


@bp.route("/items/<int:item_id>/tasks", methods=["POST"])
@requires("item.decompose")
def add_task(item_id: int):
    parent = authz.get_item_or_404(current_user, item_id)
    form = request.form
    try:
        with saving():
            task = tasks.add_task(current_user, parent, title=form.get("title", ""), lead_ids=_ids("lead"),
                                  supporting_ids=_ids("supporting"), due=_year_month("due_year", "due_month"),
                                  text=form.get("text", ""))
    except Invalid as exc:
        return page(parent, 400, task_errors=exc.errors, task_typed=form)
    flash(_("已添加分解任务：%(t)s", t=task.title), "success")
    return redirect(url_for("items.assign", item_id=parent.id, _anchor="tasks"))


@bp.route("/items/bulk-assign", methods=["POST"])
@requires("item.assign")
def bulk_assign():
    """Give the ticked items the same bodies: the office's part of the list's bulk bar."""
    filters = filters_from(current_filter_args())
    wanted = {n for n in (as_id(v.partition(":")[0]) for v in request.form.getlist("items")) if n is not None}
    errors, summary = {}, ""
    if not wanted:
        errors = {"form": _("请先勾选要交办的事项。")}
    else:
        items = list(db.session.scalars(authz.items_visible_to(current_user).where(WorkItem.id.in_(wanted))))
        if len(items) != len(wanted):
            authz.deny(404, "item.assign")
        try:
            with saving():
                changed = assign_bodies_many(current_user, items, _ids("lead"), _ids("supporting"))
        except Invalid as exc:
            errors = {"form": pgettext("message separator", "；").join(str(v) for v in exc.errors.values())}
        else:
            summary = ngettext("已交办 %(num)s 项。", "已交办 %(num)s 项。", changed)
    if not wants_fragment():
        flash(summary or _("交办未执行：%(r)s", r=errors["form"]), "error" if errors else "success")
        return redirect(url_for("items.workspace", **filters.as_args(page=filters.page)))
    context = workspace_context(filters) | {"bulk_errors": errors, "bulk_summary": summary}
    response = render("items/workspace.html", block="results", status=400 if errors else 200, **context)
    return add_trigger(response, "item-updated", {"ids": sorted(wanted)}) if summary else response
