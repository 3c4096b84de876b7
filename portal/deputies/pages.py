"""A page of a list: the numbers the pager shows."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, literal_column, select

from portal.extensions import db

PAGE_SIZE = 50
# Counting stops here: a city's queue can hold a hundred thousand rows, and counting them all costs
# each page view more than the page itself; past this many the pager says "more than" and asks for a filter.
COUNT_CAP = 10_000


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def count_up_to_cap(query: Select) -> int:
    """The query's rows counted up to COUNT_CAP + 1 (Page.capped says whether the cap was passed).
    Only the rows' existence is read, not their columns (a record's attachment among them)."""
    rows = query.with_only_columns(literal_column("1"), maintain_column_froms=True).limit(COUNT_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(rows.subquery()))


def name_choices(model) -> list[tuple[str, str]]:
    """(id as text, name) of every group or station by name: a filter's options, compared with ?group= as sent."""
    return [(str(id_), name) for id_, name in db.session.execute(select(model.id, model.name).order_by(model.name))]


def page_number(args, total: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page number, number of pages) for ?page= clamped to the pages there are."""
    pages = max(1, -(-total // size))
    try:
        number = int(args.get("page", 1))
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages
