"""deliveries, channel choices, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-30 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from lianxin.messaging_tables import create_messaging_tables_v1, drop_messaging_tables_v1

revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'deliveries',
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
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cause', 'recipient', 'template', 'channel', name='uq_deliveries_once'),
    )
    op.create_index('ix_deliveries_due', 'deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_deliveries_case_id', 'deliveries', ['case_id'], unique=False)
    op.create_index('ix_deliveries_recipient', 'deliveries', ['recipient'], unique=False)
    op.create_table(
        'channel_choices',
        sa.Column('staff_code', sa.String(length=64), nullable=False),
        sa.Column('channels', sa.JSON(), nullable=False),
        sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('staff_code'),
    )
    create_messaging_tables_v1(op)


def downgrade() -> None:
    drop_messaging_tables_v1(op)
    op.drop_table('channel_choices')
    op.drop_index('ix_deliveries_recipient', table_name='deliveries')
    op.drop_index('ix_deliveries_case_id', table_name='deliveries')
    op.drop_index('ix_deliveries_due', table_name='deliveries')
    op.drop_table('deliveries')
