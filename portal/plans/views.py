from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from flask_babel import get_translations, gettext as _
from flask_login import current_user

from portal.inputs import as_id
from portal.authz import requires
from portal.extensions import db
from portal.uow import saving
from portal.htmx import render
from portal.items import queries
from portal.models import Body, Plan, Section
from portal.timeutil import cn_numeral, month_name
from portal.plans.forms import NewItemForm, PlanConfirmForm, PlanUploadForm
from portal.plans.importer import Phrase, PlanFormatError, decode_plan_bytes, parse_plan
from portal.plans.operations import add_item_by_hand, alias_map, ensure_catalog_bodies, import_plan

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.app_template_filter("localized")
def localized(message) -> str:
    """An importer problem or PlanFormatError in the user's language (the importer keeps Chinese)."""
    template = getattr(message, "template", "")
    if not template:
        return getattr(message, "message", None) or str(message)
    translate = get_translations().ugettext
    params = {k: translate(v) if isinstance(v, Phrase) else v for k, v in message.params.items()}
    return translate(template) % params if params else translate(template)


# A preview is confirmed within this time, or uploaded again.
PREVIEW_MAX_AGE = 24 * 3600


def _previews() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="plans.import-preview")


def preview_token(text: str, year: int, filename: str) -> str:
    """What the admin previewed, signed: confirm stores exactly this text for exactly this year."""
    return _previews().dumps({"text": text, "year": year, "filename": filename})


def previewed(token: str) -> dict | None:
    try:
        return _previews().loads(token, max_age=PREVIEW_MAX_AGE)
    except BadSignature:  # also an expired token (SignatureExpired is a BadSignature)
        return None


@bp.route("/")
@requires("plan.view")
def index():
    years = queries.available_years()
    bodies = db.session.scalars(select(Body).where(Body.active).order_by(Body.sort_order)).all()
    return render("plans/index.html", years=years, plans_by_year={y: queries.plans_for_year(y) for y in years},
                  bodies=bodies)


@bp.route("/import", methods=["GET", "POST"])
@requires("plan.import")
def upload():
    form = PlanUploadForm()
    if form.validate_on_submit():
        try:
            text = decode_plan_bytes(form.file.data.read())
            ensure_catalog_bodies()
            doc = parse_plan(text, alias_map())
        except PlanFormatError as exc:
            db.session.rollback()
            form.file.errors.append(localized(exc))
        else:
            year = form.year.data or doc.year
            if not year:
                form.year.errors.append(_("文件中没有年份，请填写年度。"))
            else:
                # Preview = the real import, rolled back: what is shown is exactly what confirm does.
                report = import_plan(doc, year, current_user)
                db.session.rollback()
                confirm = PlanConfirmForm(formdata=None, token=preview_token(text, year, form.file.data.filename))
                return render("plans/preview.html", report=report, doc=doc, confirm=confirm,
                              filename=form.file.data.filename)
    return render("plans/upload.html", form=form), (400 if form.errors else 200)


@bp.route("/import/confirm", methods=["POST"])
@requires("plan.import")
def confirm():
    form = PlanConfirmForm()
    preview = previewed(form.token.data) if form.validate_on_submit() else None
    if preview is None:
        flash(_("确认信息无效，请重新上传文件。"), "error")
        return redirect(url_for("plans.upload"))
    ensure_catalog_bodies()
    doc = parse_plan(preview["text"], alias_map())
    # Where the text differs from what the office set by hand, the admin chose per field in the preview.
    choices = {key[len("choice-"):]: value for key, value in request.form.items() if key.startswith("choice-")}
    with saving():
        report = import_plan(doc, preview["year"], current_user, choices)
    flash(_("导入完成：新增 %(a)s 项，更新 %(u)s 项，未变 %(n)s 项。", a=len(report.added), u=len(report.updated),
            n=report.unchanged), "success")
    return render("plans/preview.html", report=report, doc=doc, confirm=None, filename=preview["filename"], done=True)


@bp.route("/items/new", methods=["GET", "POST"])
@requires("item.create")
def new_item():
    """Add an item by hand, e.g. a matter the 主任会议 adds under 其他监督事项 during the year."""
    form = NewItemForm()
    sections = db.session.scalars(
        select(Section).join(Section.plan).order_by(Plan.year.desc(), Plan.sort_order, Section.number)
    ).all()
    form.section.choices = [
        SelectChoice(s.id, s.plan.title + (f" · {cn_numeral(s.number)}、{s.title}" if s.number else "")) for s in sections
    ]
    form.months.choices = [SelectChoice(m, month_name(m)) for m in range(1, 13)]
    form.meeting_month.choices = [SelectChoice(0, "—")] + [SelectChoice(m, month_name(m)) for m in range(1, 13)]
    form.bodies.choices = [SelectChoice(b.id, b.name) for b in db.session.scalars(select(Body).order_by(Body.sort_order))]
    if request.method == "GET" and as_id(request.args.get("section")) is not None:
        form.section.data = as_id(request.args["section"])
    if form.validate_on_submit():
        section = db.session.get(Section, form.section.data)
        item = add_item_by_hand(
            current_user, section, title=form.title.data.strip(), text=(form.text.data or "").strip(),
            months=form.months.data or [], meeting_month=form.meeting_month.data or None, body_ids=form.bodies.data or [],
        )
        db.session.commit()
        flash(_("已添加事项。"), "success")
        return redirect(url_for("items.detail", item_id=item.id))
    return render("plans/new_item.html", form=form), (400 if form.errors else 200)


from portal.plans import year_views  # noqa: E402,F401 - registers the year's office routes on bp
