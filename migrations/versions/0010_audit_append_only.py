"""the audit trail and the item history refuse TRUNCATE too (PostgreSQL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:40:00

0001 and 0004 made item_event and audit_entry refuse UPDATE and DELETE with row triggers. On
PostgreSQL TRUNCATE fires no row trigger, so anyone allowed to TRUNCATE (the owner, or a role
granted TRUNCATE) could still empty them: a statement-level BEFORE TRUNCATE trigger refuses it.
SQLite has no TRUNCATE; its "DELETE FROM t" without WHERE fires the DELETE trigger 0001 and 0004
made, so there is nothing to add there.

Self-contained on purpose: it imports nothing from the application.
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ("item_event", "audit_entry")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        # The function exists since 0001/0004; CREATE OR REPLACE keeps this revision self-sufficient.
        op.execute(f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                   f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
