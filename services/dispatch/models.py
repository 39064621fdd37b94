"""Dispatch's tables: cases and their handling reports."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lianxin.attachments.models import AttachmentRow
from lianxin.db import UtcDateTime
from lianxin.numbers import row_id


class Base(DeclarativeBase):
    pass


class Case(Base):
    __tablename__ = "cases"
    # the open cases apart, with what the dashboard counts of them (tallies.py): a small share of all
    __table_args__ = (Index("ix_cases_open", "unit", "township", "state", "deadline",
                            postgresql_where=text("state != 'closed'"), sqlite_where=text("state != 'closed'")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(20), unique=True)  # one report, one case
    state: Mapped[str] = mapped_column(String(20), index=True)  # dispatched, accepted, returned, reported, closed
    unit: Mapped[str] = mapped_column(String(64), index=True)
    unit_kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    # the place as written: village or enterprise, and the location in words as intake published it (redacted)
    village: Mapped[str | None] = mapped_column(String(64))
    enterprise: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10))
    routing_reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20), default="")
    matter: Mapped[str] = mapped_column(Text, default="")  # what was reported, as intake published it (redacted)
    people_count: Mapped[int] = mapped_column(default=1)
    reporter_id: Mapped[str | None] = mapped_column(String(40))
    # keyed marks of the petitioners' names and numbers (lianxin.redaction): what staff write is stripped of them
    reporter_marks: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    dispatched_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    reopen_count: Mapped[int] = mapped_column(default=0)
    # later reports intake found to repeat this one: they join this case instead of opening their own
    linked_reports: Mapped[list] = mapped_column(JSON, default=list)
    # first-receiver responsibility (首问负责制): who took the report in owns it until it is solved
    first_receiver: Mapped[str] = mapped_column(String(64), default="")
    # one case, one team, one plan (一个案子、一个班子、一套解决方案)
    lead_leader: Mapped[str | None] = mapped_column(String(64), index=True)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    team_members: Mapped[list] = mapped_column(JSON, default=list)
    plan: Mapped[str] = mapped_column(Text, default="")
    # the one extension the regulation allows (≤ 30 days, approved, reason told to the petitioner)
    extension_requested_days: Mapped[int | None]
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_approved_by: Mapped[str | None] = mapped_column(String(64))
    # deadline warnings raised, as "<stage>:<round>", so each goes out once per case per stage
    flags: Mapped[list] = mapped_column(JSON, default=list)

    reports: Mapped[list["HandlingReport"]] = relationship(back_populates="case", order_by="HandlingReport.id")
    instructions: Mapped[list["LeaderInstruction"]] = relationship(back_populates="case",
                                                                  order_by="LeaderInstruction.id")
    history: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")

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


class Attachment(AttachmentRow, Base):
    """A photo of the repair or the scanned signed document of a handling report (owner "handling_report")."""
    __tablename__ = "attachments"


class LeaderInstruction(Base):
    """A city or county leader's instruction on a case (批办)."""
    __tablename__ = "leader_instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    leader: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(10), index=True)  # city or county
    comment: Mapped[str] = mapped_column(Text)
    instructed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="instructions")


class CaseEvent(Base):
    """The case's history: every state change and action, who, when and why."""
    __tablename__ = "case_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="history")


def case_number(pk: int) -> str:
    return f"C{pk:08d}"


def case_pk(case_id: str) -> int | None:
    """The row id of a case number, or None for anything that is not one (or too large to be one)."""
    return row_id(case_id, "C")
