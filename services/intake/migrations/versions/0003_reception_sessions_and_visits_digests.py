"""reception sessions and visits, digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:22:05.767049

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
    op.create_table('digests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('issue', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('produced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_digests_period_start'), ['period_start'], unique=False)

    op.create_table('reception_sessions',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('session', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_sessions_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_reception_sessions_month'), ['month'], unique=False)

    op.create_table('reception_visits',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.String(length=60), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('matter', sa.Text(), nullable=False),
    sa.Column('solved_on_spot', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('visitor_id', sa.String(length=40), nullable=True),
    sa.Column('report_pk', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_pk'], ['reports.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['reception_sessions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reception_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reception_visits_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('reception_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_visits_session_id'))

    op.drop_table('reception_visits')
    with op.batch_alter_table('reception_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reception_sessions_month'))
        batch_op.drop_index(batch_op.f('ix_reception_sessions_day'))

    op.drop_table('reception_sessions')
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digests_period_start'))
        batch_op.drop_index(batch_op.f('ix_digests_kind'))

    op.drop_table('digests')
