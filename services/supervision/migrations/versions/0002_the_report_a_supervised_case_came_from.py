"""the report a supervised case came from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 08:16:32.961862

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.String(length=20), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_supervised_cases_report_id'), ['report_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervised_cases_report_id'))
        batch_op.drop_column('report_id')

