"""Dispatch's use cases: open a case from a report, route it, and what units and the office do with it.

A case moves through these states; any other move is refused with the reason:

    dispatched ──accept──▶ accepted ──report──▶ reported ──(closed by supervision)──▶ closed
    dispatched ──report──▶ reported                  reported ──(reopened by supervision)──▶ dispatched
    dispatched, accepted ──return──▶ returned
    dispatched, accepted, returned ──route (the office, to another unit)──▶ dispatched

A returned case's deadline keeps running: it is watched like an open one.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy import case as when

from lianxin.attachments.keeping import Kept
from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import Conflict, Invalid, NotAllowed, NotFound, UnknownCase
from lianxin.events import (
    CaseAccepted,
    CaseClosed,
    CaseDispatched,
    CaseExtended,
    CaseOverdue,
    CaseReopened,
    CaseReported,
    CaseReturned,
    CaseReturnRefused,
    ReportReceived,
)
from lianxin.i18n import N_, Term
from lianxin.i18n.fields import not_in_directory
from lianxin.i18n.kept_texts import kept, named, part, parts
from lianxin.messaging import RetryLater
from lianxin.redaction import staff_text
from lianxin.schemas import entered_time
from lianxin.vocabulary import COUNTY_TIME, OFFICE, UNITS

from . import access, routing
from .models import Attachment, Case, CaseEvent, HandlingReport, LeaderInstruction, case_pk
from .schemas import (
    AcceptanceIn,
    ExtensionApprovalIn,
    ExtensionRequestIn,
    HandlingReportIn,
    InstructionIn,
    ReturnIn,
    RouteIn,
    TeamIn,
)
from .texts import DONE_TO_A_CASE, STATES

RECEIVED = "the report was received"
OPEN = ("dispatched", "accepted")
WATCHED = OPEN + ("returned",)  # deadlines run
# what staff write in their own words, where a petitioner's name or number may slip in
WRITTEN = ("actions_taken", "explanation", "petitioner_opinion", "reason", "comment", "plan")


def get_case(uow: UnitOfWork, case_id: str, for_update: bool = False) -> Case:
    """The case; ``for_update`` locks it until commit, so two actions on it cannot both pass their checks."""
    case = uow.session.get(Case, case_pk(case_id) or -1, with_for_update=for_update)
    if case is None:
        raise NotFound(N_("There is no case %(case)s"), case=case_id)
    return case


def readable_case(uow: UnitOfWork, case_id: str, staff: Staff) -> Case:
    """The case, if this person may read it (``access.require_read``): every read of one case comes here."""
    case = get_case(uow, case_id)
    access.require_read(staff, case)
    return case


# --- from events ------------------------------------------------------------------------------------------

# built once, a Core row: every report received runs it, and most find nothing
CASE_OF_REPORT = select(Case.__table__.c.id).where(Case.__table__.c.report_id == bindparam("report_id"))
# a new case and its first history line, each one statement built once (the case's number is its row id): the
# unit of work's flush of an added case, or the ORM's own INSERT of one, cost several times the CPU
NEW_CASE = insert(Case.__table__).returning(Case.__table__.c.id)
NEW_LINE = insert(CaseEvent.__table__)


def open_case(uow: UnitOfWork, report: ReportReceived, directory: Directory, rules: dict, group_size: int) -> Case:
    """One report, one case: a report seen before returns its existing case, and a report
    that repeats an open one joins that one's case."""
    with uow.session.no_autoflush:  # cases are flushed as they open: what is pending (history lines) waits for
        existing = uow.session.scalar(CASE_OF_REPORT, {"report_id": report.report_id})  # the next case's flush
    if existing is not None:
        return uow.session.get(Case, existing)
    if report.duplicate_of:
        return link(uow, report)
    chosen = routing.route(directory, report.category, report.township, report.people_count, group_size)
    now = utcnow()
    case = _opened(uow, dict(
        report_id=report.report_id, state="dispatched", unit=chosen.unit, unit_kind=chosen.unit_kind,
        category=report.category, township=report.township, village=report.village,
        enterprise=report.enterprise, location=report.location, severity=chosen.severity,
        routing_reason=kept(*parts(chosen.reason), routing.late_assignment(report.received_at, now)),
        reporter_id=report.reporter_id, reporter_marks=list(report.reporter_marks), received_at=report.received_at,
        channel=report.channel,
        matter=report.content, people_count=report.people_count, dispatched_at=now,
        deadline=routing.deadline(report.received_at, chosen.severity, rules), first_receiver=report.received_by.code,
        reopen_count=0, linked_reports=[], team_members=[], flags=[], plan=""))
    _announce_dispatch(uow, case, redispatch=False)
    return case


