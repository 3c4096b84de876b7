from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.extensions import db
from portal.models.bodies import Body
from portal.timeutil import utcnow

if TYPE_CHECKING:
    from portal.models.stages import ItemStage

PLAN_KEYS_ORDER = ("work_points", "supervision", "decisions", "deputy_work", "legislation")


class Plan(db.Model):
    """One annual plan (年度计划) of one kind: 工作要点, 监督工作计划, …"""

    __audit__ = {"skip": ("imported_at",), "collections": ("default_bodies",)}

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("year", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Set when the office closes the plan's year (年终结转): its open items were carried or closed.
    closed_at: Mapped[datetime | None]

    sections: Mapped[list[Section]] = relationship(
        back_populates="plan", order_by="Section.number", cascade="all, delete-orphan"
    )
    # Who carries an item of this plan that names no body (代表工作计划 → 选工委), set by an admin.
    default_bodies: Mapped[list[Body]] = relationship(secondary="plan_default_body", order_by=Body.sort_order)


plan_default_body = db.Table(
    "plan_default_body",
    db.Column("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True),
    db.Column("body_id", ForeignKey("body.id", ondelete="CASCADE"), primary_key=True),
)


class Section(db.Model):
    """A numbered part of a plan (一、听取审议工作报告). Plans without parts have one section numbered 0."""

    __audit__: dict = {}

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")

    plan: Mapped[Plan] = relationship(back_populates="sections")


class ItemBody(db.Model):
    """Assignment of a work item to a responsible body, in the order the plan names them."""

    __audit__: dict = {}

    __tablename__ = "item_body"
    __table_args__ = (Index("ix_item_body_body_id", "body_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    # 牵头 (lead) or 配合 (supporting). Bodies a plan names together ("由A、B负责") all lead.
    lead: Mapped[bool] = mapped_column(default=True)

    body: Mapped[Body] = relationship(lazy="joined")


class WorkItem(db.Model):
    """A work item (工作事项): one numbered point of a plan, with its schedule, bodies and status."""

    __audit__ = {"skip": ("version", "created_at", "updated_at")}

    __tablename__ = "work_item"
    # A plan's own items are numbered within their section, a task (分解任务) within its parent.
    __table_args__ = (
        Index("uq_work_item_section_seq", "section_id", "seq", unique=True,
              sqlite_where=text("parent_id IS NULL"), postgresql_where=text("parent_id IS NULL")),
        Index("uq_work_item_parent_seq", "parent_id", "seq", unique=True,
              sqlite_where=text("parent_id IS NOT NULL"), postgresql_where=text("parent_id IS NOT NULL")),
        Index("ix_work_item_plan_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    # Months as a bit set (bit m for month m) so "items in month m" is one portable SQL test.
    months_mask: Mapped[int] = mapped_column(default=0)
    schedule: Mapped[str] = mapped_column(String(300), default="")
    meeting_month: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="not_started", index=True)
    status_note: Mapped[str] = mapped_column(Text, default="")
    # The first day of the month a postponement moved the item to; it may lie in a later year.
    postponed_to: Mapped[date | None] = mapped_column(Date)
    # The last day of the month the item is due: kept by `_keep_due_dates` from the months and the
    # postponement, so lights can be counted, filtered and ordered in SQL (portal.items.lights).
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)  # the 办结 date, set when marked done
    source: Mapped[str] = mapped_column(String(10), default="import")  # import | manual
    source_line: Mapped[int | None]
    # The kind of work (portal.items.kinds.WORK_KINDS) whose standard stages apply; None = not classified.
    work_kind: Mapped[str | None] = mapped_column(String(30))
    # A task (分解任务) decomposed from a plan item; None for the plan's own items.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    # The month the office set the item due (its first day), e.g. a task or work running into next year.
    assigned_due: Mapped[date | None] = mapped_column(Date)
    # Fields the office set by hand (交办): a re-import keeps them where the text says nothing.
    manual_fields: Mapped[list] = mapped_column(JSON, default=list)
    # A parent's status follows its tasks unless someone set it by hand.
    status_by_hand: Mapped[bool] = mapped_column(default=False)
    # Carried over at the year's end (结转): the new item points at the one it continues.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # "unnested": where an item is itself outer-joined (a duty record's item), its plan and section follow
    # as more LEFT JOINs. Nested in brackets, SQLite first joins every item of every year, then picks one.
    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin="unnested")
    section: Mapped[Section] = relationship(lazy="joined", innerjoin="unnested")
    assignments: Mapped[list[ItemBody]] = relationship(
        order_by=ItemBody.position, cascade="all, delete-orphan", lazy="selectin"
    )
    # Lists that show progress load these with selectinload(WorkItem.stages): one query for all items.
    stages: Mapped[list[ItemStage]] = relationship(
        order_by="ItemStage.position", cascade="all, delete-orphan", passive_deletes=True
    )

    # SQLAlchemy compares and bumps the version at flush: a concurrent write in between fails loudly.
    __mapper_args__ = {"version_id_col": version}

    @property
    def months(self) -> list[int]:
        mask = self.months_mask or 0  # None until the row is first flushed
        return [m for m in range(1, 13) if mask & (1 << m)]

    @months.setter
    def months(self, months: list[int]) -> None:
        self.months_mask = sum(1 << m for m in set(months) if 1 <= m <= 12)

    @property
    def bodies(self) -> list[Body]:
        return [a.body for a in self.assignments]

    @property
    def lead_bodies(self) -> list[Body]:
        return [a.body for a in self.assignments if a.lead]

    @property
    def supporting_bodies(self) -> list[Body]:
        return [a.body for a in self.assignments if not a.lead]

    @property
    def body_ids(self) -> set[int]:
        return {a.body_id for a in self.assignments}

    def compute_due_date(self, plan_year: int) -> date | None:
        """The last day of the month the item is due: the postponed month, else the month the office set,
        else its last month in the plan's year."""
        if self.postponed_to or self.assigned_due:
            due = self.postponed_to or self.assigned_due
            year, month = due.year, due.month
        elif self.months:
            year, month = plan_year, self.months[-1]
        else:
            return None
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def progress(self) -> int | None:
        """Percent of the item's stages done (0–100), once its stages are being tracked.

        Stage rows exist from the first tick on (portal.items.work_operations). Before that, and
        for kinds of work without standard stages, progress follows the status: 0 not started,
        100 done, None (unknown, shown as "—") otherwise — a made-up 50% would look like a measurement.
        """
        if self.stages:
            done = sum(1 for stage in self.stages if stage.done_on is not None)
            return round(100 * done / len(self.stages))
        return {"not_started": 0, "done": 100}.get(self.status)

    @property
    def number_label(self) -> str:
        return f"{self.section.number}.{self.seq}" if self.section.number else str(self.seq)

    @property
    def is_task(self) -> bool:
        return self.parent_id is not None

    def __repr__(self) -> str:
        return f"<WorkItem {self.plan.key} {self.number_label} {self.title[:20]}>"


@event.listens_for(Session, "before_flush")
def _keep_due_dates(session, flush_context, instances):  # noqa: ARG001 - SQLAlchemy's signature
    """Every new or changed item leaves the flush with a due date that matches its schedule."""
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, WorkItem):
            plan = obj.plan if obj.plan_id is None or "plan" in obj.__dict__ else session.get(Plan, obj.plan_id)
            due = obj.compute_due_date(plan.year)
            if obj.due_date != due:
                obj.due_date = due
