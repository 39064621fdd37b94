"""Supervision's use cases: follow cases, call petitioners back, close or reopen."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import bindparam, select

from lianxin.attachments.keeping import Kept
from lianxin.db import UnitOfWork, utcnow
from lianxin.errors import Conflict, Invalid, NotFound, Problem
from lianxin.events import CallbackRecorded, CaseClosed, CaseDispatched, CaseExtended, CaseReopened, CaseReported
from lianxin.i18n import N_, Term, Terms
from lianxin.redaction import staff_text
from lianxin.schemas import entered_time

from . import evidence, notices
from .closure import HANDLED, can_change, closure_blockers, reopen_reason
from .models import Callback, SupervisedCase
from .schemas import CallbackIn
from .texts import STATES, SUPERSEDED

CaseEvent = CaseDispatched | CaseExtended | CaseReported  # what supervision follows a case by
CITIZEN = "citizen"  # who recorded the petitioner's own rating through their link
NOBODY_TO_CALL = N_("Case %(case_id)s was reported anonymously, so nobody can have been reached: record that no "
                    "callback was possible, and a supervisor reviews the handling instead")
NOBODY_TO_CALL_FIELD = N_("Nobody can be reached on an anonymous report")
# the two questions a petitioner reached answers, named as the callback form asks them
QUESTIONS = {"resolved": N_("Resolved?"), "satisfaction": N_("Satisfaction")}
ANSWER_NEEDED = N_("The petitioner was reached: answer “%(question)s”")
NO_ANSWER_WITHOUT_REACHING = N_("The petitioner was not reached: leave “%(question)s” unanswered")
RATED_ALREADY = N_("Your rating of this answer to case %(case)s is recorded already")


def get_case(uow: UnitOfWork, case_id: str, for_update: bool = False) -> SupervisedCase:
    case = uow.session.get(SupervisedCase, case_id, with_for_update=for_update)
    if case is None:
        raise NotFound(N_("There is no case %(case)s under supervision"), case=case_id)
    return case


def on_dispatched(uow: UnitOfWork, dispatched: CaseDispatched) -> None:
    """Follow a dispatched case: its unit and deadline.

    Events of different types travel on different queues: the handling report
    may come first, and supervision itself decides when a case is reopened, so
    a dispatch never changes the case's state, and one of an older round is
    only a fill-in.
    """
    case = _case_or_new(uow, dispatched.case_id, dispatched.report_id, dispatched.unit, dispatched.deadline)
    case.reporter_id = dispatched.reporter_id
    _learn_marks(case, dispatched.reporter_marks)
    if dispatched.round >= case.reopen_count:
        case.unit, case.deadline = dispatched.unit, dispatched.deadline


def on_extended(uow: UnitOfWork, extended: CaseExtended) -> None:
    case = _case_or_new(uow, extended.case_id, extended.report_id, extended.unit, extended.deadline)
    if extended.round >= case.reopen_count:
        case.deadline = extended.deadline


def take_handling_report(uow: UnitOfWork, reported: CaseReported) -> SupervisedCase:
    case = _case_or_new(uow, reported.case_id, reported.report_id, reported.unit, reported.deadline)
    _learn_marks(case, reported.reporter_marks)  # a repeated report's petitioner may have joined since dispatch
    if reported.round < case.reopen_count or case.state == "closed":
        return case  # a report from before the case was reopened (or after it closed) no longer counts
    case.finding, case.actions_taken = reported.finding, reported.actions_taken
    evidence.take_repair_photos(case, reported)
    case.responsible_person, case.unit_head = reported.responsible_person, reported.unit_head
    case.reported_at, case.deadline, case.state = reported.reported_at, reported.deadline, "awaiting_callback"
    case.callback_attempts, case.callback_due_at = 0, utcnow()  # call the petitioner back now
    return case


def _learn_marks(case: SupervisedCase, marks: list[str]) -> None:
    case.reporter_marks = sorted({*(case.reporter_marks or ()), *marks})


BATCH = "supervision.cases"  # the session's cases of the batch being applied (cases_of), new ones too
CASES_OF = (select(SupervisedCase).where(SupervisedCase.case_id.in_(bindparam("ids", expanding=True)))
            .order_by(SupervisedCase.case_id).with_for_update())  # built once: a batch of one costs little more


def cases_of(uow: UnitOfWork, batch: Sequence[CaseEvent]) -> dict[str, SupervisedCase]:
    """The cases a batch of case events names, read and locked in one query (in case order, as every batch
    locks them), so that following them costs no query nor flush per event: what the batch changes goes at
    its commit. ``uow.apply(..., load=cases_of)``."""
    wanted = sorted({event.case_id for event in batch})
    found = {case.case_id: case for case in uow.session.scalars(CASES_OF, {"ids": wanted})}
    uow.session.info[BATCH] = found
    return found


def _case_or_new(uow: UnitOfWork, case_id: str, report_id: str, unit: str, deadline) -> SupervisedCase:
    """The case an event is about, new if supervision has not heard of it yet (events of different types
    travel on different queues); from the batch's cases where they were read together (cases_of)."""
    batch = uow.session.info.get(BATCH)
    case = batch.get(case_id) if batch is not None else uow.session.get(SupervisedCase, case_id,
                                                                        with_for_update=True)
    if case is None:
        case = SupervisedCase(case_id=case_id, report_id=report_id, unit=unit, deadline=deadline,
                              state="in_handling", reopen_count=0)
        uow.session.add(case)
        if batch is not None:
            batch[case_id] = case  # a later event of the batch about it finds it, not yet flushed
    return case


