from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import operations
from portal.admin.forms import StageTemplateForm
from portal.authz import requires
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import render
from portal.items.kinds import WORK_KINDS
from portal.items.stages import templates_by_kind
from portal.models import StageTemplate
from portal.uow import saving

bp = Blueprint("admin", __name__, url_prefix="/admin")


def stages_page(status: int = 200, typed: dict | None = None, errors: dict | None = None):
    """`typed` and `errors` are keyed by the row they belong to: a template id, or "new-<kind>" for an add form."""
    return render("admin/stages.html", status=status, templates=templates_by_kind(), WORK_KINDS=WORK_KINDS,
                  typed=typed or {}, errors=errors or {})


@bp.route("/stages")
@requires("stage_template.edit")
def stages():
    return stages_page()


@bp.route("/stages", methods=["POST"])
@requires("stage_template.edit")
def add_stage():
    form = StageTemplateForm()
    kind = form.work_kind.data or ""
    try:
        with saving():
            operations.add_stage_template(current_user, kind, form.name.data)
    except Invalid as exc:
        key = f"new-{kind}" if kind in WORK_KINDS else "new"
        return stages_page(400, typed={key: form.name.data or ""}, errors={key: next(iter(exc.errors.values()))})
    flash(_("已添加环节。"), "success")
    return redirect(url_for("admin.stages", _anchor=f"kind-{kind}"))


@bp.route("/stages/<int:template_id>", methods=["POST"])
@requires("stage_template.edit")
def edit_stage(template_id: int):
    template = db.session.get(StageTemplate, template_id)
    if template is None:
        abort(404)
    form = StageTemplateForm()
    kind = template.work_kind
    try:
        with saving():
            operations.edit_stage_template(current_user, template, form.action.data or "save", form.name.data)
    except Invalid as exc:
        return stages_page(400, typed={template_id: form.name.data or ""},
                           errors={template_id: next(iter(exc.errors.values()))})
    flash(_("已保存。"), "success")
    return redirect(url_for("admin.stages", _anchor=f"kind-{kind}"))


# The accounts and bodies screens add their routes to this blueprint.
from portal.admin import audit, bodies, users  # noqa: E402,F401
