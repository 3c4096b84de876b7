"""Duty records (履职记录): who sees which, recording, review, prefilled records, and the targets.

Scoping follows portal.authz: a deputy sees only the records of the deputy their account is linked
to; deputy affairs and the office see all; leaders get all through the API and the aggregates;
anyone else none. A record outside the user's scope is a 404 whether or not it exists.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select

from portal import authz
from portal.errors import Conflict, Forbidden, Invalid, NotVisible
from portal.extensions import db
from portal.items.documents import ALLOWED_TYPES, MACROS, display_filename, extension, max_document_bytes, sniff
from portal.items.documents import too_large_message
from portal.models import Deputy, DutyRecord, Plan, User, WorkItem
from portal.models.deputies import DUTY_KINDS, LEVELS
from portal.timeutil import today, utcnow

KIND_NAMES = {
    "group_activity": _l("代表小组活动"), "station_reception": _l("进站接待群众"), "attend_meeting": _l("列席常委会会议"),
    "inspection_visit": _l("视察"), "research": _l("专题调研"), "law_inspection": _l("执法检查"),
    "legislation_opinion": _l("立法征求意见"), "proposal": _l("提出议案建议"), "training": _l("学习培训"),
    "report_to_voters": _l("向选民或选举单位述职"), "director_reception": _l("主任接待代表日"), "other": _l("其他"),
}
STATE_NAMES = {"draft": _l("待本人确认"), "submitted": _l("待审核"), "confirmed": _l("已确认"), "returned": _l("已退回")}
LEVEL_NAMES = {"national": _l("全国"), "provincial": _l("省"), "municipal": _l("市"), "county": _l("县(区)"),
               "township": _l("乡(镇)")}
# The kinds a body's staff record when deputies took part in one of their items (视察, 调研, 执法检查).
PARTICIPATION_KINDS = ("inspection_visit", "research", "law_inspection")
# Items a deputy may name: the deputy work plan's, and supervision work open to deputies' participation.
DEPUTY_ITEM_KINDS = ("law_inspection", "research")
PLACE_MAX, CONTENT_MAX, REASON_MAX = 200, 2000, 500


def term_start() -> date:
    """The first day of the current term (届): records before it are not of this term."""
    return date.fromisoformat(current_app.config.get("DEPUTY_TERM_START", "2022-01-01"))


def deputy_of(user) -> Deputy | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Deputy).where(Deputy.user_id == user.id))


def records_visible_to(user) -> Select:
    query = select(DutyRecord)
    if authz.has_role_for(user, "duty.review") or authz.has_role_for(user, "duty.targets"):
        return query  # deputy affairs, leaders and the office
    if authz.has_role_for(user, "duty.own"):
        return query.join(Deputy, Deputy.id == DutyRecord.deputy_id).where(Deputy.user_id == user.id)
    return query.where(False)


def get_record_or_404(user, record_id: int) -> DutyRecord:
    record = db.session.scalar(records_visible_to(user).where(DutyRecord.id == record_id))
    if record is None:
        authz._log_denial(404, "duty.view", duty_record_id=record_id)
        raise NotVisible()
    return record


def deputy_items(q: str = "", limit: int = 10) -> Select:
    """Items a deputy may name: this year's and last year's items of the deputy work plan and the
    law inspections and research open to deputies, not cancelled, whose title contains `q`."""
    year = today().year
    query = (select(WorkItem).join(Plan, Plan.id == WorkItem.plan_id)
             .where(Plan.year.in_((year, year - 1)), WorkItem.status != "cancelled",
                    or_(Plan.key == "deputy_work", WorkItem.work_kind.in_(DEPUTY_ITEM_KINDS))))
    if q:
        query = query.where(WorkItem.title.contains(q, autoescape=True))
    return query.order_by(Plan.year.desc(), WorkItem.id).limit(limit)


@dataclass
class RecordForm:
    date: str = ""
    kind: str = ""
    place: str = ""
    content: str = ""
    item_id: str = ""
    errors: dict = field(default_factory=dict)


def _check_form(form: RecordForm, kept_item_id: int | None = None) -> tuple[date | None, int | None]:
    """The checked date and item id; messages in form.errors. `kept_item_id`: the item a prefilled record
    came with (a body's inspection of any of its items), which the deputy may keep though not name anew."""
    errors = form.errors
    day = None
    try:
        day = date.fromisoformat(form.date.strip())
    except ValueError:
        errors["date"] = _("请填写日期（年-月-日）。")
    else:
        if day > today():
            errors["date"] = _("日期不能晚于今天。")
        elif day < term_start():
            errors["date"] = _("日期早于本届任期开始（%(d)s）。", d=term_start().isoformat())
    if form.kind not in DUTY_KINDS:
        errors["kind"] = _("请选择履职类型。")
    form.place, form.content = form.place.strip(), form.content.strip()
    if not form.place:
        errors["place"] = _("请填写地点。")
    elif len(form.place) > PLACE_MAX:
        errors["place"] = _("地点不能超过 %(n)s 个字。", n=PLACE_MAX)
    if not form.content:
        errors["content"] = _("请填写履职内容。")
    elif len(form.content) > CONTENT_MAX:
        errors["content"] = _("内容不能超过 %(n)s 个字。", n=CONTENT_MAX)
    item_id = None
    if form.item_id.strip():
        try:
            item_id = int(form.item_id)
        except ValueError:
            item_id = -1
        if item_id != kept_item_id and (item_id < 1 or db.session.scalar(deputy_items().where(WorkItem.id == item_id)) is None):
            errors["item_id"] = _("所选工作事项不可选，请重新搜索选择。")
    return day, item_id


def _check_file(filename: str | None, data: bytes | None, errors: dict) -> tuple[str, str] | None:
    """(display name, content type) of an acceptable photo or document; None when none was sent."""
    name = display_filename(filename)
    if not data and not name:
        return None
    if not data:
        errors["file"] = _("文件是空的。")
    elif len(data) > max_document_bytes():
        errors["file"] = too_large_message()
    else:
        kind = sniff(data)
        if kind in (None, MACROS):
            errors["file"] = _("只能上传 %(types)s 文件；此文件的内容不属于这些类型，未上传。",
                               types="、".join(t.label for t in ALLOWED_TYPES.values()))
        elif extension(name) not in ALLOWED_TYPES[kind].extensions:
            errors["file"] = _("文件名的扩展名与内容不符，未上传。")
        else:
            return name, ALLOWED_TYPES[kind].content_type
    return None


def submit_record(user: User, form: RecordForm, *, filename=None, data=None, record: DutyRecord | None = None) -> DutyRecord:
    """A deputy records (or corrects and resubmits) their own duty; Invalid with every message otherwise."""
    deputy = deputy_of(user)
    if deputy is None or not authz.has_role_for(user, "duty.own"):
        raise Forbidden()
    if record is not None:
        if record.deputy_id != deputy.id:
            raise NotVisible()
        if record.state == "confirmed":
            raise Forbidden()
    day, item_id = _check_form(form, record.item_id if record is not None else None)
    attachment = _check_file(filename, data, form.errors)
    if form.errors:
        raise Invalid(form.errors)
    if record is None:
        record = DutyRecord(deputy_id=deputy.id, source="deputy", created_by_id=user.id)
        db.session.add(record)
    record.date, record.kind, record.place, record.content, record.item_id = day, form.kind, form.place, form.content, item_id
    record.state, record.return_reason = "submitted", record.return_reason if record.state == "returned" else ""
    if attachment:
        record.attachment_name, record.attachment_type = attachment
        record.attachment_data = data
    db.session.flush()
    return record


def review(user: User, records: list[DutyRecord], action: str, reason: str = "") -> int:
    """Confirm or return (with a reason) submitted records; Conflict if one is no longer waiting."""
    authz.check_allowed(user, "duty.review")
    reason = reason.strip()
    if action == "return" and not reason:
        raise Invalid({"reason": _("退回时请写明原因。")})
    if len(reason) > REASON_MAX:
        raise Invalid({"reason": _("原因不能超过 %(n)s 个字。", n=REASON_MAX)})
    if action not in ("confirm", "return"):
        raise Invalid({"action": _("未知的操作。")})
    for record in records:
        if record.state != "submitted":
            raise Conflict(record)
        record.state = "confirmed" if action == "confirm" else "returned"
        record.return_reason = reason if action == "return" else ""
        record.reviewed_by_id, record.reviewed_at = user.id, utcnow()
    db.session.flush()
    return len(records)


def prefill_duty_records(deputies, kind: str, day: date, place: str, content: str, item: WorkItem | None = None,
                         source: str = "item", created_by: User | None = None) -> list[DutyRecord]:
    """Nobody types twice: a record waiting for each deputy's confirmation (state draft) of an activity
    staff already recorded — the participants of an item's inspection, or a meeting's 列席 deputies.
    The meetings code calls this with kind="attend_meeting", source="meeting". Deputies who already
    have a record of that kind, day and item are skipped, so recording the same activity twice adds nothing."""
    if kind not in DUTY_KINDS:
        raise Invalid({"kind": _("请选择履职类型。")})
    ids = sorted({d.id for d in deputies})
    if not ids:
        return []
    have = set(db.session.scalars(select(DutyRecord.deputy_id).where(
        DutyRecord.deputy_id.in_(ids), DutyRecord.kind == kind, DutyRecord.date == day,
        DutyRecord.item_id.is_(None) if item is None else DutyRecord.item_id == item.id)))
    made = [DutyRecord(deputy_id=i, date=day, kind=kind, place=place[:PLACE_MAX], content=content[:CONTENT_MAX],
                       item_id=item.id if item else None, state="draft", source=source,
                       created_by_id=created_by.id if created_by else None) for i in ids if i not in have]
    db.session.add_all(made)
    db.session.flush()
    return made


# --- targets ----------------------------------------------------------------------------------

TARGETS = {
    # key -> (label, kind, per, minimum, grassroots only)
    "group_activity": (_l("每年参加代表小组活动不少于2次"), "group_activity", "year", 2, False),
    "attend_meeting": (_l("基层代表每届列席常委会会议不少于1次"), "attend_meeting", "term", 1, True),
    "report_to_voters": (_l("每届向选民或选举单位述职不少于1次"), "report_to_voters", "term", 1, False),
}


@dataclass
class Figures:
    """One deputy's counts of confirmed records towards the targets."""

    deputy_id: int
    group_id: int | None
    station_id: int | None
    level_mask: int
    grassroots: bool
    counts: dict

    def short(self, target: str) -> bool:
        _label, _kind, _per, minimum, grassroots_only = TARGETS[target]
        if grassroots_only and not self.grassroots:
            return False
        return self.counts[target] < minimum

    def applies(self, target: str) -> bool:
        return self.grassroots or not TARGETS[target][4]


def _counts(year: int, deputy_ids=None):
    """Per deputy with confirmed records: the counts towards each target (a subquery; the covering index
    ix_duty_record_targets reads only the target kinds' confirmed records in the date range)."""
    end = date(year, 12, 31)
    sinces = {key: date(year, 1, 1) if per == "year" else term_start() for key, (_l, _k, per, _m, _g) in TARGETS.items()}
    columns = [func.sum(case(((DutyRecord.kind == kind) & (DutyRecord.date >= sinces[key]), 1), else_=0)).label(key)
               for key, (_label, kind, _per, _minimum, _g) in TARGETS.items()]
    kinds = [kind for _label, kind, _per, _minimum, _g in TARGETS.values()]
    counts = select(DutyRecord.deputy_id, *columns).where(
        DutyRecord.state == "confirmed", DutyRecord.kind.in_(kinds), DutyRecord.date >= min(sinces.values()),
        DutyRecord.date <= end)
    if deputy_ids is not None:
        counts = counts.where(DutyRecord.deputy_id.in_(list(deputy_ids)))
    return counts.group_by(DutyRecord.deputy_id).subquery()


def figures_query(year: int, deputy_ids=None) -> Select:
    """One row per active deputy: the confirmed counts towards each target (one query, any roll size)."""
    counts = _counts(year, deputy_ids)
    query = (select(Deputy.id, Deputy.group_id, Deputy.station_id, Deputy.level_mask, Deputy.grassroots,
                    *[func.coalesce(counts.c[key], 0) for key in TARGETS])
             .outerjoin(counts, counts.c.deputy_id == Deputy.id).where(Deputy.active.is_(True)))
    if deputy_ids is not None:
        query = query.where(Deputy.id.in_(list(deputy_ids)))
    return query


def figures(year: int, deputy_ids=None) -> list[Figures]:
    return [Figures(r[0], r[1], r[2], r[3], r[4], dict(zip(TARGETS, r[5:])))
            for r in db.session.execute(figures_query(year, deputy_ids))]


def dimension_keys(fig: Figures, by: str) -> list:
    if by == "group":
        return [fig.group_id]
    if by == "station":
        return [fig.station_id]
    return [key for key, (bit, _label) in LEVELS.items() if fig.level_mask & bit]


def shortfall_table(year: int, by: str) -> dict:
    """key of the dimension -> {"deputies": n, target: number short}; key None = not in a group/station.

    Counted in the database, grouped by group, station or level mask (a deputy of several levels counts
    in each), so the city's roll never travels to Python."""
    counts = _counts(year)
    shorts = []
    for key, (_label, _kind, _per, minimum, grassroots_only) in TARGETS.items():
        short = func.coalesce(counts.c[key], 0) < minimum
        if grassroots_only:
            short = short & Deputy.grassroots.is_(True)
        shorts.append(func.sum(case((short, 1), else_=0)))
    dimension = {"group": Deputy.group_id, "station": Deputy.station_id, "level": Deputy.level_mask}[by]
    rows = db.session.execute(select(dimension, func.count(), *shorts).outerjoin(counts, counts.c.deputy_id == Deputy.id)
                              .where(Deputy.active.is_(True)).group_by(dimension))
    table: dict = defaultdict(lambda: {"deputies": 0, **{t: 0 for t in TARGETS}})
    for value, deputies, *short in rows:
        keys = [k for k, (bit, _label) in LEVELS.items() if value & bit] if by == "level" else [value]
        for key in keys:
            table[key]["deputies"] += deputies
            for target, n in zip(TARGETS, short):
                table[key][target] += n
    return dict(table)


def shortfall_deputies(year: int, by: str, key, target: str) -> list[int]:
    return [f.deputy_id for f in figures(year) if f.short(target) and
            (key == "all" or key in [str(k) if k is not None else "none" for k in dimension_keys(f, by)])]
