"""Supervision's tables: the cases it watches and the callbacks it made."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lianxin.attachments.models import AttachmentRow
from lianxin.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class SupervisedCase(Base):
    """What supervision knows of a case, from dispatch's events."""
    __tablename__ = "supervised_cases"

    case_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    report_id: Mapped[str] = mapped_column(String(20), index=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # keyed marks of the petitioners' names and numbers, from dispatch: comments and reasons are stripped of them
    reporter_marks: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    state: Mapped[str] = mapped_column(String(20), index=True)  # in_handling, awaiting_callback, closed
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    finding: Mapped[str | None] = mapped_column(String(30))
    actions_taken: Mapped[str | None] = mapped_column(Text)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    unit_head: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopen_count: Mapped[int] = mapped_column(default=0)  # the case's round: supervision reopens it
    callback_attempts: Mapped[int] = mapped_column(default=0)  # for the latest handling report
    callback_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # dispatch's ids of the latest handling report's photos, shown to the petitioner through signed links
    repair_photos: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    callbacks: Mapped[list["Callback"]] = relationship(back_populates="case", order_by="Callback.id")
    reviews: Mapped[list["Review"]] = relationship(order_by="Review.id")

    @property
    def last_callback(self) -> "Callback | None":
        """The latest callback the three no-closures read: the office's or the case's own petitioner's, not a
        repeat caller's rating (closure.py)."""
        return next((c for c in reversed(self.callbacks) if c.repeat_report is None), None)

    @property
    def anonymous(self) -> bool:
        """No report of the case left a name, a number or an ID (the events carry no pseudonym and no marks):
        nobody can be called back. A named repeat joining the case brings its marks, and someone to call."""
        return self.reporter_id is None and not self.reporter_marks


class Callback(Base):
    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervised_cases.case_id"), index=True)
    reached: Mapped[bool]
    resolved: Mapped[str | None] = mapped_column(String(10))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # the handling report this callback checked (a reopened case is reported again)
    for_report_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a repeat caller's rating through their own link: their report's number (closure.py: it closes nothing)
    repeat_report: Mapped[str | None] = mapped_column(String(20))

    case: Mapped[SupervisedCase] = relationship(back_populates="callbacks")

    @property
    def callback_id(self) -> str:
        return f"CB{self.id:08d}"


class Attachment(AttachmentRow, Base):
    """Evidence a caller (owner "callback") or a reviewer (owner "review") attached."""
    __tablename__ = "attachments"


class Notice(Base):
    """A notice of criticism (通报批评) against a unit, with its evidence."""
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # overdue, repeated_reopening, rule_breaking
    key: Mapped[str] = mapped_column(String(100), unique=True)  # one notice per cause
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)  # case ids
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    issued_by: Mapped[str] = mapped_column(String(64))

    @property
    def notice_id(self) -> str:
        return f"N{self.id:06d}"


class Accountability(Base):
    """Accountability (责任追究) of a person, arising from a case."""
    __tablename__ = "accountability"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(64), index=True)
    measure: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))

    @property
    def record_id(self) -> str:
        return f"AC{self.id:06d}"


class Review(Base):
    """A review (复查, level 1) or re-review (复核, level 2) of how a case was handled."""
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervised_cases.case_id"), index=True)
    level: Mapped[int]  # 1 review, 2 re-review
    trigger: Mapped[str] = mapped_column(String(20))  # requested, inconsistent, sample, dissatisfied, anonymous
    reason: Mapped[str] = mapped_column(Text)
    round: Mapped[int]  # the case's round it reviews
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(10))  # upheld or failed
    findings: Mapped[str] = mapped_column(Text, default="")
    concluded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    concluded_by: Mapped[str | None] = mapped_column(String(64))

    @property
    def review_id(self) -> str:
        return f"RV{self.id:06d}"


class WatchEntry(Base):
    """A key case or a long-standing petitioner (上访老户) under a lead leader and a help team."""
    __tablename__ = "watch_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reporter_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the petitioner's pseudonym
    case_id: Mapped[str | None] = mapped_column(String(20), index=True)
    lead_leader: Mapped[str] = mapped_column(String(64))
    help_team: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    follow_up_days: Mapped[int]
    next_follow_up_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    follow_ups: Mapped[list] = mapped_column(JSON)  # [{"at", "by", "note"}]
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # 息诉罢访
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def entry_id(self) -> str:
        return f"W{self.id:06d}"


class LinkedReport(Base):
    """A repeat (a report that joined an open case, told by intake's ``report.received``): its number opens
    the case of the report it repeats on the petitioner's page. Only the two numbers: nothing of the report."""
    __tablename__ = "linked_reports"

    report_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    original_id: Mapped[str] = mapped_column(String(20), index=True)  # the report the case was made from
