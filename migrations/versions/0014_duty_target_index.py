"""the target report's covering index: confirmed duty records by kind and date, with their deputy

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02 03:10:00

Self-contained: imports nothing from the application.
"""
from alembic import op

revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_duty_record_targets', 'duty_record', ['state', 'kind', 'date', 'deputy_id'])


def downgrade():
    op.drop_index('ix_duty_record_targets', table_name='duty_record')
