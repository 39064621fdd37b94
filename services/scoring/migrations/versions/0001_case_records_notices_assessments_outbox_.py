"""case records, notices, assessments, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 07:41:55.013143

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
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_period'), ['period'], unique=False)

    op.create_table('case_records',
    sa.Column('case_id', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('unit_kind', sa.String(length=20), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_on_time', sa.Boolean(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_on_time', sa.Boolean(), nullable=True),
    sa.Column('satisfied_callbacks', sa.Integer(), nullable=False),
    sa.Column('dissatisfied_callbacks', sa.Integer(), nullable=False),
    sa.Column('answered_callbacks', sa.Integer(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_records_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_records_unit'), ['unit'], unique=False)

    op.create_table('notice_records',
    sa.Column('notice_id', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('notice_id')
    )
    with op.batch_alter_table('notice_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_records_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_records_unit'), ['unit'], unique=False)

    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table('notice_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_records_unit'))
        batch_op.drop_index(batch_op.f('ix_notice_records_issued_at'))

    op.drop_table('notice_records')
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_records_unit'))
        batch_op.drop_index(batch_op.f('ix_case_records_received_at'))

    op.drop_table('case_records')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_period'))

    op.drop_table('assessments')
