"""Bodies screens (单位管理): the list, a new body, one body (admin/bodies.html, admin/body.html)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal.admin import body_operations
from portal.admin.body_operations import BodyFields
from portal.admin.forms import BodyForm
from portal.admin.views import bp
from portal.authz import requires
from portal.errors import Invalid, NotVisible
from portal.extensions import db
from portal.htmx import render
from portal.models import Body, ItemBody
from portal.models.users import user_body
from portal.uow import saving

BODY_KIND_LABELS = {
    "special_committee": _l("专门委员会"),
    "working_committee": _l("常委会工作委员会"),
    "office": _l("办事机构"),
}


def _get_body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotVisible()
    return body


def _form(body: Body | None = None, *, typed: bool = True) -> BodyForm:
    form = BodyForm() if typed else BodyForm(formdata=None)
    form.kind.choices = [SelectChoice(k, str(label)) for k, label in BODY_KIND_LABELS.items()]
    if not (typed and request.method == "POST"):
        if body is None:
            form.active.data, form.sort_order.data = True, "0"
        else:
            form.name.data, form.short_name.data, form.kind.data = body.name, body.short_name, body.kind
            form.aliases.data = "\n".join(a.alias for a in body.aliases)
            form.sort_order.data, form.active.data = str(body.sort_order), body.active
    return form


def _fields(form: BodyForm) -> BodyFields:
    return BodyFields(name=form.name.data or "", short_name=form.short_name.data or "", kind=form.kind.data or "",
                      aliases=form.aliases.data or "", sort_order=form.sort_order.data or "0",
                      active=bool(form.active.data))


def _attach(form: BodyForm, errors: dict) -> dict:
    rest = {}
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            rest[name] = message
        else:
            field.errors = [*field.errors, message]
    return rest


def body_page(body: Body | None, form: BodyForm, *, status: int = 200, errors: dict | None = None):
    in_use = body_operations.body_in_use(body) if body is not None else False
    return render("admin/body.html", status=status, body=body, form=form, errors=errors or {}, in_use=in_use,
                  BODY_KIND_LABELS=BODY_KIND_LABELS)


@bp.route("/bodies")
@requires("body.manage")
def bodies():
    rows = list(db.session.scalars(select(Body).options(selectinload(Body.aliases)).order_by(Body.sort_order, Body.id)))
    items = dict(db.session.execute(select(ItemBody.body_id, func.count()).group_by(ItemBody.body_id)).all())
    people = dict(db.session.execute(select(user_body.c.body_id, func.count()).group_by(user_body.c.body_id)).all())
    return render("admin/bodies.html", bodies=rows, items=items, people=people, BODY_KIND_LABELS=BODY_KIND_LABELS)


@bp.route("/bodies/new", methods=["GET", "POST"])
@requires("body.manage")
def new_body():
    form = _form()
    if request.method == "GET":
        return body_page(None, form)
    errors = {}
    if form.validate_on_submit():
        try:
            with saving():
                body = body_operations.save_body(current_user, None, _fields(form))
        except Invalid as exc:
            errors = _attach(form, exc.errors)
        else:
            flash(_("已添加单位 %(name)s。", name=body.name), "success")
            return redirect(url_for("admin.bodies"))
    return body_page(None, form, status=400, errors=errors)


@bp.route("/bodies/<int:body_id>", methods=["GET", "POST"])
@requires("body.manage")
def body(body_id: int):
    current = _get_body(body_id)
    form = _form(current)
    if request.method == "GET":
        return body_page(current, form)
    errors = {}
    if form.validate_on_submit():
        try:
            with saving():
                body_operations.save_body(current_user, current, _fields(form))
        except Invalid as exc:
            errors = _attach(form, exc.errors)
        else:
            flash(_("已保存单位 %(name)s。", name=current.name), "success")
            return redirect(url_for("admin.bodies"))
    return body_page(_get_body(body_id), form, status=400, errors=errors)


@bp.route("/bodies/<int:body_id>/delete", methods=["POST"])
@requires("body.manage")
def delete_body(body_id: int):
    current = _get_body(body_id)
    name = current.name
    try:
        with saving():
            body_operations.delete_body(current_user, current)
    except Invalid as exc:
        current = _get_body(body_id)
        return body_page(current, _form(current, typed=False), status=400, errors=exc.errors)
    flash(_("已删除单位 %(name)s。", name=name), "success")
    return redirect(url_for("admin.bodies"))

