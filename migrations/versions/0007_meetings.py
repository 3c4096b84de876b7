"""Standing Committee meetings, their agendas and the oversight follow-up after a hearing

Revision ID: 0007
Revises: 0013
Create Date: 2026-12-01 23:50:00

Self-contained: imports nothing from the application.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=True),
        sa.Column('held_on', sa.Date(), nullable=True),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    )
    op.create_index('ix_meeting_year_month', 'meeting', ['year', 'month'], unique=False)
    op.create_table(
        'agenda_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('by_hand', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['work_item.id'], name=op.f('fk_agenda_entry_item_id_work_item'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_entry_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_agenda_entry_changed_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_entry')),
        sa.UniqueConstraint('item_id', name=op.f('uq_agenda_entry_item_id')),
    )
    op.create_index('ix_agenda_entry_meeting_id', 'agenda_entry', ['meeting_id'], unique=False)
    op.create_table(
        'follow_up',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('opinions_sent_on', sa.Date(), nullable=True),
        sa.Column('opinions_document_id', sa.Integer(), nullable=True),
        sa.Column('report_due', sa.Date(), nullable=True),
        sa.Column('report_received_on', sa.Date(), nullable=True),
        sa.Column('report_document_id', sa.Integer(), nullable=True),
        sa.Column('voted_on', sa.Date(), nullable=True),
        sa.Column('votes_satisfied', sa.Integer(), nullable=True),
        sa.Column('votes_basically', sa.Integer(), nullable=True),
        sa.Column('votes_unsatisfied', sa.Integer(), nullable=True),
        sa.Column('result', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['work_item.id'], name=op.f('fk_follow_up_item_id_work_item'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_follow_up_meeting_id_meeting'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['parent_id'], ['follow_up.id'], name=op.f('fk_follow_up_parent_id_follow_up'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['opinions_document_id'], ['item_document.id'],
                                name=op.f('fk_follow_up_opinions_document_id_item_document'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['report_document_id'], ['item_document.id'],
                                name=op.f('fk_follow_up_report_document_id_item_document'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up')),
    )
    op.create_index('uq_follow_up_item_round', 'follow_up', ['item_id', 'round'], unique=True)
    op.create_index('ix_follow_up_report_due', 'follow_up', ['report_due'], unique=False)
    op.create_table(
        'appraisal_person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('post', sa.String(length=200), nullable=False),
        sa.Column('votes_satisfied', sa.Integer(), nullable=True),
        sa.Column('votes_basically', sa.Integer(), nullable=True),
        sa.Column('votes_unsatisfied', sa.Integer(), nullable=True),
        sa.Column('result', sa.String(length=20), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['work_item.id'], name=op.f('fk_appraisal_person_item_id_work_item'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_appraisal_person_recorded_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appraisal_person')),
    )
    op.create_index('ix_appraisal_person_item_id', 'appraisal_person', ['item_id'], unique=False)


def downgrade():
    op.drop_index('ix_appraisal_person_item_id', table_name='appraisal_person')
    op.drop_table('appraisal_person')
    op.drop_index('ix_follow_up_report_due', table_name='follow_up')
    op.drop_index('uq_follow_up_item_round', table_name='follow_up')
    op.drop_table('follow_up')
    op.drop_index('ix_agenda_entry_meeting_id', table_name='agenda_entry')
    op.drop_table('agenda_entry')
    op.drop_index('ix_meeting_year_month', table_name='meeting')
    op.drop_table('meeting')
