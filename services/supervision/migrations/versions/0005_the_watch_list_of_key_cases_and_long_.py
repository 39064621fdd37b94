"""the watch list of key cases and long-standing petitioners

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:52:51.538073

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('watch_list',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('case_id', sa.String(length=20), nullable=True),
    sa.Column('lead_leader', sa.String(length=64), nullable=False),
    sa.Column('help_team', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('follow_up_days', sa.Integer(), nullable=False),
    sa.Column('next_follow_up_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('follow_ups', sa.JSON(), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('watch_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_list_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_list_next_follow_up_at'), ['next_follow_up_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_watch_list_reporter_id'), ['reporter_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('watch_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_list_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_watch_list_next_follow_up_at'))
        batch_op.drop_index(batch_op.f('ix_watch_list_case_id'))

    op.drop_table('watch_list')
