"""sign-in hardening: the per-address throttle's counters (portal.accounts.throttle, database store)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:45:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_counter',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_counter')),
    )
    op.create_index(op.f('ix_sign_in_counter_expires_at'), 'sign_in_counter', ['expires_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sign_in_counter_expires_at'), table_name='sign_in_counter')
    op.drop_table('sign_in_counter')
