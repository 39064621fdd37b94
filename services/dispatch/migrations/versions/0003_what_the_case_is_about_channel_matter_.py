"""what the case is about: channel, matter, people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:26:31.295103

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('matter', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('people_count', sa.Integer(), nullable=False, server_default='1'))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('people_count')
        batch_op.drop_column('matter')
        batch_op.drop_column('channel')

