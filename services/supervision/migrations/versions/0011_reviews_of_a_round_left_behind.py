"""reviews of a round left behind are set aside: those still open when their case had gone back

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 13:30:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LEFT_BEHIND = ("outcome IS NULL AND round < (SELECT reopen_count FROM supervised_cases"
               " WHERE supervised_cases.case_id = reviews.case_id)")


def upgrade() -> None:
    # the time they were set aside is not known: the case's going back is not kept here, so their opening
    op.execute(f"UPDATE reviews SET outcome = 'superseded', concluded_at = opened_at, concluded_by = 'system' "
               f"WHERE {LEFT_BEHIND}")


def downgrade() -> None:
    op.execute("UPDATE reviews SET outcome = NULL, concluded_at = NULL, concluded_by = NULL "
               "WHERE outcome = 'superseded'")
