"""The roll (代表名册) in and out: the CONTRACT columns, all-or-nothing import, export.

The import checks every row first and stores nothing unless all are good; then it stores with a
handful of bulk statements (one query for the existing numbers, one INSERT for new accounts, one
for new deputies, one executemany UPDATE), never one ORM flush per row, so 7,700 rows take seconds.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from werkzeug.security import generate_password_hash

from portal.extensions import db
from portal.models import Deputy, DeputyGroup, LiaisonStation, User
from portal.models.deputies import LEVELS
from portal.sheets import Column, Sheet, UnreadableSheet, read_rows
from portal.timeutil import utcnow
from portal.uow import audit_bulk

# (header, Deputy attribute) in CONTRACT order.
ROLL_COLUMNS = [
    ("代表编号", "number"), ("姓名", "name"), ("性别", "gender"), ("层级", "levels"), ("代表小组", "group"),
    ("联络站", "station"), ("原选举单位或选区", "constituency"), ("界别", "sector"), ("职业", "occupation"),
    ("基层一线", "grassroots"), ("手机", "mobile"), ("届次", "term"),
]
WIDTHS = {"代表编号": 12, "姓名": 10, "性别": 6, "层级": 12, "代表小组": 24, "联络站": 24, "原选举单位或选区": 24,
          "界别": 14, "职业": 28, "基层一线": 8, "手机": 14, "届次": 8}
LEVEL_BY_LABEL = {label: bit for bit, label in LEVELS.values()}
LEVEL_BY_LABEL |= {"县": 8, "区": 8, "县区": 8, "乡": 16, "镇": 16, "乡镇": 16, "县（区）": 8, "乡（镇）": 16}
_LEVEL_SPLIT = re.compile(r"[、,，;；/\s]+")
_MOBILE = re.compile(r"^1\d{10}$")
LIMITS = {"number": 20, "name": 40, "group": 80, "station": 80, "constituency": 120, "sector": 60,
          "occupation": 120, "term": 20}
# One-time passwords are 16 random URL-safe characters (96 bits): key stretching protects guessable
# passwords and adds nothing against a 2^96 search, so a single-iteration hash keeps a 7,700-account
# import in seconds (scrypt for each would take minutes). The forced change at first sign-in replaces it
# with the portal's scrypt hash.
ONE_TIME_HASH = "pbkdf2:sha256:1"


class RollInvalid(Exception):
    """The file cannot be stored: every problem, as (row number, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(problems)
        self.problems = problems

    def lines(self) -> list[str]:
        return [_("第%(row)s行：%(reason)s", row=row, reason=reason) if row else reason for row, reason in self.problems]


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (number, name, one-time password)


def level_mask(text: str) -> int | None:
    mask = 0
    for part in filter(None, _LEVEL_SPLIT.split(text)):
        bit = LEVEL_BY_LABEL.get(part)
        if bit is None:
            return None
        mask |= bit
    return mask or None


def parse_roll(data: bytes, filename: str) -> list[dict]:
    """The rows as dicts of Deputy fields, or RollInvalid with every bad row."""
    try:
        rows = list(read_rows(data, filename))
    except UnreadableSheet as error:
        raise RollInvalid([(0, str(error))]) from None
    if not rows:
        raise RollInvalid([(0, _("文件是空的"))])
    header_row, header = rows[0]
    index = {name.replace("（", "(").replace("）", ")"): n for n, name in enumerate(header)}
    missing = [h for h, _ in ROLL_COLUMNS if h not in index]
    if missing:
        raise RollInvalid([(header_row, _("缺少列：%(columns)s", columns="、".join(missing)))])
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, cells in rows[1:]:
        value = {attr: (cells[index[h]] if index[h] < len(cells) else "") for h, attr in ROLL_COLUMNS}
        reasons = []
        if not value["number"]:
            reasons.append(_("代表编号为空"))
        elif value["number"] in seen:
            reasons.append(_("代表编号 %(number)s 与第%(row)s行重复", number=value["number"], row=seen[value["number"]]))
        else:
            seen[value["number"]] = number
        if not value["name"]:
            reasons.append(_("姓名为空"))
        if value["gender"] not in ("", "男", "女"):
            reasons.append(_("性别“%(value)s”应为 男 或 女", value=value["gender"]))
        mask = level_mask(value["levels"])
        if mask is None:
            reasons.append(_("层级“%(value)s”应为 全国、省、市、县(区)、乡(镇) 之一（可填两级，用顿号分开）", value=value["levels"]))
        if value["grassroots"] not in ("", "是", "否"):
            reasons.append(_("基层一线“%(value)s”应为 是 或 否", value=value["grassroots"]))
        if value["mobile"] and not _MOBILE.match(value["mobile"]):
            reasons.append(_("手机“%(value)s”不是11位手机号码", value=value["mobile"]))
        for attr, limit in LIMITS.items():
            if len(value[attr]) > limit:
                reasons.append(_("%(column)s超过%(limit)s个字", column=dict((a, h) for h, a in ROLL_COLUMNS)[attr], limit=limit))
        if reasons:
            problems.append((number, "；".join(reasons)))
            continue
        value["level_mask"] = mask
        value["grassroots"] = value["grassroots"] == "是"
        del value["levels"]
        parsed.append(value)
    if not parsed and not problems:
        problems.append((0, _("文件中没有代表")))
    if problems:
        raise RollInvalid(problems)
    return parsed


def _ids_by_name(model, names: set[str], extra=None) -> dict[str, int]:
    names.discard("")
    known = dict(db.session.execute(select(model.name, model.id).where(model.name.in_(names))).all()) if names else {}
    new = sorted(names - known.keys())
    if new:
        db.session.execute(insert(model), [{"name": n, **(extra or {})} for n in new])
        known |= dict(db.session.execute(select(model.name, model.id).where(model.name.in_(new))).all())
    return known


def import_roll(rows: list[dict]) -> ImportReport:
    """Store the checked rows: update by deputy number, add the rest with their accounts."""
    groups = _ids_by_name(DeputyGroup, {r["group"] for r in rows}, {"kind": "mixed", "leader_number": ""})
    stations = _ids_by_name(LiaisonStation, {r["station"] for r in rows}, {"township": "", "address": ""})
    numbers = [r["number"] for r in rows]
    existing: dict[str, tuple[int, int | None]] = {}
    for chunk in range(0, len(numbers), 2000):  # bound parameters stay under SQLite's limit
        existing |= {n: (i, u) for n, i, u in db.session.execute(
            select(Deputy.number, Deputy.id, Deputy.user_id).where(Deputy.number.in_(numbers[chunk:chunk + 2000])))}
    report = ImportReport()
    values = []
    for row in rows:
        fields = {k: v for k, v in row.items() if k not in ("group", "station")}
        fields["group_id"] = groups.get(row["group"])
        fields["station_id"] = stations.get(row["station"])
        values.append(fields)
    new = [v for v in values if v["number"] not in existing]
    old = [v | {"id": existing[v["number"]][0]} for v in values if v["number"] in existing]
    if new:
        taken = set(db.session.scalars(select(User.username).where(User.username.in_([v["number"] for v in new]))))
        now = utcnow()
        accounts = []
        for v in new:
            if v["number"] in taken:
                continue  # an account of that name exists already: linked below, its password untouched
            password = secrets.token_urlsafe(12)
            report.accounts.append((v["number"], v["name"], password))
            accounts.append({"username": v["number"], "display_name": v["name"], "role": "deputy", "extra_roles": "",
                             "password_hash": generate_password_hash(password, method=ONE_TIME_HASH),
                             "must_change_password": True, "password_changed_at": now, "active": True,  # nosec B105  # a flag beside a hash, no password literal
                             "session_token": secrets.token_urlsafe(24), "created_at": now, "failed_logins": 0})
        if accounts:
            db.session.execute(insert(User), accounts)
        user_ids = dict(db.session.execute(
            select(User.username, User.id).where(User.username.in_([v["number"] for v in new]))).all())
        db.session.execute(insert(Deputy), [v | {"user_id": user_ids.get(v["number"]), "active": True} for v in new])
    if old:
        db.session.execute(update(Deputy), old)
    report.added, report.updated = len(new), len(old)
    audit_bulk("deputy", "roll", {"added": report.added, "updated": report.updated})
    return report


def roll_sheet(deputies) -> Sheet:
    columns = [Column(h, WIDTHS[h]) for h, _ in ROLL_COLUMNS]

    def rows():
        for d in deputies:
            yield [d.number, d.name, d.gender, d.level_text, d.group.name if d.group else "",
                   d.station.name if d.station else "", d.constituency, d.sector, d.occupation,
                   "是" if d.grassroots else "否", d.mobile, d.term]

    return Sheet("代表名册", columns, rows())


def template_sheet() -> Sheet:
    sheet = roll_sheet([])
    sheet.rows = [["D0001", "张三", "男", "市、县(区)", "第一代表小组", "城区联络站", "华龙区第3选区", "工商界",
                   "某公司职工", "是", "13800000000", "第十届"]]
    return sheet


def all_deputies():
    return db.session.scalars(select(Deputy).order_by(Deputy.number)).unique()
