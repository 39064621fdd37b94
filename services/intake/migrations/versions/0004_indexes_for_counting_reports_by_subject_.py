"""indexes for counting reports by subject or place in a window

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:16:32.397880

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_category_received', ['category', 'received_at'], unique=False)
        batch_op.create_index('ix_reports_township_received', ['township', 'received_at'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_township_received')
        batch_op.drop_index('ix_reports_category_received')

