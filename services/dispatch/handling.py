"""Dispatch's use cases: open a case from a report, and the unit's actions on it."""
from __future__ import annotations

from sqlalchemy import case as when
from sqlalchemy import func, select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.events import CaseAccepted, CaseClosed, CaseDispatched, CaseReopened, CaseReported, ReportReceived
from lianxin.http import Conflict, NotFound, Unprocessable
from lianxin.messaging import RetryLater

from . import routing
from .models import Case, HandlingReport, case_pk
from .schemas import AcceptanceIn, HandlingReportIn


def get_case(uow: UnitOfWork, case_id: str, for_update: bool = False) -> Case:
    """The case; ``for_update`` locks it until commit, so two actions on it cannot both pass their checks."""
    case = uow.session.get(Case, case_pk(case_id) or -1, with_for_update=for_update)
    if case is None:
        raise NotFound(f"no case {case_id!r}")
    return case


def open_case(uow: UnitOfWork, report: ReportReceived, directory: Directory, days: dict, group_size: int) -> Case:
    """One report, one case: a report seen before returns its existing case, and a report
    that repeats an open one joins that one's case."""
    existing = uow.session.scalars(select(Case).where(Case.report_id == report.report_id)).first()
    if existing is not None:
        return existing
    if report.duplicate_of:
        return link(uow, report)
    chosen = routing.route(directory, report.category, report.township, report.people_count, group_size)
    now = utcnow()
    case = Case(
        report_id=report.report_id, state="dispatched", unit=chosen.unit, unit_kind=chosen.unit_kind,
        category=report.category, township=report.township, severity=chosen.severity,
        routing_reason=chosen.reason, reporter_id=report.reporter_id, received_at=report.received_at,
        channel=report.channel, matter=report.content, people_count=report.people_count,
        dispatched_at=now, deadline=routing.deadline(report.received_at, chosen.severity, days),
    )
    uow.session.add(case)
    uow.session.flush()
    _announce_dispatch(uow, case, redispatch=False)
    return case


def link(uow: UnitOfWork, report: ReportReceived) -> Case:
    original = uow.session.scalars(select(Case).where(Case.report_id == report.duplicate_of)).first()
    if original is None:
        raise RetryLater(f"the case of {report.duplicate_of}, which {report.report_id} repeats, is not open yet")
    if report.report_id not in original.linked_reports:
        original.linked_reports = [*original.linked_reports, report.report_id]
    return original


def accept(uow: UnitOfWork, case: Case, acceptance: AcceptanceIn) -> None:
    _require_state(case, {"dispatched"}, "accepted")
    case.state, case.accepted_at = "accepted", _not_before(acceptance.accepted_at, case.received_at, "accepted_at")
    uow.emit("case.accepted", case.case_id, CaseAccepted(
        case_id=case.case_id, unit=case.unit, accepted_by=acceptance.accepted_by, accepted_at=case.accepted_at))


def submit_report(uow: UnitOfWork, case: Case, incoming: HandlingReportIn) -> HandlingReport:
    _require_state(case, {"dispatched", "accepted"}, "reported on")
    report = HandlingReport(case=case, reported_at=_not_before(incoming.reported_at, case.received_at, "reported_at"),
                            **incoming.model_dump(exclude={"reported_at"}))
    uow.session.add(report)
    case.state = "reported"
    uow.emit("case.reported", case.case_id, CaseReported(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, deadline=case.deadline,
        on_time=report.reported_at <= case.deadline, round=case.reopen_count,
        **incoming.model_dump(exclude={"submitted_by", "reported_at"}), reported_at=report.reported_at))
    return report


def reopen(uow: UnitOfWork, reopened: CaseReopened, days: dict) -> None:
    """Back to the same unit with a fresh deadline."""
    case = get_case(uow, reopened.case_id, for_update=True)
    if reopened.round <= case.reopen_count:
        return  # an older reopening than one already applied
    case.state, case.reopen_count = "dispatched", reopened.round
    case.dispatched_at = reopened.reopened_at
    case.deadline = routing.deadline(reopened.reopened_at, case.severity, days)
    _announce_dispatch(uow, case, redispatch=True)


def close(uow: UnitOfWork, closed: CaseClosed) -> None:
    case = get_case(uow, closed.case_id, for_update=True)
    if closed.round < case.reopen_count:
        return  # the closing of an earlier round, overtaken by a reopening
    case.state, case.closed_at = "closed", closed.closed_at


def workload(uow: UnitOfWork) -> list[tuple[str, int, int]]:
    """(unit, open cases, overdue cases) for every unit with an open case."""
    still_open = Case.state.in_(("dispatched", "accepted"))
    overdue = func.sum(when((Case.deadline < utcnow(), 1), else_=0))
    query = select(Case.unit, func.count(), overdue).where(still_open).group_by(Case.unit)
    return [(unit, count, int(late or 0)) for unit, count, late in uow.session.execute(query)]


def _announce_dispatch(uow: UnitOfWork, case: Case, redispatch: bool) -> None:
    uow.emit("case.dispatched", case.case_id, CaseDispatched(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, unit_kind=case.unit_kind,
        category=case.category, township=case.township, severity=case.severity, deadline=case.deadline,
        routing_reason=case.routing_reason, reporter_id=case.reporter_id, received_at=case.received_at,
        dispatched_at=case.dispatched_at, redispatch=redispatch, round=case.reopen_count))


def _not_before(at, earliest, field: str):
    """A time staff entered for something done earlier (a paper form): never before the report came in."""
    if at is None:
        return utcnow()
    if at < earliest:
        raise Unprocessable(f"{field} is before the report was received", [
            {"field": field, "problem": f"must not be before {earliest.isoformat()}"}])
    return at


def _require_state(case: Case, allowed: set[str], action: str) -> None:
    if case.state not in allowed:
        raise Conflict(f"case {case.case_id} is {case.state}; it can be {action} only when "
                       f"{' or '.join(sorted(allowed))}")
