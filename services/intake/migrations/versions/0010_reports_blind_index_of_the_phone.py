"""reports: the blind index of the reporter's phone, for staff searching by number

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:30:00

Schema only: a migration has no keys, so the reports taken in before it are indexed by
``lianxin reindex-phones`` (it decrypts each phone with LIANXIN_PII_KEYS), run once after upgrading;
reports taken in since are indexed at take-in.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('reports', sa.Column('reporter_phone_index', sa.String(length=64), nullable=True))
    op.create_index('ix_reports_reporter_phone_index', 'reports', ['reporter_phone_index'])


def downgrade() -> None:
    op.drop_index('ix_reports_reporter_phone_index', table_name='reports')
    op.drop_column('reports', 'reporter_phone_index')
