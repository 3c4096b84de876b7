from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.bodies import Body
from portal.models.users import User
from portal.timeutil import utcnow


class HistoryIsAppendOnly(Exception):
    pass


class ItemEvent(db.Model):
    """One entry of a work item's history (办理记录): append-only, never edited or deleted."""

    __tablename__ = "item_event"
    __table_args__ = (Index("ix_item_event_item_id_id", "item_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # status | import | stage | note | document | instruction
    from_value: Mapped[str] = mapped_column(String(200), default="")
    to_value: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
    body: Mapped[Body | None] = relationship(lazy="joined")


@event.listens_for(ItemEvent, "before_update")
@event.listens_for(ItemEvent, "before_delete")
def _refuse_change(mapper, connection, target):  # noqa: ARG001 - SQLAlchemy's signature
    raise HistoryIsAppendOnly("item history is append-only")


# The database refuses too, so raw SQL cannot rewrite history. The same statements are used by
# create_all() (tests) and by the migration, so both databases carry them.
APPEND_ONLY_SQL = {
    "sqlite": [
        "CREATE TRIGGER item_event_no_update BEFORE UPDATE ON item_event "
        "BEGIN SELECT RAISE(ABORT, 'item_event is append-only'); END",
        "CREATE TRIGGER item_event_no_delete BEFORE DELETE ON item_event "
        "BEGIN SELECT RAISE(ABORT, 'item_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION item_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'item_event is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER item_event_no_update BEFORE UPDATE OR DELETE ON item_event "
        "FOR EACH ROW EXECUTE FUNCTION item_event_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_SQL.items():
    for _sql in _statements:
        event.listen(ItemEvent.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
