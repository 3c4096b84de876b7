"""The audit trail screen (审计记录): admins read, filter and export every change (admin/audit.html).

Filters: who (username), what kind of object, the operation (insert, update, delete), a date
range (Beijing dates) and free text (object id, the action, before and after). One query per
page whatever the trail's size (a page of PAGE_SIZE + 1 rows: the extra one says "more"). The
export (XLSX or CSV, through portal.sheets) streams every matching entry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Select, cast, func, or_, select

from portal.admin.views import bp
from portal.authz import requires
from portal.extensions import db
from portal.htmx import render
from portal.models import AuditEntry
from portal.sheets import Column, Sheet, csv_response, xlsx_response
from portal.timeutil import LOCAL_TZ, to_local

PAGE_SIZE = 50
MAX_PAGE = 10_000

OBJECT_TYPES = {
    "work_item": _l("工作事项"),
    "item_body": _l("事项的责任单位"),
    "item_stage": _l("事项的工作环节"),
    "item_document": _l("事项的文件"),
    "instruction": _l("领导批示"),
    "plan": _l("年度计划"),
    "section": _l("计划的部分"),
    "stage_template": _l("工作环节模板"),
    "user": _l("账号"),
    "body": _l("责任单位"),
    "body_alias": _l("单位别名"),
}
OPERATIONS = {"insert": _l("新增"), "update": _l("修改"), "delete": _l("删除")}


@dataclass
class AuditFilter:
    user: str = ""
    object_type: str = ""
    operation: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    page: int = 1

    def args(self, **override) -> dict:
        """The query string of these filters (for paging and export links)."""
        values = {"user": self.user, "type": self.object_type, "op": self.operation,
                  "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else "",
                  "q": self.q, "page": self.page if self.page > 1 else ""}
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}


def _date(raw: str, field: str, errors: dict) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = _("请输入有效的日期（如 2024-06-15）。")
        return None


def parse_filter(args) -> tuple[AuditFilter, dict, dict]:
    """(filter, field -> message, what was typed). A bad field is dropped from the filter and reported."""
    typed = {key: (args.get(key) or "")[:100] for key in ("user", "type", "op", "from", "to", "q")}
    errors: dict[str, str] = {}
    found = AuditFilter(user=typed["user"].strip()[:64], q=typed["q"].strip()[:100])
    if typed["type"] in OBJECT_TYPES:
        found.object_type = typed["type"]
    elif typed["type"]:
        errors["type"] = _("未知的对象类型。")
    if typed["op"] in OPERATIONS:
        found.operation = typed["op"]
    elif typed["op"]:
        errors["op"] = _("未知的操作。")
    found.since = _date(typed["from"], "from", errors)
    found.until = _date(typed["to"], "to", errors)
    if found.since and found.until and found.since > found.until:
        errors["to"] = _("结束日期不能早于开始日期。")
        found.until = None
    page = args.get("page", "1")
    found.page = int(page) if page.isdigit() and 0 < int(page) <= MAX_PAGE else 1
    return found, errors, typed


def _utc(day: date) -> datetime:
    """The start of a Beijing day, as the naive UTC the trail stores."""
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def audit_query(found: AuditFilter) -> Select:
    query = select(AuditEntry)
    if found.user:
        query = query.where(func.lower(AuditEntry.username) == found.user.lower())
    if found.object_type:
        query = query.where(AuditEntry.object_type == found.object_type)
    if found.operation:
        query = query.where(AuditEntry.operation == found.operation)
    if found.since:
        query = query.where(AuditEntry.created_at >= _utc(found.since))
    if found.until:
        query = query.where(AuditEntry.created_at < _utc(found.until + timedelta(days=1)))
    if found.q:
        # before/after are JSON, stored with non-ASCII escaped (\u4e2d): look for both spellings.
        spellings = {found.q, json.dumps(found.q)[1:-1]}
        texts = [AuditEntry.object_id, AuditEntry.action, cast(AuditEntry.before, String), cast(AuditEntry.after, String)]
        query = query.where(or_(*(column.contains(s, autoescape=True) for column in texts for s in spellings)))
    return query.order_by(AuditEntry.id.desc())


def _changes_text(entry: AuditEntry, side: str) -> str:
    values = getattr(entry, side) or {}
    return "; ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in values.items())


@bp.route("/audit")
@requires("audit.view")
def audit():
    found, errors, typed = parse_filter(request.args)
    rows = list(db.session.scalars(audit_query(found).offset((found.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return render("admin/audit.html", status=400 if errors else 200, entries=rows[:PAGE_SIZE],
                  more=len(rows) > PAGE_SIZE, found=found, errors=errors, typed=typed, OBJECT_TYPES=OBJECT_TYPES,
                  OPERATIONS=OPERATIONS, changes_text=_changes_text)


EXPORT_COLUMNS = (Column(_l("编号"), 8, "int"), Column(_l("时间（北京时间）"), 18), Column(_l("用户"), 12),
                  Column(_l("地址"), 14), Column(_l("操作"), 6), Column(_l("对象类型"), 14), Column(_l("对象编号"), 10),
                  Column(_l("功能"), 28), Column(_l("修改前"), 50), Column(_l("修改后"), 50))


@bp.route("/audit/export")
@requires("audit.view")
def audit_export():
    found, errors, _typed = parse_filter(request.args)
    if errors:
        return audit()
    entries = db.session.scalars(audit_query(found).execution_options(yield_per=500))

    def rows():
        for e in entries:
            local = to_local(e.created_at)
            yield (e.id, local.strftime("%Y-%m-%d %H:%M:%S") if local else "", e.username, e.ip,
                   str(OPERATIONS.get(e.operation, e.operation)), str(OBJECT_TYPES.get(e.object_type, e.object_type)),
                   e.object_id, e.action, _changes_text(e, "before"), _changes_text(e, "after"))

    columns = [Column(str(c.header), c.width, c.kind) for c in EXPORT_COLUMNS]
    sheet = Sheet(_("审计记录"), columns, rows())
    name = _("审计记录")
    if request.args.get("format") == "csv":
        return csv_response(sheet, f"{name}.csv")
    return xlsx_response([sheet], f"{name}.xlsx")