def _opened(uow: UnitOfWork, values: dict) -> Case:
    """Write a new case and its history's first line; returns the case as written, outside the session (what
    reads it in this transaction loads it)."""
    with uow.session.no_autoflush:  # nothing pending is needed for these two rows; it goes at the commit
        case = Case(id=uow.session.execute(NEW_CASE, values).scalar_one(), **values)
        uow.session.execute(NEW_LINE, {"case_pk": case.id, "action": "dispatched", "from_state": None,
                                       "to_state": case.state, "unit": case.unit, "by": "system",
                                       "at": case.dispatched_at, "note": case.routing_reason})
    return case


def link(uow: UnitOfWork, report: ReportReceived) -> Case:
    original = uow.session.scalars(select(Case).where(Case.report_id == report.duplicate_of)).first()
    if original is None:
        raise RetryLater(f"the case of {report.duplicate_of}, which {report.report_id} repeats, is not open yet")
    if report.report_id not in original.linked_reports:
        original.linked_reports = [*original.linked_reports, report.report_id]
        original.reporter_marks = sorted({*original.reporter_marks, *report.reporter_marks})
    return original


def on_reopened(uow: UnitOfWork, reopened: CaseReopened, rules: dict) -> None:
    """Back to the same unit with a fresh deadline."""
    case = _case_of(uow, reopened)
    if reopened.round <= case.reopen_count:
        return  # an older reopening than one already applied
    before = case.state
    case.state, case.reopen_count = "dispatched", reopened.round
    case.dispatched_at = reopened.reopened_at
    case.deadline = routing.deadline(reopened.reopened_at, case.severity, rules)  # handling starts over
    _record(uow, case, "reopened", before, "supervision", reopened.reopened_at, _why_reopened(reopened))
    _announce_dispatch(uow, case, redispatch=True)


def _why_reopened(reopened: CaseReopened) -> str:
    """The history's line: the cause kept as a code, said to each reader; an event from before causes were
    codes brings its prose, kept as it came."""
    if reopened.cause is None:
        return reopened.reason
    return kept(part(f"reopened:{reopened.cause}", review=reopened.review_id or "", by=reopened.reopened_by or "",
                     reason=reopened.reason))


def on_closed(uow: UnitOfWork, closed: CaseClosed) -> None:
    case = _case_of(uow, closed)
    if closed.round < case.reopen_count:
        return  # the closing of an earlier round, overtaken by a reopening
    before = case.state
    case.state, case.closed_at = "closed", closed.closed_at
    _record(uow, case, "closed", before, "supervision", closed.closed_at, "")


def _case_of(uow: UnitOfWork, event: CaseReopened | CaseClosed) -> Case:
    """The case an event from supervision is about, locked; supervision knows only cases dispatch opened."""
    if (case := uow.session.get(Case, case_pk(event.case_id) or -1, with_for_update=True)) is None:
        raise UnknownCase(f"no case {event.case_id!r} in dispatch")
    return case


# --- the unit's actions ----------------------------------------------------------------------------------

def require_unit(staff: Staff, case: Case) -> None:
    """A unit acts on its own cases only."""
    if staff.role not in UNITS or staff.unit != case.unit:
        raise NotAllowed(N_("Case %(case)s belongs to %(unit)s; only its handlers and head act on it"),
                         case=case.case_id, unit=named("unit", case.unit))


def accept(uow: UnitOfWork, case: Case, acceptance: AcceptanceIn, staff: Staff) -> None:
    require_unit(staff, case)
    case.accepted_at = entered_time(acceptance.accepted_at, case.received_at, "accepted_at", RECEIVED)
    _move(uow, case, "accept", ("dispatched",), "accepted", staff, at=case.accepted_at)
    uow.emit("case.accepted", case.case_id, CaseAccepted(
        case_id=case.case_id, unit=case.unit, accepted_by=staff.code, accepted_at=case.accepted_at))


def give_back(uow: UnitOfWork, case: Case, returned: ReturnIn, staff: Staff) -> None:
    """The unit contests the assignment (Art. 23): the office routes it again; the time is on record."""
    require_unit(staff, case)
    now, reason = utcnow(), written(case, returned)["reason"]
    _move(uow, case, "return", OPEN, "returned", staff, at=now, note=reason)
    uow.emit("case.returned", case.case_id, CaseReturned(
        case_id=case.case_id, unit=case.unit, reason=reason, returned_by=staff.code, returned_at=now))


