"""A plan year's office work (templates/plans/close_year.html, plans/carried.html): the bodies that
carry a plan's unassigned items, closing the year, and what it carried in and out."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.inputs import form_ids
from portal.authz import requires
from portal.errors import Invalid, NotVisible
from portal.extensions import db
from portal.htmx import render
from portal.items import year_end
from portal.items.assignment import set_plan_default_bodies
from portal.models import Plan
from portal.plans.views import bp
from portal.uow import saving


@bp.route("/<int:plan_id>/defaults", methods=["POST"])
@requires("plan.defaults")
def set_defaults(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotVisible()
    ids = form_ids("bodies")
    try:
        with saving():
            count = set_plan_default_bodies(current_user, plan, ids)
    except Invalid as exc:
        flash(next(iter(exc.errors.values())), "error")
    else:
        flash(_("已设定默认责任单位，并交办了 %(n)s 项尚无责任单位的事项。", n=count), "success")
    return redirect(url_for("plans.index", _anchor=f"plan-{plan.id}"))


def close_page(year: int, status: int = 200, errors: dict | None = None, typed=None):
    return render("plans/close_year.html", status=status, year=year, items=year_end.open_items(year),
                  closed=year_end.year_closed(year), errors=errors or {}, typed=typed)


@bp.route("/<int:year>/close")
@requires("plan.close_year")
def close_year(year: int):
    return close_page(year)


@bp.route("/<int:year>/close", methods=["POST"])
@requires("plan.close_year")
def confirm_close_year(year: int):
    decisions = {}
    for item in year_end.open_items(year):
        action = request.form.get(f"action-{item.id}", "")
        decisions[item.id] = year_end.Decision(action, request.form.get(f"reason-{item.id}", ""))
    try:
        with saving():
            counts = year_end.close_year(current_user, year, decisions)
    except Invalid as exc:
        return close_page(year, 400, exc.errors, request.form)
    flash(_("%(y)s年度已结转 %(c)s 项、关闭 %(d)s 项。", y=year, c=counts[year_end.CARRY], d=counts[year_end.CLOSE]),
          "success")
    return redirect(url_for("plans.carried", year=year))


@bp.route("/<int:year>/carried")
@requires("plan.view")
def carried(year: int):
    out, came_in = year_end.carried(year)
    return render("plans/carried.html", year=year, carried_out=out, carried_in=came_in,
                  closed=year_end.year_closed(year))
