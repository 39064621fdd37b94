"""cases found by the time they were received (the board's received_from and its newest-first sort)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:30:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_cases_received_at', 'cases', ['received_at'])


def downgrade() -> None:
    op.drop_index('ix_cases_received_at', table_name='cases')
