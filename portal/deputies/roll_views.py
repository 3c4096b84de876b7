"""The roll screens for deputy affairs (选工委): list, a deputy's page, import/export, groups, stations."""
from __future__ import annotations


from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal import authz
from portal.authz import requires
from portal.deputies import bp
from portal.deputies.pages import Page, count_up_to_cap, name_choices, page_number
from portal.deputies.records import LEVEL_NAMES, figures, records_visible_to
from portal.deputies.roll import RollInvalid, all_deputies, import_roll, parse_roll, roll_sheet, template_sheet
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import render
from portal.models import Deputy, DeputyGroup, DutyRecord, LiaisonStation
from portal.models.deputies import GROUP_KINDS, LEVELS
from portal.sheets import csv_response, xlsx_response
from portal.timeutil import today
from portal.uow import saving

def group_kind_names() -> dict:
    return {"mixed": _("混合编组"), "sector": _("按专业、界别编组")}


def roll_filters(args) -> dict:
    return {key: args.get(key, "").strip() for key in ("q", "level", "group", "station", "grassroots", "active")}


def roll_query(filters: dict):
    query = select(Deputy)
    if filters["q"]:
        q = filters["q"]
        query = query.where(Deputy.name.contains(q, autoescape=True) | Deputy.number.contains(q, autoescape=True))
    if filters["level"] in LEVELS:
        query = query.where(Deputy.level_mask.op("&")(LEVELS[filters["level"]][0]) != 0)
    for key, column in (("group", Deputy.group_id), ("station", Deputy.station_id)):
        if filters[key].isdigit():
            query = query.where(column == int(filters[key]))
    if filters["grassroots"] in ("1", "0"):
        query = query.where(Deputy.grassroots.is_(filters["grassroots"] == "1"))
    if filters["active"] != "all":
        query = query.where(Deputy.active.is_(True))
    return query


@bp.route("/deputies")
@requires("deputy.view")
def roll():
    filters = roll_filters(request.args)
    query = roll_query(filters)
    total = count_up_to_cap(query)
    number, pages = page_number(request.args, total)
    rows = db.session.scalars(query.order_by(Deputy.number).limit(Page.size).offset((number - 1) * Page.size)).unique().all()
    groups, stations = name_choices(DeputyGroup), name_choices(LiaisonStation)
    return render("deputies/roll.html", block="results", page=Page(rows, number, pages, total), filters=filters,
                  groups=groups, stations=stations, LEVEL_NAMES=LEVEL_NAMES,
                  personal=authz.can(current_user, "deputy.personal"))


@bp.route("/deputies/<int:deputy_id>")
@requires("deputy.view")
def deputy_page(deputy_id: int):
    deputy = db.session.get(Deputy, deputy_id) or abort(404)
    year = today().year
    records = []
    if authz.can(current_user, "duty.review"):
        records = db.session.scalars(records_visible_to(current_user).where(DutyRecord.deputy_id == deputy.id)
                                     .order_by(DutyRecord.date.desc()).limit(100)).unique().all()
    mine = figures(year, [deputy.id])
    return render("deputies/deputy.html", deputy=deputy, records=records, figures=mine[0] if mine else None, year=year,
                  personal=authz.can(current_user, "deputy.personal"))


@bp.route("/deputies/import", methods=["GET", "POST"])
@requires("deputy.manage")
def import_page():
    if request.method == "GET":
        return render("deputies/import.html")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render("deputies/import.html", status=400, problems=[_("请选择要导入的 XLSX 或 CSV 文件。")])
    try:
        rows = parse_roll(upload.read(), upload.filename)
        with saving():
            report = import_roll(rows)
    except RollInvalid as error:
        return render("deputies/import.html", status=400, problems=error.lines())
    return render("deputies/import.html", report=report)


@bp.route("/deputies/template.xlsx")
@requires("deputy.manage")
def roll_template():
    return xlsx_response([template_sheet()], "代表名册模板.xlsx")


@bp.route("/deputies/export.<fmt>")
@requires("deputy.manage")
def roll_export(fmt: str):
    if fmt == "xlsx":
        return xlsx_response([roll_sheet(all_deputies())], "代表名册.xlsx")
    if fmt == "csv":
        return csv_response(roll_sheet(all_deputies()), "代表名册.csv")
    abort(404)


# --- groups and stations ---------------------------------------------------------------------

def _counts(column) -> dict:
    return dict(db.session.execute(select(column, func.count()).where(Deputy.active.is_(True)).group_by(column)).all())


@bp.route("/deputies/groups")
@requires("deputy.view")
def groups():
    return _rerender(DeputyGroup, {}, {}, status=200)


