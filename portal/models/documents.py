from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.users import User
from portal.timeutil import utcnow


class ItemDocument(db.Model):
    """A document attached to a work item (相关材料: 方案, 调研报告, 审议意见, …).

    The bytes live in the database, so a document is backed up, restored and access-checked
    with the item it belongs to; `filename` is for display and the download name only, never a
    path. Removal is soft: the row and its bytes stay so the history still makes sense.
    """

    __tablename__ = "item_document"
    __audit__ = {"skip": ("data",)}  # the bytes are kept in the row itself; the audit names them by sha256
    __table_args__ = (Index("ix_item_document_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # from the content, not from the client
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: lists and the detail page never load the blobs, only a download does.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Set for the documents of an answer to an instruction (批示办理材料): shown and served with the
    # instruction, so only to those who may see instructions (portal.authz).
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instruction.id", ondelete="SET NULL"), index=True)

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id], lazy="joined")
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
