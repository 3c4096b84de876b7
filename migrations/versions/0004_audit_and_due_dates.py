"""audit trail; due dates kept on items (lights in SQL); postponement to a year-month; completion date

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:40:00

Self-contained on purpose: it imports nothing from the application, so it keeps its meaning
when the code changes.
"""
import calendar
from datetime import date

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

AUDIT_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
        "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
        "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    ],
}


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def upgrade():
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('action', sa.String(length=80), nullable=False),
        sa.Column('operation', sa.String(length=10), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.String(length=40), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
    for statement in AUDIT_APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)

    # Plain ALTER TABLE, no batch copy: on SQLite a batch rebuild of work_item drops the old table,
    # and that cascades to the append-only item history, which refuses the delete.
    op.add_column('work_item', sa.Column('postponed_to', sa.Date(), nullable=True))
    op.add_column('work_item', sa.Column('due_date', sa.Date(), nullable=True))
    op.add_column('work_item', sa.Column('completed_on', sa.Date(), nullable=True))
    op.create_index('ix_work_item_due_date', 'work_item', ['due_date'], unique=False)

    # Fill the new columns from the old month fields: the due month is the postponed month, else the last month.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT work_item.id, plan.year, work_item.months_mask, work_item.postponed_to_month "
        "FROM work_item JOIN plan ON plan.id = work_item.plan_id")).all()
    for item_id, year, mask, postponed in rows:
        months = [m for m in range(1, 13) if (mask or 0) & (1 << m)]
        due_month = postponed or (months[-1] if months else None)
        bind.execute(sa.text("UPDATE work_item SET postponed_to = :p, due_date = :d WHERE id = :id"), {
            "p": date(year, postponed, 1) if postponed else None,
            "d": _month_end(year, due_month) if due_month else None,
            "id": item_id,
        })
    op.execute("ALTER TABLE work_item DROP COLUMN postponed_to_month")  # SQLite 3.35+ and PostgreSQL alike


def downgrade():
    op.add_column('work_item', sa.Column('postponed_to_month', sa.Integer(), nullable=True))
    op.execute("UPDATE work_item SET postponed_to_month = CAST(strftime('%m', postponed_to) AS INTEGER) "
               "WHERE postponed_to IS NOT NULL" if op.get_bind().dialect.name == "sqlite" else
               "UPDATE work_item SET postponed_to_month = EXTRACT(MONTH FROM postponed_to) WHERE postponed_to IS NOT NULL")
    op.drop_index('ix_work_item_due_date', table_name='work_item')
    for column in ('completed_on', 'due_date', 'postponed_to'):
        op.execute(f"ALTER TABLE work_item DROP COLUMN {column}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only() CASCADE")
    op.drop_table('audit_entry')
