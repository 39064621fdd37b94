"""the place as written on the case: village or enterprise and the location in words (redacted), for the notice

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('enterprise', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('location', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('location')
        batch_op.drop_column('enterprise')
        batch_op.drop_column('village')
