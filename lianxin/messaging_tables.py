"""The outbox and inbox tables every service keeps in its own database."""
from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    # the relay's only question is "what is still unpublished, oldest first"
    Index("ix_outbox_unpublished", "published_at", "id"),
)

inbox = Table(
    "inbox", metadata,
    Column("event_id", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def create_messaging_tables_v1(op) -> None:
    """The tables as first created; called from each service's first migration.

    Frozen on purpose: a later change to the tables gets its own migration.
    """
    import sqlalchemy as sa
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"], unique=False)


def drop_messaging_tables_v1(op) -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")
