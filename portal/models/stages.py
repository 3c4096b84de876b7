from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.users import User
from portal.timeutil import utcnow


class StageTemplate(db.Model):
    """A standard stage (标准工作环节) of one kind of work, e.g. 执法检查 → 实地检查. Edited by the admin.

    Positions are kept 1..n per kind (portal.items.stages renumbers after every edit). There is
    no unique constraint on (work_kind, position): reordering swaps two rows, which a
    non-deferrable constraint would refuse half-way on PostgreSQL.
    """

    __tablename__ = "stage_template"
    __audit__: dict = {}
    __table_args__ = (Index("ix_stage_template_work_kind_position", "work_kind", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_kind: Mapped[str] = mapped_column(String(30))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))


class ItemStage(db.Model):
    """One stage of one work item, copied from the templates when the item's first stage is ticked.

    The name is a copy, so a later template edit does not rewrite work already recorded.
    """

    __tablename__ = "item_stage"
    __audit__ = {"skip": ("updated_at",)}
    __table_args__ = (UniqueConstraint("item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    done_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def done(self) -> bool:
        return self.done_on is not None
