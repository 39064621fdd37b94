"""cases, handling reports, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 07:40:34.648824

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from lianxin.messaging_tables import create_messaging_tables_v1, drop_messaging_tables_v1


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_id', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('unit_kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('routing_reason', sa.Text(), nullable=False),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_unit'), ['unit'], unique=False)

    op.create_table('handling_reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_pk', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(length=30), nullable=False),
    sa.Column('actions_taken', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('petitioner_opinion', sa.Text(), nullable=False),
    sa.Column('petitioner_acknowledged', sa.Boolean(), nullable=False),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('unit_head', sa.String(length=100), nullable=True),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_pk'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handling_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handling_reports_case_pk'), ['case_pk'], unique=False)

    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table('handling_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handling_reports_case_pk'))

    op.drop_table('handling_reports')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_unit'))
        batch_op.drop_index(batch_op.f('ix_cases_state'))
        batch_op.drop_index(batch_op.f('ix_cases_deadline'))

    op.drop_table('cases')
