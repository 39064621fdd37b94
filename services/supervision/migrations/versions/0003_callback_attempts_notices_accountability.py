"""callback attempts, notices, accountability

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:42:53.665769

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('accountability',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('post', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('measure', sa.String(length=30), nullable=False),
    sa.Column('case_id', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('accountability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountability_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_unit'), ['unit'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_unit'), ['unit'], unique=False)

    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_supervised_cases_callback_due_at'), ['callback_due_at'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('supervised_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervised_cases_callback_due_at'))
        batch_op.drop_column('callback_due_at')
        batch_op.drop_column('callback_attempts')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_unit'))
        batch_op.drop_index(batch_op.f('ix_notices_issued_at'))

    op.drop_table('notices')
    with op.batch_alter_table('accountability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_unit'))
        batch_op.drop_index(batch_op.f('ix_accountability_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_accountability_case_id'))

    op.drop_table('accountability')
