"""the repeats' numbers (from report.received), which open their case on the petitioner's page

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'linked_reports',
        sa.Column('report_id', sa.String(length=20), nullable=False),
        sa.Column('original_id', sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint('report_id'),
    )
    op.create_index(op.f('ix_linked_reports_original_id'), 'linked_reports', ['original_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_linked_reports_original_id'), table_name='linked_reports')
    op.drop_table('linked_reports')
