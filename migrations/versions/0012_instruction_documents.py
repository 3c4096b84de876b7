"""documents attached to the answer to an instruction (批示办理材料)

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-01 23:40:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('item_document') as batch:
        batch.add_column(sa.Column('instruction_id', sa.Integer(), nullable=True))
        batch.create_index('ix_item_document_instruction_id', ['instruction_id'])
        batch.create_foreign_key(op.f('fk_item_document_instruction_id_instruction'), 'instruction',
                                 ['instruction_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('item_document') as batch:
        batch.drop_constraint(op.f('fk_item_document_instruction_id_instruction'), type_='foreignkey')
        batch.drop_index('ix_item_document_instruction_id')
        batch.drop_column('instruction_id')
