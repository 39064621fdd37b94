"""Intake's tables. Personal data lives only here, encrypted, and never leaves in an event."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lianxin.db import UtcDateTime

from .protection import Encrypted


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
    location: Mapped[str | None] = mapped_column(String(300))  # where the matter is, in words
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    content: Mapped[str] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(String(500))
    people_count: Mapped[int] = mapped_column(default=1)
    gathering: Mapped[bool] = mapped_column(default=False)  # people gathering to petition: act within the hour
    reporter_name: Mapped[str | None] = mapped_column(Encrypted)
    reporter_phone: Mapped[str | None] = mapped_column(Encrypted)
    reporter_id_number: Mapped[str | None] = mapped_column(Encrypted)
    reporter_address: Mapped[str | None] = mapped_column(Encrypted)
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)  # pseudonym
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    received_by_role: Mapped[str] = mapped_column(String(20))
    received_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # kept current from dispatch and supervision events
    status: Mapped[str] = mapped_column(String(20), default="received")
    case_id: Mapped[str | None] = mapped_column(String(20), index=True)
    unit: Mapped[str | None] = mapped_column(String(64))
    expected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    case_round: Mapped[int] = mapped_column(default=0)  # how often the case was reopened, as last heard
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    corrections: Mapped[list["ReportCorrection"]] = relationship(back_populates="report",
                                                                 order_by="ReportCorrection.id")

    @property
    def report_id(self) -> str:
        return report_number(self.id)

    @property
    def has_reporter(self) -> bool:
        return any((self.reporter_name, self.reporter_phone, self.reporter_id_number, self.reporter_address))


class ReportCorrection(Base):
    """One field corrected by staff, with what it was: a report's history."""
    __tablename__ = "report_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(String(64))
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime)

    report: Mapped[Report] = relationship(back_populates="corrections")


class PersonalDataRelease(Base):
    """The access log: every time someone saw a reporter's personal data in clear."""
    __tablename__ = "personal_data_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    released_to: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Alert(Base):
    """An early sign raised by intake (also published as ``alert.raised``)."""
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # what it is about, to raise it once per window
    message: Mapped[str] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    report_ids: Mapped[list] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    @property
    def alert_id(self) -> str:
        return f"AL{self.id:07d}"


def report_number(pk: int) -> str:
    return f"R{pk:08d}"


def report_pk(report_id: str) -> int | None:
    return int(report_id[1:]) if report_id[:1] == "R" and report_id[1:].isdigit() else None
