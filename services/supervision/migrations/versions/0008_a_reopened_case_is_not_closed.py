"""a reopened case is not closed: reopened by a callback or a failed review, a closed case had kept its closing
time (the citizen's page said "in handling" and "closed on ..." at once); only the office's reopening cleared it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:15:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE supervised_cases SET closed_at = NULL WHERE state <> 'closed' AND closed_at IS NOT NULL")


def downgrade() -> None:
    pass  # the times cleared were wrong
