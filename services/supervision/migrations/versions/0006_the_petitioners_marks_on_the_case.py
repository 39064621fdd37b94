"""the petitioners' marks on the case: callback comments and reasons are stripped of their names and numbers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_marks', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_column('reporter_marks')
