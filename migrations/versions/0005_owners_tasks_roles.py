"""every item has an owner: lead/supporting bodies, tasks, hand-set fields, year-end carry-over,
per-plan default bodies; several roles per person, forced password change, leaders' bodies (分管)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:00:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'leader_body',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_leader_body_body_id_body'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_leader_body_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'body_id', name=op.f('pk_leader_body')),
    )
    op.create_table(
        'plan_default_body',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['body.id'], name=op.f('fk_plan_default_body_body_id_body'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_default_body_plan_id_plan'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'body_id', name=op.f('pk_plan_default_body')),
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_roles', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('item_body', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead', sa.Boolean(), nullable=False, server_default=sa.true()))
    # Foreign keys are off during migrations (migrations/env.py), so this rebuild on SQLite keeps the history.
    with op.batch_alter_table('work_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('manual_fields', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('status_by_hand', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_work_item_parent_id_work_item'), 'work_item', ['parent_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_work_item_carried_from_id_work_item'), 'work_item',
                                    ['carried_from_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_work_item_parent_id'), ['parent_id'], unique=False)
        batch_op.drop_constraint('uq_work_item_section_id', type_='unique')
        batch_op.create_index('uq_work_item_section_seq', ['section_id', 'seq'], unique=True,
                              sqlite_where=sa.text('parent_id IS NULL'), postgresql_where=sa.text('parent_id IS NULL'))
        batch_op.create_index('uq_work_item_parent_seq', ['parent_id', 'seq'], unique=True,
                              sqlite_where=sa.text('parent_id IS NOT NULL'),
                              postgresql_where=sa.text('parent_id IS NOT NULL'))


def downgrade():
    # Tasks have no place in the older schema: the downgrade refuses while any exist.
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM work_item WHERE parent_id IS NOT NULL")).scalar():
        raise RuntimeError("downgrade below 0005 would lose decomposed tasks; remove them first")
    with op.batch_alter_table('work_item', schema=None) as batch_op:
        batch_op.drop_index('uq_work_item_parent_seq')
        batch_op.drop_index('uq_work_item_section_seq')
        batch_op.create_unique_constraint('uq_work_item_section_id', ['section_id', 'seq'])
        batch_op.drop_index(batch_op.f('ix_work_item_parent_id'))
        batch_op.drop_constraint(batch_op.f('fk_work_item_carried_from_id_work_item'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_work_item_parent_id_work_item'), type_='foreignkey')
        for column in ('carried_from_id', 'status_by_hand', 'manual_fields', 'assigned_due', 'parent_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('item_body', schema=None) as batch_op:
        batch_op.drop_column('lead')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        for column in ('password_changed_at', 'must_change_password', 'extra_roles'):
            batch_op.drop_column(column)
    op.drop_table('plan_default_body')
    op.drop_table('leader_body')
