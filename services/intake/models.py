"""Intake's tables. Personal data lives only here, encrypted, and never leaves in an event."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lianxin.attachments.models import AttachmentRow
from lianxin.db import UtcDateTime
from lianxin.notify.log import DeliveryRecord, ReceiptRecord
from lianxin.numbers import row_id

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
    # the content as it may leave intake (events, digests): redacted once, at take-in and on correction
    shared_content: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(String(500))
    people_count: Mapped[int] = mapped_column(default=1)
    gathering: Mapped[bool] = mapped_column(default=False)  # people gathering to petition: act within the hour
    reporter_name: Mapped[str | None] = mapped_column(Encrypted)
    reporter_phone: Mapped[str | None] = mapped_column(Encrypted)
    reporter_id_number: Mapped[str | None] = mapped_column(Encrypted)
    reporter_address: Mapped[str | None] = mapped_column(Encrypted)
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)  # pseudonym
    # blind index of the phone (protection.phone_index): staff find a person's reports by number through it
    reporter_phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    reporter_sms: Mapped[bool] = mapped_column(default=True)  # told by SMS as the case goes on, as asked at take-in
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    received_by_role: Mapped[str] = mapped_column(String(20))
    received_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))  # unique per staff member (below)
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

    # what early warning and duplicate spotting count for every report taken in: subject or place, in a window
    __table_args__ = (Index("ix_reports_category_received", "category", "received_at"),
                      Index("ix_reports_township_received", "township", "received_at"),
                      UniqueConstraint("received_by", "idempotency_key", name="uq_reports_received_by_idempotency_key"))

    @property
    def report_id(self) -> str:
        return report_number(self.id)

    @property
    def has_reporter(self) -> bool:
        return any((self.reporter_name, self.reporter_phone, self.reporter_id_number, self.reporter_address))


class CitizenDelivery(ReceiptRecord, DeliveryRecord, Base):
    """An SMS to a petitioner (``services/intake/telling.py``): the recipient is their pseudonym, the number
    is looked up when it is sent."""
    __tablename__ = "citizen_deliveries"

    report_id: Mapped[str] = mapped_column(String(20), index=True)  # the report it is about (before any case)


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


class Attachment(AttachmentRow, Base):
    """A photo or document sent with a report (owner "report"); ``public`` once the office shows it on Open311."""
    __tablename__ = "attachments"


class PersonalDataRelease(Base):
    """The access log: every time someone saw a reporter's personal data in clear."""
    __tablename__ = "personal_data_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_pk: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    released_to: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(10), default="release", server_default="release")  # or "export"

    @property
    def release_id(self) -> str:
        return f"PD{self.id:08d}"

    @property
    def report_id(self) -> str:
        return report_number(self.report_pk)


class PersonalDataErasure(Base):
    """A petitioner's personal data erased at their request: who did it, when and why, and which reports."""
    __tablename__ = "personal_data_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the pseudonym stays on the reports
    report_ids: Mapped[list] = mapped_column(JSON)
    erased_by: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    @property
    def erasure_id(self) -> str:
        return f"ER{self.id:07d}"


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


class PublishedSession(Base):
    """A reception session as announced (the five things public), with any substitution since."""
    __tablename__ = "reception_sessions"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)  # e.g. 2026-11-10-five-heads
    month: Mapped[str] = mapped_column(String(7), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    session: Mapped[dict] = mapped_column(JSON)  # reception_calendar.ReceptionSession, as published and amended
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str] = mapped_column(String(64))


class ReceptionVisit(Base):
    """One visit at a reception session. A matter not solved on the spot becomes a report."""
    __tablename__ = "reception_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    received_by: Mapped[str] = mapped_column(String(64))  # the leader (or unit) who received the visitors
    people_count: Mapped[int]
    category: Mapped[str] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    matter: Mapped[str] = mapped_column(Text)
    solved_on_spot: Mapped[bool]
    outcome: Mapped[str] = mapped_column(Text, default="")
    visitor_id: Mapped[str | None] = mapped_column(String(40))  # pseudonym; details live on the report
    report_pk: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Digest(Base):
    """A digest or analysis as produced for its period (on a timer or on demand)."""
    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # ten-day, week, monthly
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    issue: Mapped[int]
    document: Mapped[dict] = mapped_column(JSON)
    produced_at: Mapped[datetime] = mapped_column(UtcDateTime)


def report_number(pk: int) -> str:
    return f"R{pk:08d}"


def alert_pk(alert_id: str) -> int | None:
    return row_id(alert_id, "AL")


def report_pk(report_id: str) -> int | None:
    """The row id of a report number, or None for anything that is not one (or too large to be one)."""
    return row_id(report_id, "R")