def request_extension(uow: UnitOfWork, case: Case, request: ExtensionRequestIn, staff: Staff) -> None:
    require_unit(staff, case)
    if case.extension_days is not None:
        raise Conflict(N_("Case %(case)s was extended once already; the regulation allows one extension"),
                       case=case.case_id)
    if case.extension_requested_days is not None:
        raise Conflict(N_("Case %(case)s has an extension request waiting for approval"), case=case.case_id)
    _require_state(case, OPEN, DONE_TO_A_CASE["extension"])
    case.extension_requested_days, case.extension_reason = request.days, written(case, request)["reason"]
    _record(uow, case, "extension requested", case.state, staff.code, utcnow(),
            kept(part("extension_requested", days=request.days, reason=case.extension_reason)))


def submit_report(uow: UnitOfWork, case: Case, incoming: HandlingReportIn, staff: Staff,
                  kept: Sequence[Kept] = ()) -> HandlingReport:
    """The unit's handling report, with the photos of the repair and the signed document it kept (files
    already stored): their rows commit with the report, and the event names them by id, kind, size and hash."""
    require_unit(staff, case)
    at = entered_time(incoming.reported_at, case.received_at, "reported_at", RECEIVED)
    _move(uow, case, "report", OPEN, "reported", staff, at=at, note=incoming.finding)
    fields = written(case, incoming, exclude={"reported_at"})
    report = HandlingReport(case=case, reported_at=at, submitted_by=staff.code, **fields)
    uow.session.add(report)
    uow.session.flush()  # the report's id owns its attachments
    attached = [k.row(Attachment, HANDLING_REPORT, report.id, by=staff.code) for k in _once_each(kept)]
    uow.session.add_all(attached)
    uow.session.flush()
    uow.emit("case.reported", case.case_id, CaseReported(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, deadline=case.deadline,
        on_time=at <= case.deadline, round=case.reopen_count, reported_at=at, reporter_marks=case.reporter_marks,
        attachments=[a.event_view() for a in attached], **fields))
    return report


def _once_each(kept: Sequence[Kept]) -> list[Kept]:
    """The same file sent twice with one report is one attachment (under the name it first came with)."""
    first: dict[str, Kept] = {}
    for k in kept:
        first.setdefault(k.hash, k)
    return list(first.values())


# --- attachments ------------------------------------------------------------------------------------------

HANDLING_REPORT = "handling_report"  # the owner of a repair photo or a signed document


def attachments_of(uow: UnitOfWork, case: Case) -> dict[int, list[Attachment]]:
    """The attachments of each of the case's handling reports, by the report's id."""
    owners = {str(r.id): r.id for r in case.reports}
    if not owners:
        return {}
    rows = uow.session.scalars(select(Attachment).where(
        Attachment.owner_kind == HANDLING_REPORT, Attachment.owner_id.in_(owners)).order_by(Attachment.id))
    found: dict[int, list[Attachment]] = {}
    for row in rows:
        found.setdefault(owners[row.owner_id], []).append(row)
    return found


def attachment(uow: UnitOfWork, case: Case, staff: Staff | None, *, digest: str | None = None,
               attachment_id: int | None = None) -> Attachment:
    """One attachment of the case's handling reports, by hash (staff) or id (the petitioner's signed link),
    for whoever may read it (``access.require_file``)."""
    for row in (r for rows in attachments_of(uow, case).values() for r in rows):
        if (digest is None or row.hash == digest) and (attachment_id is None or row.id == attachment_id):
            access.require_file(staff, case, row)
            return row
    raise NotFound(N_("Case %(case)s has no attachment %(attachment)s"), case=case.case_id,
                   attachment=digest or attachment_id)


# --- the office's actions --------------------------------------------------------------------------------

