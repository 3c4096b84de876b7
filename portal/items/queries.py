"""Reading work items: every list starts from authz.items_visible_to(user)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import authz
from portal.extensions import db
from portal.items import schedule
from portal.items.status import STATUSES
from portal.models import ItemBody, ItemEvent, ItemStage, Plan, Section, User, WorkItem
from portal.timeutil import today


@dataclass
class ItemFilters:
    """The workspace filters, parsed from the query string (bad values are ignored, not errors)."""

    year: int | None = None
    plan: str = ""
    section: int | None = None
    month: int | None = None
    status: str = ""
    light: str = ""
    body: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        def number(name, lo, hi):
            value = args.get(name, "")
            return int(value) if value.isdigit() and lo <= int(value) <= hi else None

        status = args.get("status", "")
        light = args.get("light", "")
        return cls(
            year=number("year", 1990, 2100),
            plan=args.get("plan", "")[:40],
            section=number("section", 0, 99),
            month=number("month", 1, 12),
            status=status if status in STATUSES else "",
            light=light if light in schedule.LIGHT_LABELS else "",
            body=number("body", 1, 10**9),
            q=args.get("q", "").strip()[:100],
        )

    def as_args(self) -> dict:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


def available_years() -> list[int]:
    return list(db.session.scalars(select(Plan.year).distinct().order_by(Plan.year.desc())))


def plans_for_year(year: int) -> list[Plan]:
    return list(
        db.session.scalars(
            select(Plan).where(Plan.year == year).options(selectinload(Plan.sections)).order_by(Plan.sort_order, Plan.id)
        )
    )


def visible_items(user: User, filters: ItemFilters) -> list[WorkItem]:
    """The user's items matching the filters, in plan order; a fixed number of queries whatever the count."""
    query = (
        authz.items_visible_to(user)
        .join(WorkItem.plan)
        .join(WorkItem.section)
        # One joined query for the bodies too: selectinload would add a query per 500 items.
        .options(joinedload(WorkItem.assignments))
        .order_by(Plan.sort_order, Plan.id, Section.number, WorkItem.seq)
    )
    if filters.year:
        query = query.where(Plan.year == filters.year)
    if filters.plan:
        query = query.where(Plan.key == filters.plan)
        if filters.section is not None:
            query = query.where(Section.number == filters.section)
    if filters.month:
        query = query.where(WorkItem.months_mask.op("&")(1 << filters.month) != 0)
    if filters.status:
        query = query.where(WorkItem.status == filters.status)
    if filters.body:
        query = query.where(WorkItem.assignments.any(ItemBody.body_id == filters.body))
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(WorkItem.title.ilike(pattern, escape="\\"), WorkItem.text.ilike(pattern, escape="\\")))
    items = list(db.session.scalars(query).unique())
    if filters.light:
        now = today()
        items = [i for i in items if schedule.light_color(i, now) == filters.light]
    return items


def get_visible_item(user: User, item_id: int) -> WorkItem:
    """The item if the user may see it; otherwise 404, whether or not it exists."""
    item = db.session.scalar(authz.items_visible_to(user).where(WorkItem.id == item_id))
    if item is None:
        authz.security_log.warning("authz_denied", extra={"event": "authz_denied", "item_id": item_id, "action": "item.view"})
        abort(404)
    return item


def item_history(item: WorkItem) -> list[ItemEvent]:
    return list(
        db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id.desc()))
    )


@dataclass
class Counters:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_light: dict[str, int] = field(default_factory=dict)


def count_items(items: list[WorkItem]) -> Counters:
    counters = Counters(total=len(items), by_status={s: 0 for s in STATUSES}, by_light={c: 0 for c in schedule.LIGHT_LABELS})
    now = today()
    for item in items:
        counters.by_status[item.status] += 1
        counters.by_light[schedule.light_color(item, now)] += 1
    return counters


def latest_year() -> int | None:
    return db.session.scalar(select(func.max(Plan.year)))


def stages_of(items: list[WorkItem]) -> dict[int, list[ItemStage]]:
    """The stored stages of many items in one query (selectinload would add one per 500 items)."""
    found: dict[int, list[ItemStage]] = {}
    if items:
        rows = db.session.scalars(
            select(ItemStage).where(ItemStage.item_id.in_([i.id for i in items]))
            .order_by(ItemStage.item_id, ItemStage.position)
        )
        for stage in rows:
            found.setdefault(stage.item_id, []).append(stage)
    return found
