"""the petitioner's SMS: their delivery log, and whether they want SMS at all (asked at take-in)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('reports') as batch_op:
        batch_op.add_column(sa.Column('reporter_sms', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(  # lianxin.notify.log.DeliveryRecord, as notifications' deliveries (its 0001)
        'citizen_deliveries',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('cause', sa.String(length=120), nullable=False),
        sa.Column('template', sa.String(length=40), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.String(length=20), nullable=True),
        sa.Column('unit', sa.String(length=64), nullable=True),
        sa.Column('variables', sa.JSON(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=True),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('provider_id', sa.String(length=100), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('report_id', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cause', 'recipient', 'template', 'channel', name='uq_citizen_deliveries_once'),
    )
    op.create_index('ix_citizen_deliveries_due', 'citizen_deliveries', ['status', 'next_attempt_at'])
    op.create_index('ix_citizen_deliveries_case_id', 'citizen_deliveries', ['case_id'])
    op.create_index('ix_citizen_deliveries_recipient', 'citizen_deliveries', ['recipient'])
    op.create_index('ix_citizen_deliveries_report_id', 'citizen_deliveries', ['report_id'])


def downgrade() -> None:
    op.drop_table('citizen_deliveries')
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_column('reporter_sms')
