"""personal data exports and erasures

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:40:12.118034

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('personal_data_erasures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('report_ids', sa.JSON(), nullable=False),
    sa.Column('erased_by', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('personal_data_erasures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_erasures_erased_at'), ['erased_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_erasures_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('personal_data_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='release', nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('personal_data_releases', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('personal_data_erasures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_erasures_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_erasures_erased_at'))

    op.drop_table('personal_data_erasures')
