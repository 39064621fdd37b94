"""the reporters' photos and documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:40:00

"""
from typing import Sequence, Union

from alembic import op

from lianxin.attachments.models import create_attachments_table_v1, drop_attachments_table_v1

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_attachments_table_v1(op)


def downgrade() -> None:
    drop_attachments_table_v1(op)
