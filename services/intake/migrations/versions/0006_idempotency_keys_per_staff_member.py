"""idempotency keys per staff member: one person's key never answers with another's report

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:00:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# 0001 left the key's unique constraint unnamed: SQLite's copy of the table names it by this convention
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
PER_STAFF = "uq_reports_received_by_idempotency_key"


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        with op.batch_alter_table('reports', naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint('uq_reports_idempotency_key', type_='unique')
            batch_op.create_unique_constraint(PER_STAFF, ['received_by', 'idempotency_key'])
    else:
        op.drop_constraint('reports_idempotency_key_key', 'reports', type_='unique')
        op.create_unique_constraint(PER_STAFF, 'reports', ['received_by', 'idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_constraint(PER_STAFF, type_='unique')
        batch_op.create_unique_constraint('reports_idempotency_key_key', ['idempotency_key'])