def route_by_hand(uow: UnitOfWork, directory: Directory, case: Case, routed: RouteIn, staff: Staff,
                  rules: dict) -> None:
    """Send a case to a unit the rules could not decide (or that returned it), with a fresh deadline."""
    if routed.unit not in directory.units:
        raise Invalid(None, [not_in_directory("unit", routed.unit)])
    if routed.unit == case.unit and case.state != "returned":
        raise Conflict(N_("Case %(case)s is already with %(unit)s"), case=case.case_id, unit=named("unit", routed.unit))
    _require_state(case, WATCHED, DONE_TO_A_CASE["route"])
    previous, since, before = case.unit, case.dispatched_at, case.state
    now, reason = utcnow(), written(case, routed)["reason"]
    case.unit, case.unit_kind, case.routing_reason = routed.unit, directory.unit_kind(routed.unit), reason
    case.state = "dispatched"
    _record(uow, case, "route", before, staff.code, now,
            kept(_held(since, now, from_unit=previous, to_unit=routed.unit, reason=reason)))
    case.dispatched_at, case.accepted_at = now, None
    case.deadline = min(routing.deadline(now, case.severity, rules),
                        routing.latest_conclusion(case.received_at, case.extension_days))
    _announce_dispatch(uow, case, redispatch=True)
    if previous == routed.unit:  # a returned case sent back to the unit that returned it: its return is refused
        uow.emit("return.refused", case.case_id, CaseReturnRefused(
            case_id=case.case_id, unit=case.unit, reason=reason, refused_by=staff.code, refused_at=now,
            deadline=case.deadline, round=case.reopen_count))


def approve_extension(uow: UnitOfWork, directory: Directory, case: Case, approval: ExtensionApprovalIn,
                      staff: Staff) -> None:
    """The one extension (Art. 34): at most 30 days, approved by a leader, the reason told to the petitioner."""
    if case.extension_requested_days is None or case.extension_days is not None:
        raise Conflict(N_("Case %(case)s has no extension request waiting"), case=case.case_id)
    leader = next((x for x in directory.leaders if x.code == approval.approved_by), None)
    if leader is None:
        raise Invalid(None, [not_in_directory("approved_by", approval.approved_by)])
    _require_state(case, OPEN, DONE_TO_A_CASE["extension"])
    case.extension_days, case.extension_approved_by = case.extension_requested_days, leader.code
    case.deadline = min(case.deadline + timedelta(days=case.extension_days),
                        routing.latest_conclusion(case.received_at, case.extension_days))
    now = utcnow()
    _record(uow, case, "extended", case.state, staff.code, now,
            kept(part("extended", days=case.extension_days, approved_by=leader.code, reason=case.extension_reason)))
    uow.emit("case.extended", case.case_id, CaseExtended(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, days=case.extension_days,
        deadline=case.deadline, reason=case.extension_reason, approved_by=leader.code, extended_at=now,
        round=case.reopen_count))


def instruct(uow: UnitOfWork, directory: Directory, case: Case, instruction: InstructionIn, staff: Staff) -> None:
    """A leader's instruction (批办): the level comes from the directory."""
    leader = next((x for x in directory.leaders if x.code == instruction.leader), None)
    if leader is None:
        raise Invalid(None, [not_in_directory("leader", instruction.leader)])
    if staff.role == "leader" and staff.code != leader.code:
        raise NotAllowed(N_("A leader records only their own instructions"))
    at, comment = instruction.instructed_at or utcnow(), written(case, instruction)["comment"]
    uow.session.add(LeaderInstruction(case=case, leader=leader.code, level=leader.level, comment=comment,
                                      instructed_at=at, recorded_by=staff.code))
    _record(uow, case, "instructed", case.state, staff.code, at,
            kept(part("instructed", leader=leader.code, title=leader.title, comment=comment)))


def form_team(uow: UnitOfWork, case: Case, team: TeamIn, staff: Staff) -> None:
    """One case, one team, one plan."""
    if staff.role not in OFFICE and not (staff.role == "unit_head" and staff.unit == case.unit):
        raise NotAllowed(N_("The office or the unit's head forms a case's team"))
    case.lead_leader, case.responsible_person = team.lead_leader, team.responsible_person
    case.team_members, case.plan = list(team.members), written(case, team)["plan"]
    _record(uow, case, "team", case.state, staff.code, utcnow(),
            kept(part("team", lead_leader=team.lead_leader or "—", responsible=team.responsible_person or "—")))


# --- deadlines --------------------------------------------------------------------------------------------

def flag_deadlines(uow: UnitOfWork, now: datetime, near: timedelta) -> list[tuple[str, str]]:
    """Emit ``case.overdue`` once per case, stage and round for open cases past or near their deadline."""
    flagged = []
    query = select(Case).where(Case.state.in_(WATCHED), Case.deadline < now + near).with_for_update(skip_locked=True)
    for case in uow.session.scalars(query):
        stage = "overdue" if case.deadline < now else "near_deadline"
        mark = f"{stage}:{case.reopen_count}"
        if mark in case.flags:
            continue
        case.flags = [*case.flags, mark]
        uow.emit("case.overdue", case.case_id, CaseOverdue(
            case_id=case.case_id, unit=case.unit, stage=stage, deadline=case.deadline, flagged_at=now))
        _record(uow, case, stage, case.state, "system", now,
                kept(part("deadline", deadline=f"{case.deadline.astimezone(COUNTY_TIME):%Y-%m-%d %H:%M}")))
        flagged.append((case.case_id, stage))
    return flagged


