"""Notices of criticism (通报批评) against units, and accountability (责任追究) of people."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import Invalid
from lianxin.events import AccountabilityRecorded, CaseOverdue, NoticeIssued, NoticeKind
from lianxin.i18n.fields import not_in_directory

from . import texts
from .models import Accountability, Notice, Review, SupervisedCase

SYSTEM = "system"  # who issued a notice the service issued by itself
Measure = Literal["admonition", "criticism", "removal", "party_discipline", "administrative_discipline"]


class NoticeIn(BaseModel):
    """A notice the office issues by hand: its kind (the one list, lianxin.events.NoticeKind) is the office's
    to say, as a unit's scorecard counts it by kind."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    unit: Annotated[str, Field(min_length=1, max_length=64)]
    kind: NoticeKind
    reason: Annotated[str, Field(min_length=4, max_length=2000)]
    evidence: Annotated[list[Annotated[str, Field(pattern=r"^C\d{8}$")]], Field(min_length=1, max_length=100)]


class AccountabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    person: Annotated[str, Field(min_length=1, max_length=100)]
    post: Annotated[str, Field(max_length=100)] = ""
    unit: Annotated[str, Field(min_length=1, max_length=64)]
    measure: Measure
    case_id: Annotated[str, Field(pattern=r"^C\d{8}$")]
    reason: Annotated[str, Field(min_length=4, max_length=2000)]


def issue(uow: UnitOfWork, unit: str, kind: NoticeKind, key: str, reason: str, evidence: list[str], by: str,
          at: datetime | None = None) -> Notice | None:
    """Issue a notice once per cause (``key``); returns it, or None if that cause has one already. ``by``
    "system" for the service's own, whose reason is a code; else the office's words, which the event carries."""
    if uow.session.scalars(select(Notice).where(Notice.key == key)).first() is not None:
        return None
    notice = Notice(unit=unit, kind=kind, key=key, reason=reason, evidence=evidence, issued_at=at or utcnow(),
                    issued_by=by)
    uow.session.add(notice)
    uow.session.flush()
    written = reason if by != SYSTEM else ""  # an event keeps codes: the kind says the rest
    uow.emit("notice.issued", notice.notice_id, NoticeIssued(
        notice_id=notice.notice_id, unit=unit, kind=kind, reason=written, evidence=evidence,
        issued_at=notice.issued_at))
    return notice


def on_overdue(uow: UnitOfWork, overdue: CaseOverdue) -> None:
    """A case past its deadline brings its unit a notice, with the case as evidence."""
    if overdue.stage == "overdue":
        issue(uow, overdue.unit, "overdue", f"overdue:{overdue.case_id}:{overdue.deadline.isoformat()}",
              texts.notice_reason("overdue", case=overdue.case_id, deadline=overdue.deadline.date().isoformat()),
              [overdue.case_id], SYSTEM, overdue.flagged_at)


def on_repeated_reopening(uow: UnitOfWork, case: SupervisedCase, threshold: int) -> None:
    if case.reopen_count >= threshold:
        issue(uow, case.unit, "repeated_reopening", f"reopened:{case.case_id}:{case.reopen_count}",
              texts.notice_reason("repeated_reopening", case=case.case_id, times=case.reopen_count),
              [case.case_id], SYSTEM)


def issue_by_hand(uow: UnitOfWork, directory: Directory, incoming: NoticeIn, staff: Staff) -> Notice:
    _known_unit(directory, incoming.unit)
    key = f"hand:{incoming.unit}:{utcnow().isoformat()}"
    return issue(uow, incoming.unit, incoming.kind, key, incoming.reason, incoming.evidence, staff.code)


def hold_to_account(uow: UnitOfWork, directory: Directory, incoming: AccountabilityIn, staff: Staff) -> Accountability:
    _known_unit(directory, incoming.unit)
    record = Accountability(recorded_at=utcnow(), recorded_by=staff.code, **incoming.model_dump())
    uow.session.add(record)
    uow.session.flush()
    uow.emit("accountability.recorded", record.record_id, AccountabilityRecorded(
        record_id=record.record_id, **incoming.model_dump(), recorded_at=record.recorded_at))
    return record


def board(uow: UnitOfWork, since: datetime | None, until: datetime | None) -> dict:
    """The supervision board: callbacks waiting or failed, the reopen rate, notices and accountability by unit."""
    def count(*conditions) -> int:
        return uow.session.scalar(select(func.count()).select_from(SupervisedCase).where(*conditions))

    handled = count((SupervisedCase.state != "in_handling") | (SupervisedCase.reopen_count > 0))
    reopened = count(SupervisedCase.reopen_count > 0)
    return {
        "awaiting_callback": count(SupervisedCase.state == "awaiting_callback"),
        "callbacks_due_now": count(SupervisedCase.state == "awaiting_callback",
                                   SupervisedCase.callback_due_at <= utcnow()),
        "failed_callbacks": count(SupervisedCase.state == "callback_failed"),
        "reviews_open": uow.session.scalar(select(func.count()).select_from(Review).where(Review.outcome.is_(None))),
        "closed": count(SupervisedCase.state == "closed"),
        "reopen_rate": round(100 * reopened / handled, 2) if handled else None,
        "notices_by_unit": counts_by_unit(uow, Notice, Notice.issued_at, since, until),
        "accountability_by_unit": counts_by_unit(uow, Accountability, Accountability.recorded_at, since, until),
    }


def counts_by_unit(uow: UnitOfWork, model, column, since: datetime | None, until: datetime | None) -> dict:
    query = select(model.unit, func.count()).group_by(model.unit)
    if since:
        query = query.where(column >= since)
    if until:
        query = query.where(column < until)
    return dict(uow.session.execute(query).all())


def _known_unit(directory: Directory, unit: str) -> None:
    if unit not in directory.units:
        raise Invalid(None, [not_in_directory("unit", unit)])
