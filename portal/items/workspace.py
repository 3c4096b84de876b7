"""The committee workspace (templates/items/workspace.html): the list, its counters, bulk changes."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal import authz
from portal.authz import requires
from portal.pagecache import cached_page
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import bp, lights, queries
from portal.items.forms import BulkStatusForm
from portal.items.rows import RowBuilder
from portal.instructions.operations import unacknowledged_marks
from portal.items.status import STATUS_LABELS, StatusChange, change_status_many, postponement
from portal.models import Body, WorkItem
from portal.timeutil import today
from portal.uow import saving

TEMPLATE = "items/workspace.html"


def plan_years() -> list[int]:
    """The plan years, newest first, read once per request: the default year and the year select both need them."""
    if "_plan_years" not in g:
        g._plan_years = queries.available_years()
    return g._plan_years


def filters_from(args) -> queries.ItemFilters:
    """The workspace filters of a query string; the latest plan year when none is chosen."""
    filters = queries.ItemFilters.from_args(args)
    if filters.year is None:
        years = plan_years()
        filters.year = years[0] if years else None
    return filters


def page_url() -> str:
    """The page the user is on: for an htmx request the address htmx reports, else this request's."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.full_path.rstrip("?")


def workspace_context(filters: queries.ItemFilters) -> dict:
    counters = queries.count_items(current_user, filters)
    page = queries.page_of_items(current_user, filters, counters.total)
    builder = RowBuilder(current_user, page.items, today())
    return {
        "filters": filters,
        "years": plan_years(),
        "plans": queries.plans_for_year(filters.year) if filters.year else [],
        "bodies": db.session.scalars(db.select(Body).order_by(Body.sort_order)).all()
        if authz.sees_all_items(current_user) else current_user.bodies,
        "page": page,
        "rows": builder.rows(page.items),
        "L": builder.labels,
        "worker": authz.can(current_user, "item.update_status"),
        "counters": counters,
        "LIGHT_LABELS": lights.LIGHT_LABELS,
        "return_to": page_url(),
        # 批示 not yet read by the item's bodies: marked on the row (portal.instructions).
        "instruction_marks": unacknowledged_marks(current_user, page.items),
    }


@bp.route("/items")
@requires("item.view")
@cached_page(reads=("work",))
def workspace():
    # A filtered list also re-sends the section filter out of band: it follows the chosen plan.
    return render(TEMPLATE, block=["results", "section_filter"], section_filter_oob=wants_fragment(),
                  **workspace_context(filters_from(request.args)))


@bp.route("/items/counters")
@requires("item.view")
def counters():
    filters = filters_from(request.args)
    if not wants_fragment():  # the whole page, as /items would show it
        return render(TEMPLATE, **workspace_context(filters))
    return render(TEMPLATE, block="counters", filters=filters, counters=queries.count_items(current_user, filters))


def row_response(item: WorkItem, status: int = 200, **typed):
    """One row of the list, for the answer to a status change made in it."""
    builder = RowBuilder(current_user, [item], today())
    return render(TEMPLATE, block="item_row", status=status, row=builder.row(item), L=builder.labels,
                  worker=authz.can(current_user, "item.update_status"), return_to=page_url(),
                  instruction_marks=unacknowledged_marks(current_user, [item]), **typed)


def current_filter_args() -> MultiDict:
    """The workspace filters in force where the form was posted from (the page URL htmx reports, or `next`)."""
    source = request.headers.get("HX-Current-URL") or request.form.get("next") or ""
    return MultiDict(parse_qsl(urlsplit(source).query))


@bp.route("/items/bulk-status", methods=["POST"])
@requires("item.update_status")
def bulk_status():
    """Change the ticked rows together; all or nothing, every refusal listed next to its row."""
    form = BulkStatusForm()
    filters = filters_from(current_filter_args())
    selected = form.selected()
    errors: dict = {}
    result = None
    if not form.validate():
        errors = {"form": pgettext("message separator", "；").join(
            m for name, msgs in form.errors.items() if name != "csrf_token" for m in msgs)}
    elif not selected:
        errors = {"form": _("请先勾选要更新的事项。")}
    else:
        wanted = {item_id for item_id, _version in selected}
        items = {i.id: i for i in db.session.scalars(authz.items_visible_to(current_user).where(WorkItem.id.in_(wanted)))}
        if len(items) != len(wanted):
            authz.deny(404, "item.update_status")
        plan_year = next(iter(items.values())).plan.year
        change = StatusChange(form.status.data or "", form.note.data or "",
                              postponement(form.month.data, form.year.data, plan_year))
        try:
            with saving():
                result = change_status_many(current_user, [(items[i], v) for i, v in selected], change)
        except Invalid as exc:
            errors = exc.errors
        except Conflict:
            errors = {"form": _("他人已修改所选事项，请刷新后重试。")}
    summary = bulk_summary(result, form.status.data) if result else ""
    if not wants_fragment():
        if errors:
            flash(_("批量更新未执行：%(reasons)s",
                    reasons=pgettext("message separator", "；").join(str(v) for v in errors.values())), "error")
        else:
            flash(summary, "success")
        return redirect(url_for("items.workspace", **filters.as_args(page=filters.page)))
    context = workspace_context(filters) | {"bulk_errors": errors, "bulk_form": form if errors else None,
                                            "bulk_summary": summary}
    response = render(TEMPLATE, block="results", status=400 if errors else 200, **context)
    if result and result.changed:
        add_trigger(response, "item-updated", {"ids": [i.id for i in result.changed]})
    return response


def bulk_summary(result, target: str) -> str:
    text = ngettext("已更新 %(num)s 项。", "已更新 %(num)s 项。", len(result.changed))
    if result.unchanged:
        text += ngettext("%(num)s 项原已是“%(s)s”，未作改动。", "%(num)s 项原已是“%(s)s”，未作改动。",
                         len(result.unchanged), s=STATUS_LABELS[target])
    return text
