"""Deputies (人大代表), their groups (代表小组) and liaison stations (代表联络站), and their duty records (履职记录).

One `Deputy` row per deputy number (代表编号, the stable key of the roll, of the account and of every
record). A person who sits in two congresses (e.g. 市 and 县(区)) is one row whose `level_mask` holds
both levels: their duty is done once, recorded once and counted once, and they sign in with one account.
A bit mask rather than a table of mandates keeps the roll one row a deputy, so 7,700 rows import as
7,700 inserts and the report by level is one query with a conditional count per level.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.timeutil import utcnow

# key -> (bit, label as in the roll's 层级 column). Order: highest congress first.
LEVELS = {
    "national": (1, "全国"),
    "provincial": (2, "省"),
    "municipal": (4, "市"),
    "county": (8, "县(区)"),
    "township": (16, "乡(镇)"),
}
GROUP_KINDS = ("mixed", "sector")  # 混合编组 / 按专业、界别编组

DUTY_KINDS = (
    "group_activity", "station_reception", "attend_meeting", "inspection_visit", "research", "law_inspection",
    "legislation_opinion", "proposal", "training", "report_to_voters", "director_reception", "other",
)
# draft: prefilled by staff or a meeting, waiting for the deputy; the three others are CONTRACT's states.
DUTY_STATES = ("draft", "submitted", "confirmed", "returned")


class LiaisonStation(db.Model):
    """A liaison station (代表联络站): where deputies meet the people of a township."""

    __changes_pages__ = "deputies"  # kept pages of the deputies' area render again (portal.models.changes)
    __tablename__ = "liaison_station"
    __audit__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    township: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(200), default="")


class DeputyGroup(db.Model):
    """A deputy group (代表小组): mixed, or by profession or sector; its 组长 named by deputy number."""

    __changes_pages__ = "deputies"  # kept pages of the deputies' area render again (portal.models.changes)
    __tablename__ = "deputy_group"
    __audit__: dict = {}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="mixed")
    # The 组长 by deputy number, not a foreign key: group and deputy would reference each other.
    leader_number: Mapped[str] = mapped_column(String(20), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("liaison_station.id", ondelete="SET NULL"))

    station: Mapped[LiaisonStation | None] = relationship(lazy="joined")


class Deputy(db.Model):
    """A deputy on the roll (代表名册)."""

    __changes_pages__ = "deputies"  # kept pages of the deputies' area render again (portal.models.changes)
    __tablename__ = "deputy"
    __audit__: dict = {}
    __table_args__ = (Index("ix_deputy_group_id", "group_id"), Index("ix_deputy_station_id", "station_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    gender: Mapped[str] = mapped_column(String(4), default="")
    level_mask: Mapped[int] = mapped_column(default=0)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("deputy_group.id", ondelete="SET NULL"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("liaison_station.id", ondelete="SET NULL"))
    constituency: Mapped[str] = mapped_column(String(120), default="")  # 原选举单位或选区
    sector: Mapped[str] = mapped_column(String(60), default="")  # 界别
    occupation: Mapped[str] = mapped_column(String(120), default="")
    grassroots: Mapped[bool] = mapped_column(default=False)  # 基层一线
    mobile: Mapped[str] = mapped_column(String(20), default="")
    term: Mapped[str] = mapped_column(String(20), default="")  # 届次
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), unique=True)

    group: Mapped[DeputyGroup | None] = relationship(lazy="joined")
    station: Mapped[LiaisonStation | None] = relationship(lazy="joined")

    @property
    def levels(self) -> list[str]:
        return [key for key, (bit, _) in LEVELS.items() if self.level_mask & bit]

    @property
    def level_text(self) -> str:
        return "、".join(LEVELS[key][1] for key in self.levels)


class DutyRecord(db.Model):
    """One piece of a deputy's duty (履职记录): what, when, where, optionally the work item it served."""

    __changes_pages__ = "deputies"  # kept pages of the deputies' area render again (portal.models.changes)
    __tablename__ = "duty_record"
    __audit__ = {"skip": ("attachment_data", "created_at")}
    __table_args__ = (Index("ix_duty_record_deputy_date", "deputy_id", "date"),
                      Index("ix_duty_record_state_date", "state", "date"),
                      # Covers the target figures: confirmed counts by kind per deputy, read in deputy order.
                      Index("ix_duty_record_figures", "deputy_id", "state", "kind", "date"),
                      # Covers the target report: the city's confirmed records of the target kinds in a date range.
                      Index("ix_duty_record_targets", "state", "kind", "date", "deputy_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(30))
    place: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    # deputy (typed by the deputy), item (a body's participants), meeting (列席 of a meeting), demo
    source: Mapped[str] = mapped_column(String(10), default="deputy")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    deputy: Mapped[Deputy] = relationship(lazy="joined", innerjoin=True)
    item: Mapped["WorkItem | None"] = relationship("WorkItem", lazy="joined")  # noqa: F821
