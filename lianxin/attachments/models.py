"""The row a service keeps for each attachment, in its own database beside what it belongs to.

A service declares ``class Attachment(AttachmentRow, Base): __tablename__ = "attachments"`` and creates
the table in a migration with ``create_attachments_table_v1(op)``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from lianxin.db import UtcDateTime


class AttachmentRow:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_kind: Mapped[str] = mapped_column(String(32))  # "report", "handling_report", "callback"...
    owner_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # "photo" | "document"
    name: Mapped[str] = mapped_column(String(130))  # cleaned, for display only
    media_type: Mapped[str] = mapped_column(String(64))  # of the served file: what it is served as
    size: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the served file, its name in the store
    thumbnail_hash: Mapped[str | None] = mapped_column(String(64))
    web_hash: Mapped[str | None] = mapped_column(String(64))
    original_hash: Mapped[str | None] = mapped_column(String(64))  # the photo as sent, encrypted; if configured
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown on Open311 when the office marks it
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(64))

    @declared_attr.directive
    def __table_args__(cls):
        # the same file twice on one item is one attachment
        return (UniqueConstraint("owner_kind", "owner_id", "hash", name=f"uq_{cls.__tablename__}_owner_hash"),
                Index(f"ix_{cls.__tablename__}_owner", "owner_kind", "owner_id"))

    def event_view(self) -> dict:
        """All an event may say of it: the file is fetched over HTTP with an entitled token."""
        return {"id": self.id, "kind": self.kind, "size": self.size, "hash": self.hash}


def create_attachments_table_v1(op, name: str = "attachments") -> None:
    """The table as first created; called from a service's migration. Frozen: later changes get their own."""
    import sqlalchemy as sa
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_kind", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(130), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("thumbnail_hash", sa.String(64), nullable=True),
        sa.Column("web_hash", sa.String(64), nullable=True),
        sa.Column("original_hash", sa.String(64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_kind", "owner_id", "hash", name=f"uq_{name}_owner_hash"),
    )
    op.create_index(f"ix_{name}_owner", name, ["owner_kind", "owner_id"])


def drop_attachments_table_v1(op, name: str = "attachments") -> None:
    op.drop_index(f"ix_{name}_owner", table_name=name)
    op.drop_table(name)