def call_back(uow: UnitOfWork, case: SupervisedCase, answers: CallbackIn, schedule: dict,
              notice_after: int, kept: tuple[Kept, ...] = (), repeat_report: str | None = None) -> list[str]:
    """Record a callback; a dissatisfied petitioner sends the case back (and a case sent back too often brings
    its unit a notice). Returns what still blocks closure.
    ``repeat_report``: a repeat caller rated through their own link (closure.py: it closes nothing)."""
    round_before = case.reopen_count
    blockers = record_callback(uow, case, answers, schedule, kept, repeat_report)
    if case.reopen_count > round_before:
        notices.on_repeated_reopening(uow, case, notice_after)
    return blockers


def record_callback(uow: UnitOfWork, case: SupervisedCase, incoming: CallbackIn, schedule: dict,
                    kept: tuple[Kept, ...] = (), repeat_report: str | None = None) -> list[str]:
    """Record the callback, then close or reopen the case; returns what still blocks closure.

    A petitioner not reached is tried again later, up to a cap; then the callback has failed and the
    case waits on the board for the office to decide.
    """
    if case.state not in HANDLED:
        raise Conflict(N_("Case %(case)s is %(state)s: the petitioner is called back after the unit reports"),
                       case=case.case_id,
                       state=Term(STATES.get(case.state, case.state)))
    _answers_fit(incoming)
    if incoming.reached and case.anonymous and incoming.recorded_by != CITIZEN:
        raise Conflict(NOBODY_TO_CALL, [{"field": "reached", "problem": NOBODY_TO_CALL_FIELD}], case_id=case.case_id)
    if repeat_report and rated(case, repeat_report):
        raise Conflict(RATED_ALREADY, case=case.case_id)
    at = entered_time(incoming.recorded_at, case.reported_at, "recorded_at", "the handling report it calls back about")
    fields = incoming.model_dump(exclude={"recorded_at"})
    callback = Callback(case=case, for_report_at=case.reported_at, recorded_at=at, repeat_report=repeat_report,
                        **{**fields, "comment": written(case, fields.get("comment", ""))})
    uow.session.add(callback)
    uow.session.flush()
    attached = evidence.attach(uow, kept, evidence.CALLBACK, callback.id, callback.recorded_by)
    uow.emit("callback.recorded", case.case_id, CallbackRecorded(
        callback_id=callback.callback_id, case_id=case.case_id, unit=case.unit, reached=callback.reached,
        resolved=callback.resolved, satisfaction=callback.satisfaction, recorded_by=callback.recorded_by,
        recorded_at=callback.recorded_at, attachments=[a.event_view() for a in attached]))
    if not callback.reached and case.anonymous:
        case.callback_due_at = None  # "no callback possible" is recorded once: the review stands in for it
        return try_close(uow, case)
    if not callback.reached:
        case.callback_attempts += 1
        if case.callback_attempts >= schedule["max_attempts"]:
            case.state, case.callback_due_at = "callback_failed", None
        else:
            case.callback_due_at = callback.recorded_at + timedelta(hours=schedule["retry_hours"])
        return closure_blockers(case)
    if cause := reopen_reason(callback):
        reopen(uow, case, cause)
        return []
    if repeat_report is None:
        case.callback_due_at = None  # a repeat caller's rating leaves the case's petitioner to be called
    return try_close(uow, case)


