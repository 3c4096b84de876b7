from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.history import make_append_only
from portal.timeutil import utcnow


class AuditEntry(db.Model):
    """One change to stored data (审计记录): who, when, from where, what, before and after.

    Written by the unit of work (portal.uow) in the same transaction as the change, for every
    audited table, whichever blueprint or command made it. Append-only, in the database too.
    The user's name is copied so the entry still reads right after the account is renamed.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None]  # no foreign key: the audit outlives the accounts it names
    username: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    action: Mapped[str] = mapped_column(String(80))  # the declared action (item.update_status) or the command
    operation: Mapped[str] = mapped_column(String(10))  # insert | update | delete
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)


make_append_only(AuditEntry.__table__)
