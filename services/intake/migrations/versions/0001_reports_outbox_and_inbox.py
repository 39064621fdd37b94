"""reports, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 07:39:12.886459

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from lianxin.messaging_tables import create_messaging_tables_v1, drop_messaging_tables_v1


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('category_suggested', sa.Boolean(), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('village', sa.String(length=64), nullable=True),
    sa.Column('enterprise', sa.String(length=64), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('reporter_name', sa.String(length=100), nullable=True),
    sa.Column('reporter_phone', sa.String(length=32), nullable=True),
    sa.Column('reporter_id_number', sa.String(length=32), nullable=True),
    sa.Column('reporter_address', sa.String(length=300), nullable=True),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by_role', sa.String(length=20), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.String(length=20), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_township'), ['township'], unique=False)

    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_township'))
        batch_op.drop_index(batch_op.f('ix_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_reports_received_at'))
        batch_op.drop_index(batch_op.f('ix_reports_category'))

    op.drop_table('reports')
