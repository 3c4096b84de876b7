from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.accounts.views import safe_next
from portal import authz
from portal.authz import requires
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import operations, queries, schedule, stages
from portal.items.forms import BulkStatusForm, StatusForm
from portal.items.status import allowed_targets
from portal.models import Body, WorkItem
from portal.plans.export import item_json
from portal.timeutil import today

bp = Blueprint("items", __name__)


@contextmanager
def saving():
    """One unit of work: commit what the block changed, or roll it all back.

    A refusal answers 404 (not visible) or 403 (visible, not allowed); Conflict and Invalid go
    on to the view, which shows them with what the user typed.
    """
    try:
        yield
        db.session.commit()
    except operations.NotVisible:
        db.session.rollback()
        abort(404)
    except operations.Forbidden:
        db.session.rollback()
        abort(403)
    except BaseException:
        db.session.rollback()
        raise


def filters_from(args) -> queries.ItemFilters:
    """The workspace filters of a query string; the latest plan year when none is chosen."""
    filters = queries.ItemFilters.from_args(args)
    if filters.year is None:
        filters.year = queries.latest_year()
    return filters


def workspace_context(filters: queries.ItemFilters) -> dict:
    items = queries.visible_items(current_user, filters)
    return {
        "filters": filters,
        "years": queries.available_years(),
        "plans": queries.plans_for_year(filters.year) if filters.year else [],
        "bodies": db.session.scalars(db.select(Body).order_by(Body.sort_order)).all()
        if current_user.role != "staff" else current_user.bodies,
        "items": items,
        "counters": queries.count_items(items),
        "LIGHT_LABELS": schedule.LIGHT_LABELS,
    } | row_context(items)


def row_context(items: list) -> dict:
    """What a list row needs, whether rendered in the page or alone after an update."""
    stored = queries.stages_of(items)
    templates = stages.templates_by_kind()
    return {
        "today": today(),
        "light_for": schedule.light_for,
        "allowed_targets": allowed_targets,
        "return_to": page_url(),
        "stage_of": lambda item: stages.stage_summary(item, stored.get(item.id, []), templates),
    }


def page_url() -> str:
    """The page the user is on: for an htmx request the address htmx reports, else this request's."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.full_path.rstrip("?")


@bp.route("/items")
@requires("item.view")
def workspace():
    # A filtered list also re-sends the section filter out of band: it follows the chosen plan.
    return render("items/workspace.html", block=["results", "section_filter"], section_filter_oob=wants_fragment(),
                  **workspace_context(filters_from(request.args)))


@bp.route("/items/counters")
@requires("item.view")
def counters():
    filters = filters_from(request.args)
    if not wants_fragment():  # the whole page, as /items would show it
        return render("items/workspace.html", **workspace_context(filters))
    # The block needs only the counts: no stages, plans or bodies to load.
    items = queries.visible_items(current_user, filters)
    return render("items/workspace.html", block="counters", filters=filters, counters=queries.count_items(items))


@bp.route("/items/<int:item_id>")
@requires("item.view")
def detail(item_id: int):
    item = queries.get_visible_item(current_user, item_id)
    return render("items/detail.html", **detail_context(item))


def detail_context(item, form: StatusForm | None = None, errors: dict | None = None, conflict: bool = False) -> dict:
    return {
        "item": item,
        "history": queries.item_history(item),
        "light": schedule.light_for(item, today()),
        "allowed_targets": allowed_targets,
        "form": form,
        "errors": errors or {},
        "conflict": conflict,
    }


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@requires("item.update_status")
def update_status(item_id: int):
    item = queries.get_visible_item(current_user, item_id)
    form = StatusForm()
    errors = form.field_errors() if not form.validate() else {}
    status_code, conflict = 200, False
    if not errors:
        try:
            with saving():
                operations.change_status(
                    current_user, item, form.status.data, version=form.version.data,
                    note=form.note.data or "", month=form.month.data,
                )
        except operations.Conflict as exc:
            item, status_code, conflict = exc.item, 409, True
            db.session.refresh(item)
        except operations.Invalid as exc:
            errors, status_code = exc.errors, 400
    else:
        status_code = 400
    return status_response(item, form, errors, status_code, conflict)


def status_response(item, form: StatusForm, errors: dict, status_code: int, conflict: bool):
    if wants_fragment():
        if form.view.data == "detail":
            response = render("items/detail.html", block="status_panel", status=status_code,
                              **detail_context(item, form, errors, conflict))
        else:
            response = render("items/workspace.html", block="item_row", status=status_code, item=item, form=form,
                              errors=errors, conflict=conflict, **row_context([item]))
        if status_code == 200:
            add_trigger(response, "item-updated", {"id": item.id, "status": item.status})
        return response
    if status_code == 200:
        if request.form.get("next"):  # back to the list, at the row just changed
            return redirect(f"{safe_next(request.form['next'])}#item-{item.id}")
        return redirect(url_for("items.detail", item_id=item.id))
    return render("items/detail.html", status=status_code, **detail_context(item, form, errors, conflict))


@bp.route("/api/items")
@requires("item.view")
def api_items():
    year = request.args.get("year", type=int)
    filters = queries.ItemFilters(year=year)
    items = queries.visible_items(current_user, filters)
    return jsonify({
        "year": year,
        "items": [item_json(i) | {"id": i.id, "status": i.status, "version": i.version} for i in items],
    })


@bp.route("/items/bulk-status", methods=["POST"])
@requires("item.update_status")
def bulk_status():
    """Change the ticked rows together; all or nothing, every refusal listed next to its row."""
    form = BulkStatusForm()
    filters = filters_from(current_filter_args())
    selected = form.selected()
    errors: dict = {}
    if not form.validate():
        errors = {"form": pgettext("message separator", "；").join(m for name, msgs in form.errors.items() if name != "csrf_token" for m in msgs)}
    elif not selected:
        errors = {"form": _("请先勾选要更新的事项。")}
    else:
        items = {i.id: i for i in db.session.scalars(
            authz.items_visible_to(current_user).where(WorkItem.id.in_([i for i, _v in selected])))}
        if len(items) != len({i for i, _v in selected}):
            authz.deny(404, "bulk status on items outside the user's scope")
        try:
            with saving():
                operations.change_status_many(current_user, [(items[i], v) for i, v in selected], form.status.data,
                                              note=form.note.data or "", month=form.month.data)
        except operations.Invalid as exc:
            errors = exc.errors
        except operations.Conflict:
            errors = {"form": _("他人已修改所选事项，请刷新后重试。")}
    status_code = 400 if errors else 200
    if not wants_fragment():
        if errors:
            flash(_("批量更新未执行：%(reasons)s",
                    reasons=pgettext("message separator", "；").join(str(v) for v in errors.values())), "error")
        else:
            flash(_("已更新 %(n)s 项。", n=len(selected)), "success")
        return redirect(url_for("items.workspace", **filters.as_args()))
    context = workspace_context(filters) | {"bulk_errors": errors, "bulk_form": form if errors else None,
                                            "bulk_done": 0 if errors else len(selected)}
    response = render("items/workspace.html", block="results", status=status_code, **context)
    if not errors:
        add_trigger(response, "item-updated", {"ids": [i for i, _v in selected]})
    return response


def current_filter_args():
    """The workspace filters in force where the form was posted from (the page URL htmx reports, or `next`)."""
    source = request.headers.get("HX-Current-URL") or request.form.get("next") or ""
    return MultiDict(parse_qsl(urlsplit(source).query))
