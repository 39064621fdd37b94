"""the dashboard's counts found by index: cases by the time dispatched and closed, and the open ones apart

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STILL_OPEN = sa.text("state != 'closed'")


def upgrade() -> None:
    op.create_index('ix_cases_dispatched_at', 'cases', ['dispatched_at'])
    op.create_index('ix_cases_closed_at', 'cases', ['closed_at'])
    op.create_index('ix_cases_open', 'cases', ['unit', 'township', 'state', 'deadline'],
                    postgresql_where=STILL_OPEN, sqlite_where=STILL_OPEN)


def downgrade() -> None:
    op.drop_index('ix_cases_open', table_name='cases')
    op.drop_index('ix_cases_closed_at', table_name='cases')
    op.drop_index('ix_cases_dispatched_at', table_name='cases')
