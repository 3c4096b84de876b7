from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.plans import WorkItem
from portal.timeutil import utcnow

PLANNED, HELD = "planned", "held"
MEETING_STATES = (PLANNED, HELD)

# A vote's result (满意度测评), worst last.
SATISFIED, BASICALLY_SATISFIED, UNSATISFIED = "satisfied", "basically_satisfied", "unsatisfied"
VOTE_RESULTS = (SATISFIED, BASICALLY_SATISFIED, UNSATISFIED)


class Meeting(db.Model):
    """A meeting of the Standing Committee (常委会会议), e.g. 第十次会议 in April: planned, then held.

    Made from the months the plans name (portal.meetings.operations.sync_agenda); the office sets
    its number, date and place and adds meetings the plans do not name (`source` "manual")."""

    __audit__: dict = {}

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_year_month", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    number: Mapped[str | None] = mapped_column(String(40))  # 第十次会议, until the office sets it None
    held_on: Mapped[date | None] = mapped_column(Date)  # the meeting's date, planned or actual
    place: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(10), default=PLANNED)
    source: Mapped[str] = mapped_column(String(10), default="plan")  # plan | manual
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaEntry(db.Model):
    """One item on one meeting's agenda (议题). One row per item: a move changes its meeting, a drop
    keeps the row (state "dropped") so that a re-import of the plan never puts it back.

    `by_hand` is set by any change the office makes (added, moved, dropped); a re-import then leaves the
    row alone. `reason` is the reason given for the latest change; the audit trail keeps every earlier one."""

    __audit__: dict = {}

    __tablename__ = "agenda_entry"
    __table_args__ = (Index("ix_agenda_entry_meeting_id", "meeting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="on")  # on | dropped
    by_hand: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="joined", innerjoin=True)
    item: Mapped[WorkItem] = relationship(lazy="raise")


class FollowUp(db.Model):
    """The oversight follow-up of an item heard at a meeting (审议意见 → 研究处理情况报告 → 满意度测评).

    Round 1 starts when the 审议意见 is sent; the reporting organ's 研究处理情况报告 is then due by
    `report_due` (portal.meetings.followup.report_due_after). An unsatisfactory vote opens the next round
    (跟踪监督, `parent_id` the round before) with a report due again. The state is derived, never stored.
    Open for later kinds of follow-up (代表建议, 民生实事): `kind` names what is followed up."""

    __audit__ = {"skip": ("version",)}

    __tablename__ = "follow_up"
    # One row per round: two first records racing each other collide here (a Conflict, not two rounds).
    __table_args__ = (Index("uq_follow_up_item_round", "item_id", "round", unique=True),
                      Index("ix_follow_up_report_due", "report_due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30), default="hearing")  # hearing | tracking (跟踪监督)
    round: Mapped[int] = mapped_column(default=1)
    opinions_sent_on: Mapped[date | None] = mapped_column(Date)
    opinions_document_id: Mapped[int | None] = mapped_column(ForeignKey("item_document.id", ondelete="SET NULL"))
    report_due: Mapped[date | None] = mapped_column(Date)
    report_received_on: Mapped[date | None] = mapped_column(Date)
    report_document_id: Mapped[int | None] = mapped_column(ForeignKey("item_document.id", ondelete="SET NULL"))
    voted_on: Mapped[date | None] = mapped_column(Date)
    votes_satisfied: Mapped[int | None]
    votes_basically: Mapped[int | None]
    votes_unsatisfied: Mapped[int | None]
    result: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    item: Mapped[WorkItem] = relationship(lazy="raise")
    meeting: Mapped[Meeting | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class AppraisalPerson(db.Model):
    """One official evaluated at a 述职测评 and the result the Standing Committee gave."""

    __audit__: dict = {}

    __tablename__ = "appraisal_person"
    __table_args__ = (Index("ix_appraisal_person_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    post: Mapped[str] = mapped_column(String(200), default="")
    votes_satisfied: Mapped[int | None]
    votes_basically: Mapped[int | None]
    votes_unsatisfied: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
