"""citizen delivery receipts: the provider's code and when the phone received it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:  # lianxin.notify.log.ReceiptRecord, as notifications' deliveries (its 0002)
    with op.batch_alter_table('citizen_deliveries') as table:
        table.add_column(sa.Column('receipt_code', sa.String(length=40), nullable=True))
        table.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('citizen_deliveries') as table:
        table.drop_column('delivered_at')
        table.drop_column('receipt_code')
