"""Scoring's use cases: keep the read model from events, publish assessments."""
from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from sqlalchemy import case, func, select

from lianxin.assessment_terms import KINDS
from lianxin.auth import Staff
from lianxin.db import UnitOfWork, insert_new, upsert, utcnow
from lianxin.directory import Directory
from lianxin.errors import Conflict, NotFound, Problem, Refused
from lianxin.events import (
    AccountabilityRecorded,
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
    ReportReceived,
    UnitScore,
)
from lianxin.i18n import N_, Term
from lianxin.i18n.fields import problem
from lianxin.i18n.kept_texts import named
from lianxin.numbers import row_id

from . import assessment, outcomes
from .assessment import Scheme
from .models import (
    AccountabilityRecord,
    Assessment,
    CaseRecord,
    InformationRecord,
    NoticeRecord,
    YearEndReview,
)
from .schemas import YearEndReviewIn

NO_UNIT = N_("There is no unit %(unit)s in the county directory")


FRESH = {"reopen_count": 0, "satisfied_callbacks": 0, "dissatisfied_callbacks": 0, "answered_callbacks": 0,
         "resolved_callbacks": 0, "overdue": False}  # a case's record before any of its events counted
DISPATCHED = ("unit", "unit_kind", "received_at", "deadline")  # what a dispatch sets on the record


def _record(uow: UnitOfWork, case_id: str, unit: str) -> CaseRecord:
    """The case's record, created by whichever of its events arrives first."""
    record = uow.session.get(CaseRecord, case_id)
    if record is None:
        record = CaseRecord(case_id=case_id, unit=unit, **FRESH)
        uow.session.add(record)
    return record


def on_dispatched(uow: UnitOfWork, e: CaseDispatched) -> None:
    """Made, or brought up to date, in one statement: a case's first event is nearly always its dispatch,
    so looking the record up first would miss."""
    upsert(uow.session, CaseRecord.__table__, {"case_id": e.case_id, **FRESH, "unit": e.unit,
                                               "unit_kind": e.unit_kind, "received_at": e.received_at,
                                               "deadline": e.deadline}, ("case_id",), DISPATCHED)


def on_accepted(uow: UnitOfWork, e: CaseAccepted) -> None:
    _record(uow, e.case_id, e.unit).accepted_at = e.accepted_at


def on_extended(uow: UnitOfWork, e: CaseExtended) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round >= r.reopen_count:
        r.deadline = e.deadline


def on_reported(uow: UnitOfWork, e: CaseReported) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round >= r.reopen_count:
        r.reported_at, r.reported_on_time, r.responsible_person = e.reported_at, e.on_time, e.responsible_person


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
    r.resolved_callbacks += e.resolved == "yes"


def on_accountability(uow: UnitOfWork, e: AccountabilityRecorded) -> None:
    if uow.session.get(AccountabilityRecord, e.record_id) is None:
        uow.session.add(AccountabilityRecord(record_id=e.record_id, unit=e.unit, measure=e.measure,
                                             recorded_at=e.recorded_at))


def on_report(uow: UnitOfWork, e: ReportReceived) -> None:
    """Information collected, counted for the places that reported it (best reporting): once per report."""
    insert_new(uow.session, InformationRecord.__table__, {
        "report_id": e.report_id, "channel": e.channel, "township": e.township, "village": e.village,
        "enterprise": e.enterprise, "received_at": e.received_at}, ("report_id",))


def on_closed(uow: UnitOfWork, e: CaseClosed) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round >= r.reopen_count:  # not the closing of a round since reopened
        r.closed_at, r.closed_on_time, r.reopen_count = e.closed_at, e.on_time, e.round


def on_reopened(uow: UnitOfWork, e: CaseReopened) -> None:
    r = _record(uow, e.case_id, e.unit)
    if e.round > r.reopen_count:  # newer than anything seen, including a closing
        r.reopen_count, r.closed_at, r.closed_on_time = e.round, None, None


def on_notice(uow: UnitOfWork, e: NoticeIssued) -> None:
    insert_new(uow.session, NoticeRecord.__table__, {"notice_id": e.notice_id, "unit": e.unit,
                                                      "issued_at": e.issued_at}, ("notice_id",))


def _between(uow: UnitOfWork, model, column, start, end) -> list:
    return list(uow.session.scalars(select(model).where(column >= start, column < end)))