def _answers_fit(incoming: CallbackIn) -> None:
    """A petitioner reached answers both questions; one not reached answers none (one sentence per question)."""
    problem = ANSWER_NEEDED if incoming.reached else NO_ANSWER_WITHOUT_REACHING
    wrong = [Problem(field, problem, {"question": Term(question)}) for field, question in QUESTIONS.items()
             if (getattr(incoming, field) is None) == incoming.reached]
    if wrong:
        raise Invalid(None, wrong)


def repeat_of(case: SupervisedCase, whose: str) -> str | None:
    """The repeat report whose caller opened the link (``whose``: the report its code belongs to), or None for
    the petitioner the case was made from."""
    return whose if whose != case.report_id else None


def rated(case: SupervisedCase, repeat_report: str | None) -> bool:
    """Whether this petitioner (the case's own, or a repeat's caller) rated the latest answer through their link
    while it awaits its callback; a repeat caller rates each answer once."""
    return case.state in HANDLED and any(
        c.recorded_by == CITIZEN and c.repeat_report == repeat_report and c.for_report_at == case.reported_at
        for c in case.callbacks)


def try_close(uow: UnitOfWork, case: SupervisedCase) -> list[str]:
    """Close the case if the three no-closures allow it; returns the blockers otherwise."""
    if case.state == "closed":
        return []
    if case.state not in HANDLED:
        raise Conflict(N_("Case %(case)s is %(state)s: its unit has not yet reported how it handled it"),
                       case=case.case_id, state=Term(STATES.get(case.state, case.state)))
    blockers = closure_blockers(case)
    if blockers:
        return blockers
    callback = case.last_callback
    case.state, case.closed_at = "closed", max(utcnow(), callback.recorded_at)
    uow.emit("case.closed", case.case_id, CaseClosed(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, closed_at=case.closed_at,
        deadline=case.deadline, on_time=case.reported_at <= case.deadline, satisfaction=callback.satisfaction,
        round=case.reopen_count))
    return []


REOPENABLE = (*HANDLED, "closed")  # the unit has reported: its handling can be refused


def reopen_by_office(uow: UnitOfWork, case: SupervisedCase, reason: str, by: str, notice_after: int) -> None:
    """The office refuses the unit's handling (a complaint, an inspection, a report that does not hold up):
    back to the unit, a closed case too (and a case sent back too often brings its unit a notice). A case
    still with its unit has nothing to refuse yet."""
    if case.state not in REOPENABLE:
        raise Conflict(N_("Case %(case)s is %(state)s: it is with its unit already"), case=case.case_id,
                       state=Term(STATES.get(case.state, case.state)))
    reopen(uow, case, "office", words=written(case, reason), by=by)
    notices.on_repeated_reopening(uow, case, notice_after)


def close(uow: UnitOfWork, case: SupervisedCase) -> None:
    """Close the case by hand, or refuse saying which of the three no-closures is missing."""
    if blockers := try_close(uow, case):
        raise Conflict(N_("Case %(case)s cannot be closed: %(blockers)s"), [Problem("closure", b) for b in blockers],
                       case=case.case_id, blockers=Terms(blockers))


def written(case: SupervisedCase, text: str) -> str:
    """What the office wrote, stripped of personal numbers and of the case's petitioners' names and numbers:
    supervision stores and sends nothing personal (lianxin.redaction)."""
    return staff_text(text, case.reporter_marks)


def reopen(uow: UnitOfWork, case: SupervisedCase, cause: str, words: str = "", review_id: str | None = None,
           by: str | None = None) -> None:
    """Back to the unit, whatever the cause: the old handling report no longer counts towards closure, and a
    closed case is closed no more, and the reviews of the round left behind still open are set aside
    (closure.py). The event carries the cause as a code and only the words a person wrote (the office's reason,
    a review's findings)."""
    now = utcnow()
    for review in case.reviews:
        if can_change(review, case):
            review.outcome, review.concluded_at, review.concluded_by = SUPERSEDED, now, "system"
    case.state, case.reopen_count, case.callback_due_at = "in_handling", case.reopen_count + 1, None
    case.closed_at = None
    case.finding = case.actions_taken = case.responsible_person = case.unit_head = case.reported_at = None
    uow.emit("case.reopened", case.case_id, CaseReopened(
        case_id=case.case_id, report_id=case.report_id, unit=case.unit, reason=words, reopened_at=utcnow(),
        round=case.reopen_count, cause=cause, review_id=review_id, reopened_by=by))
