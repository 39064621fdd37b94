"""Scoring's read model, built only from events (and rebuildable by replaying them)."""
from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lianxin.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class CaseRecord(Base):
    """One case as scoring sees it: enough to count it for its unit and period."""
    __tablename__ = "case_records"

    case_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    unit_kind: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reported_on_time: Mapped[bool | None]
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_on_time: Mapped[bool | None]
    satisfied_callbacks: Mapped[int] = mapped_column(default=0)
    dissatisfied_callbacks: Mapped[int] = mapped_column(default=0)
    answered_callbacks: Mapped[int] = mapped_column(default=0)
    resolved_callbacks: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)  # the latest round seen
    responsible_person: Mapped[str | None] = mapped_column(String(100))  # who signed the latest report
    overdue: Mapped[bool] = mapped_column(default=False)


class NoticeRecord(Base):
    __tablename__ = "notice_records"

    notice_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Assessment(Base):
    """A published assessment; never changed once published."""
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    scores: Mapped[list] = mapped_column(JSON)
    # every other unit of the county: no case in the period, nothing to score (listed, never ranked with a 0)
    without_cases: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    outcomes: Mapped[list] = mapped_column(JSON, default=list)  # penalties and awards (year-end)
    supersedes: Mapped[int | None] = mapped_column(Integer)  # a recomputation names what it revises
    explanation: Mapped[list] = mapped_column(JSON, default=list)  # and what changed, unit by unit

    @property
    def assessment_id(self) -> str:
        return f"A{self.id:06d}"


class AccountabilityRecord(Base):
    __tablename__ = "accountability_records"

    record_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    measure: Mapped[str] = mapped_column(String(30))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class InformationRecord(Base):
    """A report as information collected: who reported what from where (best reporting)."""
    __tablename__ = "information_records"

    report_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    township: Mapped[str | None] = mapped_column(String(64), index=True)
    village: Mapped[str | None] = mapped_column(String(64))
    enterprise: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class YearEndReview(Base):
    """The score of a unit's year-end review (年终考核), entered by the office."""
    __tablename__ = "year_end_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(index=True)
    unit: Mapped[str] = mapped_column(String(64))
    score: Mapped[float]
    entered_by: Mapped[str] = mapped_column(String(64))
