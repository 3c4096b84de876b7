"""Targets and who falls short (by group, station, level), its XLSX, the annual archive (履职档案),
and the participants form of an item (a body's staff name the deputies who took part)."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import authz
from portal.authz import requires
from portal.deputies import bp
from portal.deputies.duty_views import _year
from portal.deputies.records import (KIND_NAMES, LEVEL_NAMES, PARTICIPATION_KINDS, TARGETS, deputy_of, figures,
                                     prefill_duty_records, shortfall_deputies, shortfall_table)
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record as history_record
from portal.htmx import render
from portal.models import Deputy, DeputyGroup, DutyRecord, LiaisonStation
from portal.models.deputies import DUTY_KINDS, LEVELS
from portal.sheets import Column, Sheet, xlsx_response
from portal.timeutil import today
from portal.uow import saving
from portal.pagecache import cached_page

DIMENSIONS = ("group", "station", "level")


def _dimension(args) -> str:
    by = args.get("by", "group")
    return by if by in DIMENSIONS else "group"


def dimension_names(by: str) -> dict:
    if by == "group":
        return dict(db.session.execute(select(DeputyGroup.id, DeputyGroup.name)).all())
    if by == "station":
        return dict(db.session.execute(select(LiaisonStation.id, LiaisonStation.name)).all())
    return dict(LEVEL_NAMES)


def natural_key(name: str) -> list:
    """第9小组 before 第10小组: the numbers in a name compared as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name) if part]


def target_rows(year: int, by: str) -> list[tuple]:
    """(key, name, figures) in name order; deputies in no group or station last."""
    table = shortfall_table(year, by)
    names = dimension_names(by)
    order = list(LEVELS) if by == "level" else sorted((k for k in table if k is not None),
                                                       key=lambda k: natural_key(str(names.get(k, ""))))
    rows = [(k, names.get(k, ""), table[k]) for k in order if k in table]
    if None in table:
        rows.append((None, _("未编组") if by == "group" else _("未联系联络站"), table[None]))
    return rows


@bp.route("/duty-records/targets")
@requires("duty.targets")
@cached_page
def targets():
    year, by = _year(request.args), _dimension(request.args)
    rows = target_rows(year, by)
    totals = {key: sum(r[2][key] for r in rows) for key in ("deputies", *TARGETS)} if by != "level" else None
    return render("deputies/targets.html", block="report", year=year, by=by, rows=rows, totals=totals, TARGETS=TARGETS,
                  lists=authz.can(current_user, "duty.review"))


@bp.route("/duty-records/targets/short")
@requires("duty.review")
@cached_page
def shortfall():
    """The list behind a number of the target report."""
    year, by = _year(request.args), _dimension(request.args)
    target, key = request.args.get("target", ""), request.args.get("key", "all")
    if target not in TARGETS:
        abort(404)
    ids = shortfall_deputies(year, by, key, target)
    deputies = db.session.scalars(select(Deputy).where(Deputy.id.in_(ids)).order_by(Deputy.number)).unique().all()
    name = _("全部") if key == "all" else (_("未编组") if key == "none" else
                                          dimension_names(by).get(key if by == "level" else int(key) if key.isdigit() else -1, ""))
    return render("deputies/shortfall.html", year=year, by=by, target=target, TARGETS=TARGETS, deputies=deputies,
                  name=name)


@bp.route("/duty-records/targets.xlsx")
@requires("duty.targets")
@cached_page
def targets_xlsx():
    year = _year(request.args)
    sheets = []
    columns = [Column(_("名称"), 30), Column(_("代表人数"), 10, "int")] + [Column(str(TARGETS[t][0]), 24, "int") for t in TARGETS]
    for by, title in (("group", _("按代表小组")), ("station", _("按联络站")), ("level", _("按层级"))):
        sheets.append(Sheet(title, columns, [[name, row["deputies"], *[row[t] for t in TARGETS]]
                                              for _k, name, row in target_rows(year, by)]))
    return xlsx_response(sheets, f"代表履职目标{year}.xlsx")


# --- the annual archive ------------------------------------------------------------------------

def archives(deputies: list[Deputy], year: int) -> list[dict]:
    """Each deputy's confirmed records of the year by kind and date, and their figures: three queries in all."""
    ids = [d.id for d in deputies]
    by_deputy: dict[int, list] = defaultdict(list)
    if ids:
        for r in db.session.scalars(select(DutyRecord).where(
                DutyRecord.deputy_id.in_(ids), DutyRecord.state == "confirmed", DutyRecord.date >= date(year, 1, 1),
                DutyRecord.date <= date(year, 12, 31)).order_by(DutyRecord.deputy_id, DutyRecord.date, DutyRecord.id)
                .options(db.defer(DutyRecord.attachment_data))).unique():
            by_deputy[r.deputy_id].append(r)
    figs = {f.deputy_id: f for f in figures(year, ids)} if ids else {}
    order = {kind: n for n, kind in enumerate(DUTY_KINDS)}
    return [{"deputy": d, "records": sorted(by_deputy[d.id], key=lambda r: (order[r.kind], r.date)),
             "figures": figs.get(d.id)} for d in deputies]


