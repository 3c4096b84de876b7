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


def append_only_sql(table: str) -> dict[str, list[str]]:
    """Triggers that make the database itself refuse UPDATE, DELETE and TRUNCATE on `table`, per dialect.

    SQLite has no TRUNCATE: its "DELETE FROM t" without WHERE fires the DELETE trigger (a trigger
    turns off the truncate optimisation). PostgreSQL's TRUNCATE fires no row trigger, so a
    statement-level BEFORE TRUNCATE trigger refuses it. The owner of a table can still drop the
    triggers; in production the application connects as a role that owns no table and may only
    SELECT and INSERT here (portal.dbroles, `flask --app app db grant-app-role`).
    """
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ],
        "postgresql": [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ],
    }


def make_append_only(table) -> None:
    """The database refuses too, so raw SQL cannot rewrite history. create_all() (tests) runs these;
    the migrations carry their own copies."""
    for dialect, statements in append_only_sql(table.name).items():
        for sql in statements:
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))


make_append_only(ItemEvent.__table__)
