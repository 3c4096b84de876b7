from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.plans import WorkItem  # noqa: F401 - the relationship's target
from portal.models.users import User
from portal.timeutil import utcnow

UNREAD, READ, ANSWERED, OVERDUE = "unread", "read", "answered", "overdue"


class Instruction(db.Model):
    """A leader's instruction on a work item (领导批示): read (已阅) and answered (办理情况) by the item's bodies.

    Its state is derived, never stored: 未阅 until acknowledged, 已阅未复 until answered, 已答复 once
    answered, 逾期未复 when the reply-by date has passed unanswered. Closing (办结) is the leader's.
    """

    __audit__ = {"skip": ("version",)}

    __tablename__ = "instruction"
    __table_args__ = (Index("ix_instruction_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reply_by: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    item: Mapped["WorkItem"] = relationship(lazy="raise")  # load it explicitly (the list joins it)
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id], lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def state(self, today: date) -> str:
        if self.answered_at is not None:
            return ANSWERED
        if self.reply_by is not None and self.reply_by < today:
            return OVERDUE
        return READ if self.acknowledged_at is not None else UNREAD


class NoticeRead(db.Model):
    """That a user has read one notice (提醒), by the notice's key: notices are derived, the reads are kept.

    Not audited: a read marker is the user's own bookkeeping, like the sign-in counters."""

    __tablename__ = "notice_read"
    __changes_pages__ = False  # kept pages (portal.pagecache) stay: the notices page itself is never kept
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
