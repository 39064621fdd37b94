"""Scoring's use cases: keep the read model from events, publish assessments."""
from __future__ import annotations

from sqlalchemy import select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.events import (
    AssessmentPublished,
    CallbackRecorded,
    CaseAccepted,
    CaseClosed,
    CaseDispatched,
    CaseExtended,
    CaseOverdue,
    CaseReopened,
    CaseReported,
    NoticeIssued,
    UnitScore,
)
from lianxin.metrics import METRICS

from . import assessment
from .models import Assessment, CaseRecord, NoticeRecord


def _record(uow: UnitOfWork, case_id: str, unit: str) -> CaseRecord:
    """The case's record, created by whichever of its events arrives first."""
    record = uow.session.get(CaseRecord, case_id)
    if record is None:
        record = CaseRecord(case_id=case_id, unit=unit, reopen_count=0, satisfied_callbacks=0,
                            dissatisfied_callbacks=0, answered_callbacks=0, overdue=False)
        uow.session.add(record)
    return record


def on_dispatched(uow: UnitOfWork, e: CaseDispatched) -> None:
    r = _record(uow, e.case_id, e.unit)
    r.unit, r.unit_kind, r.received_at, r.deadline = e.unit, e.unit_kind, e.received_at, e.deadline


def on_accepted(uow: UnitOfWork, e: CaseAccepted) -> None:
    _record(uow, e.case_id, e.unit).accepted_at = e.accepted_at


def on_extended(uow: UnitOfWork, e: CaseExtended) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round >= r.reopen_count:
        r.deadline = e.deadline


def on_reported(uow: UnitOfWork, e: CaseReported) -> None:
    r = _record(uow, e.case_id, e.unit)
    r.reported_at, r.reported_on_time = e.reported_at, e.on_time


def on_overdue(uow: UnitOfWork, e: CaseOverdue) -> None:
    if e.stage == "overdue":
        _record(uow, e.case_id, e.unit).overdue = True


def on_callback(uow: UnitOfWork, e: CallbackRecorded) -> None:
    if not e.reached:
        return
    r = _record(uow, e.case_id, e.unit)
    r.answered_callbacks += 1
    r.satisfied_callbacks += e.satisfaction == "satisfied"
    r.dissatisfied_callbacks += e.satisfaction == "dissatisfied"


def on_closed(uow: UnitOfWork, e: CaseClosed) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round >= r.reopen_count:  # not the closing of a round since reopened
        r.closed_at, r.closed_on_time, r.reopen_count = e.closed_at, e.on_time, e.round


def on_reopened(uow: UnitOfWork, e: CaseReopened) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round > r.reopen_count:  # newer than anything seen, including a closing
        r.reopen_count, r.closed_at, r.closed_on_time = e.round, None, None


def on_notice(uow: UnitOfWork, e: NoticeIssued) -> None:
    if uow.session.get(NoticeRecord, e.notice_id) is None:
        uow.session.add(NoticeRecord(notice_id=e.notice_id, unit=e.unit, issued_at=e.issued_at))


def rankings(uow: UnitOfWork, directory: Directory, period: str, scheme: dict, tz: str) -> list[dict]:
    start, end = assessment.period_bounds(period, tz)
    cases = uow.session.scalars(select(CaseRecord).where(CaseRecord.received_at >= start,
                                                         CaseRecord.received_at < end))
    notices = uow.session.scalars(select(NoticeRecord).where(NoticeRecord.issued_at >= start,
                                                             NoticeRecord.issued_at < end))
    kinds = {code: directory.unit_kind(code) for code in directory.units}
    return assessment.rank(assessment.tally(cases, notices, kinds), scheme)


def publish(uow: UnitOfWork, directory: Directory, period: str, kind: str, scheme: dict, tz: str) -> Assessment:
    scores = rankings(uow, directory, period, scheme, tz)
    published = Assessment(period=period, kind=kind, published_at=utcnow(), scores=scores)
    uow.session.add(published)
    uow.session.flush()
    uow.emit("assessment.published", published.assessment_id, AssessmentPublished(
        assessment_id=published.assessment_id, period=period, kind=kind, published_at=published.published_at,
        scores=[UnitScore(**{k: s[k] for k in UnitScore.model_fields}) for s in scores]))
    for s in scores:
        if s["closure_rate"] is not None:
            METRICS.unit_closure_rate.labels("scoring", s["unit"]).set(s["closure_rate"] / 100)
    return published