def workload(uow: UnitOfWork, now: datetime) -> list[tuple[str, int, int]]:
    """(unit, open cases, overdue cases) for every unit with an open case."""
    overdue = func.sum(when((Case.deadline < now, 1), else_=0))
    query = select(Case.unit, func.count(), overdue).where(Case.state.in_(WATCHED)).group_by(Case.unit)
    return [(unit, count, int(late or 0)) for unit, count, late in uow.session.execute(query)]


def instruction_statistics(uow: UnitOfWork, since: datetime | None, until: datetime | None) -> dict:
    """Leader-instructed cases, city and county counted apart, as the county reports them."""
    query = select(LeaderInstruction.level, LeaderInstruction.case_pk)
    if since:
        query = query.where(LeaderInstruction.instructed_at >= since)
    if until:
        query = query.where(LeaderInstruction.instructed_at < until)
    by_case: dict[int, set[str]] = {}
    for level, pk in uow.session.execute(query):
        by_case.setdefault(pk, set()).add(level)
    closed = {pk for (pk,) in uow.session.execute(
        select(Case.id).where(Case.id.in_(by_case), Case.state == "closed"))} if by_case else set()
    # a case instructed by both a city and a county leader counts as city-instructed (the higher level)
    city = {pk for pk, levels in by_case.items() if "city" in levels}
    instructed = len(by_case)
    return {"instructed": instructed, "by_city_leaders": len(city), "by_county_leaders": instructed - len(city),
            "closed": len(closed), "in_progress": instructed - len(closed),
            "closure_rate": round(100 * len(closed) / instructed, 2) if instructed else None}


# --- helpers ----------------------------------------------------------------------------------------------

def _announce_dispatch(uow: UnitOfWork, case: Case, redispatch: bool) -> None:
    uow.emit("case.dispatched", case.case_id, CaseDispatched(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, unit_kind=case.unit_kind,
        category=case.category, township=case.township, severity=case.severity, deadline=case.deadline,
        routing_reason=case.routing_reason, reporter_id=case.reporter_id, reporter_marks=case.reporter_marks,
        received_at=case.received_at,
        dispatched_at=case.dispatched_at, redispatch=redispatch, round=case.reopen_count))


def written(case: Case, incoming, exclude: set[str] | None = None) -> dict:
    """The fields of a form, with what staff wrote stripped of personal numbers and of the case's petitioners'
    names and numbers: dispatch stores and sends nothing personal (lianxin.redaction)."""
    fields = incoming.model_dump(exclude=exclude)
    return {name: staff_text(value, case.reporter_marks) if name in WRITTEN and isinstance(value, str) else value
            for name, value in fields.items()}


def _move(uow: UnitOfWork, case: Case, action: str, allowed: tuple[str, ...], to: str, staff: Staff,
          at: datetime | None = None, note: str = "") -> None:
    _require_state(case, allowed, DONE_TO_A_CASE.get(action, action))
    before, case.state = case.state, to
    _record(uow, case, action, before, staff.code, at or utcnow(), note)


def _record(uow: UnitOfWork, case: Case, action: str, before: str | None, by: str, at: datetime, note: str):
    uow.session.add(CaseEvent(case=case, action=action, from_state=before, to_state=case.state, unit=case.unit,
                              by=by, at=at, note=note))


def _held(since: datetime, until: datetime, **values) -> dict:
    """The history's line for a case routed on, with how long its former unit held it."""
    hours = (until - since).total_seconds() / 3600
    if hours >= 24:
        return part("routed_days", days=f"{hours / 24:.1f}", **values)
    if hours < 1:  # "held 0.0 hours" read as if nobody had looked at it
        return part("routed_at_once", **values)
    return part("routed_hours", hours=f"{hours:.1f}", **values)


def _require_state(case: Case, allowed, action: str) -> None:
    if case.state not in allowed:
        raise Conflict(N_("Case %(case)s is %(state)s; this is not the time to %(action)s"),
                       case=case.case_id, state=Term(STATES.get(case.state, case.state)), action=Term(action))
