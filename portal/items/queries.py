"""Reading work items: every list starts from authz.items_visible_to(user).

Lists are filtered, counted and ordered in SQL, and a page loads only the rows it shows: the
cost of a list follows the page, not the size of the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from portal import authz
from portal.extensions import db
from portal.items import lights
from portal.items.status import STATUSES
from portal.models import ItemBody, ItemEvent, ItemStage, Plan, Section, User, WorkItem
from portal.timeutil import today

PAGE_SIZE = 50
LEVELS = ("item", "task")
PARTS = ("lead", "support")


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
    page: int = 1
    # Links from the dashboard: "item" = the plan's own items only (no tasks), "task" = tasks only;
    # with `body`, "lead" (牵头) or "support" (配合) narrows to the body's share.
    level: str = ""
    part: str = ""

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        def number(name, lo, hi):
            value = args.get(name, "")
            ok = value.isascii() and value.isdigit() and len(value) < 12 and lo <= int(value) <= hi
            return int(value) if ok else None

        status = args.get("status", "")
        light = args.get("light", "")
        return cls(
            year=number("year", 1990, 2100),
            plan=args.get("plan", "")[:40],
            section=number("section", 0, 99),
            month=number("month", 1, 12),
            status=status if status in STATUSES else "",
            light=light if light in lights.LIGHT_LABELS else "",
            body=number("body", 1, 2**31 - 1),
            q=args.get("q", "").strip()[:100],
            page=number("page", 1, 10**6) or 1,
            level=args.get("level", "") if args.get("level", "") in LEVELS else "",
            part=args.get("part", "") if args.get("part", "") in PARTS else "",
        )

    def as_args(self, **changes) -> dict:
        """The filters as query arguments (defaults left out), with `changes` applied; a new filter
        starts again at page 1."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        if "page" not in changes:
            values["page"] = 1
        return {k: v for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


def available_years() -> list[int]:
    return list(db.session.scalars(select(Plan.year).distinct().order_by(Plan.year.desc())))


def plans_for_year(year: int) -> list[Plan]:
    return list(
        db.session.scalars(
            select(Plan).where(Plan.year == year).options(joinedload(Plan.sections)).order_by(Plan.sort_order, Plan.id)
        ).unique()
    )


def _filtered(user: User, filters: ItemFilters, query: Select | None = None) -> Select:
    """`query` (the user's visible items by default) narrowed by the filters; joins plan and section."""
    query = (query if query is not None else authz.items_visible_to(user)).join(WorkItem.plan).join(WorkItem.section)
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
    if filters.light:
        query = query.where(lights.light_sql(WorkItem, today()) == filters.light)
    if filters.body:
        share = ItemBody.body_id == filters.body
        if filters.part:
            share = share & (ItemBody.lead.is_(filters.part == "lead"))
        query = query.where(WorkItem.assignments.any(share))
    if filters.level:
        query = query.where(WorkItem.parent_id.is_(None) if filters.level == "item" else WorkItem.parent_id.is_not(None))
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(WorkItem.title.ilike(pattern, escape="\\"), WorkItem.text.ilike(pattern, escape="\\")))
    return query


# Made once: an alias made per request costs its column expressions again every time (~1 ms a page).
_PARENT = aliased(WorkItem, name="parent_item")


def visible_items_query(user: User, filters: ItemFilters) -> Select:
    """The SELECT behind `visible_items`: the user's filtered items with plan and section, in plan order."""
    parent = _PARENT
    return (_filtered(user, filters).outerjoin(parent, parent.id == WorkItem.parent_id)
            .options(contains_eager(WorkItem.plan), contains_eager(WorkItem.section))
            .order_by(Plan.sort_order, Plan.id, Section.number, func.coalesce(parent.seq, WorkItem.seq),
                      WorkItem.parent_id.is_not(None), WorkItem.seq))


def visible_ids_query(user: User, filters: ItemFilters) -> Select:
    """The ids of the user's filtered items, as a subquery for IN (one statement, whatever the count)."""
    return _filtered(user, filters, authz.items_visible_to(user).with_only_columns(WorkItem.id))


def visible_items(user: User, filters: ItemFilters, *, limit: int | None = None, offset: int = 0) -> list[WorkItem]:
    """The user's items matching the filters, in plan order, each task right after its parent; two
    queries whatever the count (the items with plan and section, then their bodies)."""
    query = visible_items_query(user, filters)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


@dataclass
class Page:
    items: list[WorkItem]
    number: int
    pages: int
    total: int

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_of_items(user: User, filters: ItemFilters, total: int) -> Page:
    """One page of the list; `total` comes from the counters, which are counted anyway."""
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, pages)
    items = visible_items(user, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return Page(items, number, pages, total)


@dataclass
class Counters:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_light: dict[str, int] = field(default_factory=dict)


def count_items(user: User, filters: ItemFilters) -> Counters:
    """The counts by status and by light of the filtered list, in one aggregate query."""
    columns = (WorkItem.status.label("status"), lights.light_sql(WorkItem, today()).label("light"))
    # Grouped outside a subquery: PostgreSQL does not match a GROUP BY expression whose bound
    # parameters (today's date) are sent a second time.
    inner = _filtered(user, filters, authz.items_visible_to(user).with_only_columns(*columns)).subquery()
    rows = db.session.execute(select(inner.c.status, inner.c.light, func.count()).group_by(inner.c.status, inner.c.light))
    counters = Counters(by_status={s: 0 for s in STATUSES}, by_light={c: 0 for c in lights.LIGHT_LABELS})
    for status, color, n in rows:
        counters.total += n
        counters.by_status[status] += n
        counters.by_light[color] += n
    return counters


def item_history(item: WorkItem) -> list[ItemEvent]:
    return list(
        db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id.desc()))
    )


def stages_of(items: list[WorkItem]) -> dict[int, list]:
    """The stored stages of many items in one query (selectinload would add one per 500 items): their
    names and dates only, which a list row summarises (not the stage with who ticked it)."""
    found: dict[int, list] = {}
    if items:
        rows = db.session.execute(
            select(ItemStage.item_id, ItemStage.name, ItemStage.done_on)
            .where(ItemStage.item_id.in_([i.id for i in items]))
            .order_by(ItemStage.item_id, ItemStage.position)
        )
        for stage in rows:
            found.setdefault(stage.item_id, []).append(stage)
    return found
