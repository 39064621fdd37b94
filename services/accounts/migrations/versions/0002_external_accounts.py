"""external accounts: people signing in through the identity platform, without a password

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('external_subject', sa.String(length=300), nullable=True))
        batch.alter_column('password_hash', existing_type=sa.String(length=200), nullable=True)
        batch.create_unique_constraint('uq_accounts_external_subject', ['external_subject'])


def downgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.drop_constraint('uq_accounts_external_subject', type_='unique')
        batch.alter_column('password_hash', existing_type=sa.String(length=200), nullable=False)
        batch.drop_column('external_subject')
