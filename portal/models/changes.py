from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


# One counter per area of the data, so a deputy's duty record does not make every committee's list
# render again. A model names the area its rows belong to in `__changes_pages__` (portal.uow): True,
# the default, counts in every area; an area's name in that one; False in none.
AREAS = {"work": 1, "deputies": 2}  # area -> its counter's row id


class ChangeCounter(db.Model):
    """One row per area (AREAS): how many transactions have changed its data (portal.uow bumps it as
    they commit).

    Cached pages (portal.pagecache) are kept under the value they were rendered at. Bumped in the
    committing transaction itself, so its order is the order in which changes become visible: a
    reader that sees value N sees every change counted up to N (an audit id would not do — ids are
    handed out before commit, in another order). Not audited: it is the audit's own bookkeeping.
    """

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
