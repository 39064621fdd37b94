"""leader instructions, case history, team, extension, deadline flags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:38:17.459716

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('case_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_pk', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_pk'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_history_case_pk'), ['case_pk'], unique=False)

    op.create_table('leader_instructions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_pk', sa.Integer(), nullable=False),
    sa.Column('leader', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('instructed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_pk'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leader_instructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leader_instructions_case_pk'), ['case_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_leader_instructions_leader'), ['leader'], unique=False)
        batch_op.create_index(batch_op.f('ix_leader_instructions_level'), ['level'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_receiver', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lead_leader', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('responsible_person', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('team_members', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('plan', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('extension_requested_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extension_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extension_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extension_approved_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('flags', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.create_index(batch_op.f('ix_cases_lead_leader'), ['lead_leader'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_lead_leader'))
        batch_op.drop_column('flags')
        batch_op.drop_column('extension_approved_by')
        batch_op.drop_column('extension_reason')
        batch_op.drop_column('extension_days')
        batch_op.drop_column('extension_requested_days')
        batch_op.drop_column('plan')
        batch_op.drop_column('team_members')
        batch_op.drop_column('responsible_person')
        batch_op.drop_column('lead_leader')
        batch_op.drop_column('first_receiver')

    with op.batch_alter_table('leader_instructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leader_instructions_level'))
        batch_op.drop_index(batch_op.f('ix_leader_instructions_leader'))
        batch_op.drop_index(batch_op.f('ix_leader_instructions_case_pk'))

    op.drop_table('leader_instructions')
    with op.batch_alter_table('case_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_history_case_pk'))

    op.drop_table('case_history')
