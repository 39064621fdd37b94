"""supervised cases, callbacks, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 07:41:02.842959

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
    op.create_table('supervised_cases',
    sa.Column('case_id', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finding', sa.String(length=30), nullable=True),
    sa.Column('actions_taken', sa.Text(), nullable=True),
    sa.Column('responsible_person', sa.String(length=100), nullable=True),
    sa.Column('unit_head', sa.String(length=100), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervised_cases_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervised_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervised_cases_unit'), ['unit'], unique=False)

    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=20), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('resolved', sa.String(length=10), nullable=True),
    sa.Column('satisfaction', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('for_report_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['supervised_cases.case_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_case_id'), ['case_id'], unique=False)

    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_case_id'))

    op.drop_table('callbacks')
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervised_cases_unit'))
        batch_op.drop_index(batch_op.f('ix_supervised_cases_state'))
        batch_op.drop_index(batch_op.f('ix_supervised_cases_reporter_id'))

    op.drop_table('supervised_cases')
