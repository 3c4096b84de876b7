"""a change counter per area of the data: the deputies' beside the rest (portal.models.changes.AREAS)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 03:30:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("INSERT INTO change_counter (id, value) SELECT 2, 0 WHERE NOT EXISTS "
                       "(SELECT 1 FROM change_counter WHERE id = 2)"))


def downgrade():
    op.execute(sa.text("DELETE FROM change_counter WHERE id = 2"))