def case_counts(uow: UnitOfWork, start, end, as_of):
    """What each unit's cases received in [start, end) add up to (assessment.CASE_COUNTS), added up by the
    database: one row per unit, however many cases a year holds. A case is due (应办结) at ``as_of`` once closed,
    overdue or past its deadline (the rule: assessment's docstring)."""
    c, closed = CaseRecord, CaseRecord.closed_at.is_not(None)

    def how_many(condition):
        return func.sum(case((condition, 1), else_=0))

    return uow.session.execute(select(
        c.unit, func.count().label("received"), how_many(closed | c.overdue | (c.deadline <= as_of)).label("due"),
        func.count(c.accepted_at).label("accepted"),
        func.count(c.closed_at).label("closed"), how_many(closed & c.closed_on_time).label("closed_on_time"),
        how_many(closed & (c.answered_callbacks > 0)).label("called_back"),
        how_many(c.overdue).label("overdue"), how_many(c.reopen_count > 0).label("reopened"),
        func.sum(c.satisfied_callbacks).label("satisfied"), func.sum(c.dissatisfied_callbacks).label("dissatisfied"),
        func.sum(c.answered_callbacks).label("answered"), func.sum(c.resolved_callbacks).label("resolved"),
    ).where(c.received_at >= start, c.received_at < end).group_by(c.unit)).all()


class Standings(NamedTuple):
    scores: list[dict]  # the units with cases due in the period, ranked
    without_cases: list[dict]  # every other unit of the county: nothing to score
    county: dict  # the county's own figures: every unit's added up (assessment.county)


def rankings(uow: UnitOfWork, directory: Directory, period: str, scheme: Scheme, as_of=None) -> Standings:
    """Scorecards of the units with cases due in the period, ranked, and every other unit of the directory;
    what is due is counted at ``as_of`` (by default now)."""
    start, end = _bounds(period)
    unit_kinds = {code: directory.unit_kind(code) for code in directory.units}
    tallies = assessment.tally(
        case_counts(uow, start, end, as_of or utcnow()),
        _between(uow, NoticeRecord, NoticeRecord.issued_at, start, end), unit_kinds,
        _between(uow, AccountabilityRecord, AccountabilityRecord.recorded_at, start, end), scheme.veto)
    return Standings(assessment.rank(tallies, scheme), assessment.without_cases(tallies, unit_kinds),
                     assessment.county(tallies))


def _bounds(period: str | None):
    """The period's bounds, or a refusal of the query naming the period in the person's words (400)."""
    try:
        if period is None:
            raise Refused(None, [Problem("period", *problem("missing", "period", {}, ""))])
        return assessment.period_bounds(period)
    except ValueError as exc:
        raise Refused(None, [Problem("period", *problem("value_error", "period", {"error": exc}, ""))]) from None


def year_end(uow: UnitOfWork, directory: Directory, year: str, scheme: Scheme, as_of=None) -> tuple[Standings, list]:
    """The year-end assessment: the year's regular assessments (or the year's own tally) combined with the
    year-end review in the configured ratio, ranked; and the year's penalties and awards. A unit without
    cases due in the year stays unranked."""
    standings = rankings(uow, directory, year, scheme, as_of)
    cards = {c["unit"]: c for c in standings.scores}
    regular = _regular_averages(uow, year)
    reviews = {r.unit: r.score for r in uow.session.scalars(select(YearEndReview).where(
        YearEndReview.year == int(year)).order_by(YearEndReview.id))}
    share = scheme.year_end_regular_share
    for unit, card in cards.items():
        through_year = regular.get(unit, card["score"])
        review = reviews.get(unit)
        card["regular_score"], card["review_score"] = through_year, review
        card["score"] = round(through_year if review is None else share * through_year + (1 - share) * review, 2)
    ranked = assessment.ranked(list(cards.values()))
    start, end = assessment.period_bounds(year)
    return standings._replace(scores=ranked), outcomes.year_outcomes(
        directory, ranked, _officer_reports(uow, start, end), _advanced_individuals(uow, start, end), scheme)


def _regular_averages(uow: UnitOfWork, year: str) -> dict[str, float]:
    """Each unit's average score over the year's current regular assessments (revised ones replaced)."""
    current = [a for a in uow.session.scalars(select(Assessment).where(
        Assessment.kind == "regular", Assessment.period.startswith(f"{year}-")).order_by(Assessment.id))]
    latest = {a.period: a for a in current}  # a recomputation comes later and replaces its period's
    by_unit: dict[str, list[float]] = {}
    for published in latest.values():
        for s in published.scores:
            by_unit.setdefault(s["unit"], []).append(s["score"])
    return {unit: round(sum(v) / len(v), 2) for unit, v in by_unit.items()}


def _officer_reports(uow: UnitOfWork, start, end) -> Counter:
    """Reports information officers made, by township (counted in SQL)."""
    r = InformationRecord
    return Counter(dict(uow.session.execute(
        select(r.township, func.count()).where(r.received_at >= start, r.received_at < end, r.channel == "officer",
                                               r.township.is_not(None), r.township != "").group_by(r.township)).all()))


