"""leaders' instructions (批示) on items, and which notices (提醒) each user has read

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:50:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instruction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('reply_by', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['work_item.id'], name=op.f('fk_instruction_item_id_work_item'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_instruction_author_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['user.id'], name=op.f('fk_instruction_acknowledged_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_instruction_answered_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_instruction')),
    )
    op.create_index('ix_instruction_item_id', 'instruction', ['item_id'], unique=False)
    op.create_index(op.f('ix_instruction_author_id'), 'instruction', ['author_id'], unique=False)
    op.create_table(
        'notice_read',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notice_read_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_read')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notice_read_user_id')),
    )


def downgrade():
    op.drop_table('notice_read')
    op.drop_index(op.f('ix_instruction_author_id'), table_name='instruction')
    op.drop_index('ix_instruction_item_id', table_name='instruction')
    op.drop_table('instruction')
