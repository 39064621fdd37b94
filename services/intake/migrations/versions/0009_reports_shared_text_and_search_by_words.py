"""reports: the text as it may leave intake (redacted once, at take-in); on PostgreSQL a trigram index for q=

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # reports taken in before this keep NULL: their digest excerpt is redacted when read, as before
    op.add_column('reports', sa.Column('shared_content', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        # q= is content LIKE '%words%': trigrams find words of three characters or more without reading every
        # report (docs/scaling.md); SQLite keeps its scan
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_reports_content_trgm ON reports USING gin (content gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_reports_content_trgm')
    op.drop_column('reports', 'shared_content')