def _archive_page(deputies, year, title, back_url):
    return render("deputies/archive.html", archives=archives(deputies, year), year=year, title=title, as_of=today(),
                  filter_text="", back_url=back_url, KIND_NAMES=KIND_NAMES, TARGETS=TARGETS)


@bp.route("/duty-records/archive")
@requires("duty.own")
@cached_page
def my_archive():
    deputy = deputy_of(current_user) or abort(404)
    year = _year(request.args)
    return _archive_page([deputy], year, _("%(year)s年度代表履职档案", year=year), url_for("deputies.my_records"))


@bp.route("/deputies/<int:deputy_id>/archive")
@requires("duty.review")
@cached_page
def deputy_archive(deputy_id: int):
    deputy = db.session.get(Deputy, deputy_id) or abort(404)
    year = _year(request.args)
    return _archive_page([deputy], year, _("%(year)s年度代表履职档案", year=year),
                         url_for("deputies.deputy_page", deputy_id=deputy.id))


def _archives_of(membership, name: str, back: str):
    """The archives of every active deputy of a group or a station, one deputy a page."""
    year = _year(request.args)
    deputies = db.session.scalars(select(Deputy).where(membership, Deputy.active.is_(True))
                                  .order_by(Deputy.number)).unique().all()
    return _archive_page(deputies, year, _("%(year)s年度代表履职档案：%(name)s", year=year, name=name), back)


@bp.route("/deputies/groups/<int:group_id>/archive")
@requires("duty.review")
@cached_page
def group_archive(group_id: int):
    group = db.session.get(DeputyGroup, group_id) or abort(404)
    return _archives_of(Deputy.group_id == group.id, group.name, url_for("deputies.groups"))


@bp.route("/deputies/stations/<int:station_id>/archive")
@requires("duty.review")
@cached_page
def station_archive(station_id: int):
    station = db.session.get(LiaisonStation, station_id) or abort(404)
    return _archives_of(Deputy.station_id == station.id, station.name, url_for("deputies.stations"))


# --- participants of an item's activity -------------------------------------------------------

@bp.route("/items/<int:item_id>/participants", methods=["GET", "POST"])
@requires("duty.participants")
def participants(item_id: int):
    """A body's staff name the deputies who took part in an inspection, investigation or visit of their
    item; each deputy then finds a prefilled record waiting for their confirmation."""
    item = authz.get_item_or_404(current_user, item_id)
    authz.check(current_user, "item.work", item)
    typed = {"kind": request.form.get("kind", "inspection_visit"), "date": request.form.get("date", today().isoformat()),
             "place": request.form.get("place", ""), "content": request.form.get("content", item.title)}
    chosen = [int(i) for i in request.form.getlist("deputies") if i.isdigit()]
    if request.method == "GET":
        # Without JavaScript the name search comes back here by GET (?q=): the matches as checkboxes.
        q = request.args.get("q", "").strip()
        found = db.session.scalars(select(Deputy).where(Deputy.active.is_(True), Deputy.name.contains(q, autoescape=True))
                                   .order_by(Deputy.name).limit(20)).unique().all() if q else []
        return render("deputies/participants.html", item=item, typed=typed, chosen=found, errors={},
                      KINDS=PARTICIPATION_KINDS, KIND_NAMES=KIND_NAMES)
    errors = {}
    deputies = db.session.scalars(select(Deputy).where(Deputy.id.in_(chosen), Deputy.active.is_(True))).unique().all()
    if not deputies:
        errors["deputies"] = _("请至少选择一位参加的代表。")
    if typed["kind"] not in PARTICIPATION_KINDS:
        errors["kind"] = _("请选择活动类型。")
    try:
        day = date.fromisoformat(typed["date"])
        if day > today():
            errors["date"] = _("日期不能晚于今天。")
    except ValueError:
        errors["date"] = _("请填写日期（年-月-日）。")
    if not typed["place"].strip():
        errors["place"] = _("请填写地点。")
    if errors:
        return render("deputies/participants.html", status=400, item=item, typed=typed, chosen=deputies, errors=errors,
                      KINDS=PARTICIPATION_KINDS, KIND_NAMES=KIND_NAMES)
    try:
        with saving():
            made = prefill_duty_records(deputies, typed["kind"], day, typed["place"].strip(), typed["content"].strip(),
                                        item=item, source="item", created_by=current_user)
            history_record(item, current_user, "participants", "", str(len(made)),
                           "、".join(d.name for d in deputies))
    except Invalid as error:
        return render("deputies/participants.html", status=400, item=item, typed=typed, chosen=deputies,
                      errors=error.errors, KINDS=PARTICIPATION_KINDS, KIND_NAMES=KIND_NAMES)
    return redirect(url_for("items.detail", item_id=item.id, participants=len(made)))
