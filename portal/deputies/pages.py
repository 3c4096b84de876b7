"""A page of a list: the numbers the pager shows."""
from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.rows) - 1 if self.rows else 0


def page_number(args, total: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page number, number of pages) for ?page= clamped to the pages there are."""
    pages = max(1, -(-total // size))
    try:
        number = int(args.get("page", 1))
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages
