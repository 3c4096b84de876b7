"""deputies (代表名册): liaison stations, deputy groups, the roll, duty records (履职记录)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:26:31

Self-contained: imports nothing from the application.

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('liaison_station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('township', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_liaison_station')),
    sa.UniqueConstraint('name', name=op.f('uq_liaison_station_name'))
    )
    op.create_table('deputy_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('leader_number', sa.String(length=20), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['liaison_station.id'], name=op.f('fk_deputy_group_station_id_liaison_station'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputy_group')),
    sa.UniqueConstraint('name', name=op.f('uq_deputy_group_name'))
    )
    op.create_table('deputy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('gender', sa.String(length=4), nullable=False),
    sa.Column('level_mask', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('constituency', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=60), nullable=False),
    sa.Column('occupation', sa.String(length=120), nullable=False),
    sa.Column('grassroots', sa.Boolean(), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('term', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['deputy_group.id'], name=op.f('fk_deputy_group_id_deputy_group'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['station_id'], ['liaison_station.id'], name=op.f('fk_deputy_station_id_liaison_station'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_deputy_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputy')),
    sa.UniqueConstraint('number', name=op.f('uq_deputy_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_deputy_user_id'))
    )
    with op.batch_alter_table('deputy', schema=None) as batch_op:
        batch_op.create_index('ix_deputy_group_id', ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deputy_name'), ['name'], unique=False)
        batch_op.create_index('ix_deputy_station_id', ['station_id'], unique=False)

    op.create_table('duty_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=False),
    sa.Column('attachment_type', sa.String(length=100), nullable=False),
    sa.Column('attachment_data', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_duty_record_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deputy_id'], ['deputy.id'], name=op.f('fk_duty_record_deputy_id_deputy'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['work_item.id'], name=op.f('fk_duty_record_item_id_work_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_duty_record_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_record'))
    )
    with op.batch_alter_table('duty_record', schema=None) as batch_op:
        batch_op.create_index('ix_duty_record_deputy_date', ['deputy_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_record_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_duty_record_state_date', ['state', 'date'], unique=False)
        batch_op.create_index('ix_duty_record_figures', ['deputy_id', 'state', 'kind', 'date'], unique=False)



def downgrade():
    with op.batch_alter_table('duty_record', schema=None) as batch_op:
        batch_op.drop_index('ix_duty_record_figures')
        batch_op.drop_index('ix_duty_record_state_date')
        batch_op.drop_index(batch_op.f('ix_duty_record_item_id'))
        batch_op.drop_index('ix_duty_record_deputy_date')

    op.drop_table('duty_record')
    with op.batch_alter_table('deputy', schema=None) as batch_op:
        batch_op.drop_index('ix_deputy_station_id')
        batch_op.drop_index(batch_op.f('ix_deputy_name'))
        batch_op.drop_index('ix_deputy_group_id')

    op.drop_table('deputy')
    op.drop_table('deputy_group')
    op.drop_table('liaison_station')