def _advanced_individuals(uow: UnitOfWork, start, end) -> Counter:
    """Cases each responsible person closed to the petitioner's satisfaction, by person and unit (counted in SQL)."""
    c = CaseRecord
    found = uow.session.execute(
        select(c.responsible_person, c.unit, func.count())
        .where(c.received_at >= start, c.received_at < end, c.responsible_person.is_not(None),
               c.responsible_person != "", c.closed_at.is_not(None), c.satisfied_callbacks > 0,
               c.dissatisfied_callbacks == 0)
        .group_by(c.responsible_person, c.unit))
    return Counter({(person, unit): n for person, unit, n in found})


def scorecard(uow: UnitOfWork, directory: Directory, unit: str) -> dict:
    """The unit's line in every current assessment, oldest first: its history."""
    if unit not in directory.units:
        raise NotFound(NO_UNIT, unit=unit)
    published = uow.session.scalars(select(Assessment).order_by(Assessment.id))
    current = {(a.period, a.kind): a for a in published}  # a recomputation replaces its period's
    history = [{"assessment_id": a.assessment_id, "period": a.period, "kind": a.kind, **line}
               for a in current.values() for line in a.scores if line["unit"] == unit]
    return {"unit": unit, "name": named("unit", unit), "history": history}


def year_outcomes(uow: UnitOfWork, year: str, lang: str) -> dict:
    """The year's penalties and awards, from its (latest) year-end assessment, their reasons said in ``lang``."""
    found = uow.session.scalars(select(Assessment).where(
        Assessment.period == year, Assessment.kind == "year_end").order_by(Assessment.id.desc())).first()
    if found is None:
        raise NotFound(N_("No year-end assessment of %(year)s is published yet"), year=year)
    return {"year": year, "assessment_id": found.assessment_id, "outcomes": outcomes.read(found.outcomes, lang)}


def enter_year_end_review(uow: UnitOfWork, directory: Directory, review: YearEndReviewIn, staff: Staff) -> None:
    if review.unit not in directory.units:
        raise Refused(NO_UNIT, unit=review.unit)
    uow.session.add(YearEndReview(year=review.year, unit=review.unit, score=review.score, entered_by=staff.code))


def get(uow: UnitOfWork, assessment_id: str) -> Assessment:
    if (found := uow.session.get(Assessment, row_id(assessment_id, "A") or -1)) is None:
        raise NotFound(N_("There is no assessment %(assessment)s"), assessment=assessment_id)
    return found


def publish_first(uow: UnitOfWork, directory: Directory, period: str, kind: str, scheme: Scheme) -> Assessment:
    """The period's first assessment of its kind; once published it is only ever recomputed."""
    earlier = uow.session.scalars(select(Assessment).where(Assessment.period == period,
                                                           Assessment.kind == kind)).first()
    if earlier is not None:
        raise Conflict(N_("%(period)s (%(kind)s) was published as %(assessment)s; a published assessment is not "
                          "changed: recompute it instead"), period=period, kind=Term(KINDS[kind]),
                       assessment=earlier.assessment_id)
    return publish(uow, directory, period, kind, scheme)


def publish(uow: UnitOfWork, directory: Directory, period: str, kind: str, scheme: Scheme,
            supersedes: Assessment | None = None) -> Assessment:
    """Publish an assessment; a published one is never changed, only superseded with the difference told."""
    now = utcnow()  # what is due is counted at the moment of publication
    if kind == "year_end":
        (scores, idle, _), results = year_end(uow, directory, period, scheme, now)
    else:
        (scores, idle, _), results = rankings(uow, directory, period, scheme, now), []
    published = Assessment(period=period, kind=kind, published_at=now, scores=scores, outcomes=results,
                           without_cases=idle,
                           supersedes=supersedes.id if supersedes else None,
                           explanation=difference(supersedes.scores, scores) if supersedes else [])
    uow.session.add(published)
    uow.session.flush()
    uow.emit("assessment.published", published.assessment_id, AssessmentPublished(
        assessment_id=published.assessment_id, period=period, kind=kind, published_at=published.published_at,
        scores=[UnitScore(**{k: s[k] for k in UnitScore.model_fields}) for s in scores],
        without_cases=[s["unit"] for s in idle]))
    return published


def difference(before: list[dict], after: list[dict]) -> list[dict]:
    """What a recomputation changed, unit by unit, with the counts that moved the score."""
    old, new = {s["unit"]: s for s in before}, {s["unit"]: s for s in after}
    changes = []
    for unit in sorted(set(old) | set(new)):
        was, now = old.get(unit), new.get(unit)
        if was and now and (was["score"], was["rank"]) == (now["score"], now["rank"]):
            continue
        moved = {k: [was.get(k) if was else None, now.get(k) if now else None]
                 for k in COUNTED if (was or {}).get(k) != (now or {}).get(k)}
        changes.append({"unit": unit, "score": [was and was["score"], now and now["score"]],
                        "rank": [was and was["rank"], now and now["rank"]], "because": moved})
    return changes


COUNTED = ("cases", "due", "closed", "closed_on_time", "overdue", "reopened", "notices", "accountability")
