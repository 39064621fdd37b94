"""reports, corrections, access log, alerts, outbox and inbox

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 07:56:47.394626

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
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('report_ids', sa.JSON(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('category_suggested', sa.Boolean(), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=True),
    sa.Column('village', sa.String(length=64), nullable=True),
    sa.Column('enterprise', sa.String(length=64), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('media_url', sa.String(length=500), nullable=True),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('gathering', sa.Boolean(), nullable=False),
    sa.Column('reporter_name', sa.Text(), nullable=True),
    sa.Column('reporter_phone', sa.Text(), nullable=True),
    sa.Column('reporter_id_number', sa.Text(), nullable=True),
    sa.Column('reporter_address', sa.Text(), nullable=True),
    sa.Column('reporter_id', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by_role', sa.String(length=20), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=True),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.String(length=20), nullable=True),
    sa.Column('unit', sa.String(length=64), nullable=True),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['duplicate_of'], ['reports.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_township'), ['township'], unique=False)

    op.create_table('personal_data_releases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_pk', sa.Integer(), nullable=False),
    sa.Column('released_to', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_pk'], ['reports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('personal_data_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_releases_released_at'), ['released_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_releases_released_to'), ['released_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_releases_report_pk'), ['report_pk'], unique=False)

    op.create_table('report_corrections',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('report_pk', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('corrected_by', sa.String(length=64), nullable=False),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_pk'], ['reports.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_corrections_report_pk'), ['report_pk'], unique=False)

    create_messaging_tables_v1(op)


def downgrade() -> None:
    """Downgrade schema."""
    drop_messaging_tables_v1(op)
    with op.batch_alter_table('report_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_corrections_report_pk'))

    op.drop_table('report_corrections')
    with op.batch_alter_table('personal_data_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_releases_report_pk'))
        batch_op.drop_index(batch_op.f('ix_personal_data_releases_released_to'))
        batch_op.drop_index(batch_op.f('ix_personal_data_releases_released_at'))

    op.drop_table('personal_data_releases')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_township'))
        batch_op.drop_index(batch_op.f('ix_reports_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_reports_received_at'))
        batch_op.drop_index(batch_op.f('ix_reports_duplicate_of'))
        batch_op.drop_index(batch_op.f('ix_reports_category'))
        batch_op.drop_index(batch_op.f('ix_reports_case_id'))

    op.drop_table('reports')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_raised_at'))
        batch_op.drop_index(batch_op.f('ix_alerts_kind'))
        batch_op.drop_index(batch_op.f('ix_alerts_key'))

    op.drop_table('alerts')
