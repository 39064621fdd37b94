"""accountability, information, year-end reviews, recomputations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 08:59:01.936358

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('accountability_records',
    sa.Column('record_id', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('measure', sa.String(length=30), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('record_id')
    )
    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountability_records_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_records_unit'), ['unit'], unique=False)

    op.create_table('information_records',
    sa.Column('report_id', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('village', sa.String(length=64), nullable=True),
    sa.Column('enterprise', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('report_id')
    )
    with op.batch_alter_table('information_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_information_records_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_information_records_township'), ['township'], unique=False)

    op.create_table('year_end_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('entered_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('year_end_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_year_end_reviews_year'), ['year'], unique=False)

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcomes', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('supersedes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('explanation', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_callbacks', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('responsible_person', sa.String(length=100), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('case_records', schema=None) as batch_op:
        batch_op.drop_column('responsible_person')
        batch_op.drop_column('resolved_callbacks')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('explanation')
        batch_op.drop_column('supersedes')
        batch_op.drop_column('outcomes')

    with op.batch_alter_table('year_end_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_year_end_reviews_year'))

    op.drop_table('year_end_reviews')
    with op.batch_alter_table('information_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_information_records_township'))
        batch_op.drop_index(batch_op.f('ix_information_records_received_at'))

    op.drop_table('information_records')
    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_records_unit'))
        batch_op.drop_index(batch_op.f('ix_accountability_records_recorded_at'))

    op.drop_table('accountability_records')
