"""evidence attached to callbacks and reviews; the repair photos of the latest handling report

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 17:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from lianxin.attachments.models import create_attachments_table_v1, drop_attachments_table_v1

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_attachments_table_v1(op)
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repair_photos', sa.JSON(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_column('repair_photos')
    drop_attachments_table_v1(op)