def _group_form(group: DeputyGroup | None):
    form = request.form
    name, kind, leader = form.get("name", "").strip(), form.get("kind", ""), form.get("leader_number", "").strip()
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = _("请填写小组名称（不超过80个字）。")
    elif db.session.scalar(select(DeputyGroup.id).where(DeputyGroup.name == name, DeputyGroup.id != (group.id if group else 0))):
        errors["name"] = _("已有同名的代表小组。")
    if kind not in GROUP_KINDS:
        errors["kind"] = _("请选择编组方式。")
    if leader and db.session.scalar(select(Deputy.id).where(Deputy.number == leader)) is None:
        errors["leader_number"] = _("没有代表编号为 %(n)s 的代表。", n=leader)
    station = form.get("station", "").strip()
    station_id = db.session.scalar(select(LiaisonStation.id).where(LiaisonStation.name == station)) if station else None
    if station and station_id is None:
        errors["station"] = _("没有名为“%(n)s”的联络站。", n=station)
    if errors:
        raise Invalid(errors)
    return {"name": name, "kind": kind, "leader_number": leader, "station_id": station_id}


@bp.route("/deputies/groups/new", methods=["POST"])
@requires("deputy.manage")
def new_group():
    return _save(DeputyGroup, None, _group_form, "deputies.groups")


@bp.route("/deputies/groups/<int:group_id>", methods=["POST"])
@requires("deputy.manage")
def edit_group(group_id: int):
    return _save(DeputyGroup, db.session.get(DeputyGroup, group_id) or abort(404), _group_form, "deputies.groups")


def _station_form(station: LiaisonStation | None):
    form = request.form
    name = form.get("name", "").strip()
    township, address = form.get("township", "").strip(), form.get("address", "").strip()
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = _("请填写联络站名称（不超过80个字）。")
    elif db.session.scalar(select(LiaisonStation.id).where(LiaisonStation.name == name,
                                                          LiaisonStation.id != (station.id if station else 0))):
        errors["name"] = _("已有同名的联络站。")
    if len(township) > 60 or len(address) > 200:
        errors["address"] = _("乡镇不超过60个字，地址不超过200个字。")
    if errors:
        raise Invalid(errors)
    return {"name": name, "township": township, "address": address}


@bp.route("/deputies/stations")
@requires("deputy.view")
def stations():
    return _rerender(LiaisonStation, {}, {}, status=200)


@bp.route("/deputies/stations/new", methods=["POST"])
@requires("deputy.manage")
def new_station():
    return _save(LiaisonStation, None, _station_form, "deputies.stations")


@bp.route("/deputies/stations/<int:station_id>", methods=["POST"])
@requires("deputy.manage")
def edit_station(station_id: int):
    return _save(LiaisonStation, db.session.get(LiaisonStation, station_id) or abort(404), _station_form, "deputies.stations")


def _save(model, obj, read_form, endpoint: str):
    try:
        with saving():
            values = read_form(obj)
            if obj is None:
                obj = model(**values)
                db.session.add(obj)
            else:
                for key, value in values.items():
                    setattr(obj, key, value)
    except Invalid as error:
        # Shown again with the message next to the form that was sent and what was typed; nothing stored.
        return _rerender(model, {"target": obj.id if obj else "new", **error.errors}, dict(request.form))
    return redirect(url_for(endpoint))


def _rerender(model, errors, typed, status=400):
    if model is DeputyGroup:
        rows = db.session.scalars(select(DeputyGroup).order_by(DeputyGroup.name)).unique().all()
        leaders = dict(db.session.execute(select(Deputy.number, Deputy.name).where(
            Deputy.number.in_([g.leader_number for g in rows if g.leader_number]))).all())
        stations_ = db.session.execute(select(LiaisonStation.id, LiaisonStation.name).order_by(LiaisonStation.name)).all()
        return render("deputies/groups.html", status=status, groups=rows, counts=_counts(Deputy.group_id), leaders=leaders,
                      stations=stations_, kinds=group_kind_names(), errors=errors, typed=typed)
    rows = db.session.scalars(select(LiaisonStation).order_by(LiaisonStation.name)).all()
    return render("deputies/stations.html", status=status, stations=rows, counts=_counts(Deputy.station_id),
                  errors=errors, typed=typed)


@bp.route("/deputies/pick")
@requires("deputy.pick")
def pick():
    """HTMX search for deputies by name or number: name, level and group only (what naming a participant needs)."""
    q = request.args.get("q", "").strip()
    # The deputies ticked so far come along (hx-include) and stay ticked above the new matches.
    kept_ids = [int(i) for i in request.args.getlist("deputies") if i.isdigit()][:200]
    kept = db.session.scalars(select(Deputy).where(Deputy.id.in_(kept_ids)).order_by(Deputy.name)).unique().all() if kept_ids else []
    rows = []
    if q:
        rows = db.session.scalars(select(Deputy).where(Deputy.active.is_(True), Deputy.name.contains(q, autoescape=True)
                                                       | (Deputy.number == q)).order_by(Deputy.name).limit(20)).unique().all()
    rows = [d for d in rows if d.id not in set(kept_ids)]
    return render("deputies/pick.html", block="choices", rows=rows, kept=kept, q=q)
