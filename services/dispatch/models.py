"""Dispatch's tables: cases and their handling reports."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lianxin.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(20), unique=True)  # one report, one case
    state: Mapped[str] = mapped_column(String(20), index=True)  # dispatched, accepted, reported, closed
    unit: Mapped[str] = mapped_column(String(64), index=True)
    unit_kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(10))
    routing_reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20), default="")
    matter: Mapped[str] = mapped_column(Text, default="")  # what was reported, as intake published it (redacted)
    people_count: Mapped[int] = mapped_column(default=1)
    reporter_id: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dispatched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopen_count: Mapped[int] = mapped_column(default=0)
    # later reports intake found to repeat this one: they join this case instead of opening their own
    linked_reports: Mapped[list] = mapped_column(JSON, default=list)

    reports: Mapped[list["HandlingReport"]] = relationship(back_populates="case", order_by="HandlingReport.id")

    @property
    def case_id(self) -> str:
        return case_number(self.id)


class HandlingReport(Base):
    __tablename__ = "handling_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    finding: Mapped[str] = mapped_column(String(30))
    actions_taken: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    petitioner_opinion: Mapped[str] = mapped_column(Text, default="")
    petitioner_acknowledged: Mapped[bool] = mapped_column(default=False)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    unit_head: Mapped[str | None] = mapped_column(String(100))
    submitted_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)

    case: Mapped[Case] = relationship(back_populates="reports")


def case_number(pk: int) -> str:
    return f"C{pk:08d}"


def case_pk(case_id: str) -> int | None:
    """The row id of a case number, or None for anything that is not one (or too large to be one)."""
    digits = case_id[1:]
    return int(digits) if case_id[:1] == "C" and digits.isdigit() and len(digits) <= 9 else None
