"""Intake's tables. Personal data lives only here and never leaves in an event."""
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lianxin.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(64), index=True)
    category_suggested: Mapped[bool] = mapped_column(default=False)
    township: Mapped[str | None] = mapped_column(String(64), index=True)
    village: Mapped[str | None] = mapped_column(String(64))
    enterprise: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    people_count: Mapped[int] = mapped_column(default=1)
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    reporter_id_number: Mapped[str | None] = mapped_column(String(32))
    reporter_address: Mapped[str | None] = mapped_column(String(300))
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)  # pseudonym
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    received_by_role: Mapped[str] = mapped_column(String(20))
    received_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    # kept current from dispatch and supervision events
    status: Mapped[str] = mapped_column(String(20), default="received")
    case_id: Mapped[str | None] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(64))
    expected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def report_id(self) -> str:
        return report_number(self.id)


def report_number(pk: int) -> str:
    return f"R{pk:08d}"


def report_pk(report_id: str) -> int | None:
    return int(report_id[1:]) if report_id[:1] == "R" and report_id[1:].isdigit() else None
