"""Reviews (复查) and re-reviews (复核) of how a case was handled.

* At a handling report, supervision opens a review itself when the report does not hang together
  (e.g. substantiated but nothing done) and for a random sample; the review must conclude before
  the case can close.
* After a case closes, the petitioner may ask for a review within 30 days (信访工作条例 Art. 35), and
  after that for a re-review within 30 days of its answer (Art. 36); each is answered within 30 days,
  and the same facts are not taken up again after a re-review.
* An anonymous case is always reviewed at its handling report: nobody can be called back (closure.py).
* A failed review sends the case back to its unit (``case.reopened``); an upheld one lets it stand. A review
  of a round the case has left is set aside when it goes back (closure.py says why).
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.errors import Conflict, NotFound
from lianxin.events import CaseReported
from lianxin.i18n import N_, Term
from lianxin.i18n.kept_texts import Part, kept, part
from lianxin.numbers import row_id
from lianxin.vocabulary import REVIEW_REQUEST_DAYS

from . import callbacks, evidence
from .closure import HANDLED, can_change
from .models import Review, SupervisedCase
from .schemas import ConclusionIn
from .texts import OUTCOMES

ANSWER_WITHIN = timedelta(days=30)
REQUEST_WITHIN = timedelta(days=REVIEW_REQUEST_DAYS)
NOTHING_DONE = ("无", "暂无", "未处理", "没有处理", "待处理", "正在处理", "-")


def inconsistencies(report: CaseReported) -> list[Part]:
    """What does not hang together in a handling report (codes of texts.TEXTS)."""
    found = []
    done = report.actions_taken.strip()
    if report.finding != "unsubstantiated" and (len(done) < 6 or done in NOTHING_DONE):
        found.append(part("nothing_done"))
    if report.finding == "unsubstantiated" and not report.petitioner_acknowledged and not report.explanation.strip():
        found.append(part("unexplained"))
    if not report.on_time:
        found.append(part("late"))
    return found


def in_sample(case_id: str, round_: int, percent: int) -> bool:
    """A stable random sample: the same case and round always draw the same way."""
    digest = hashlib.sha256(f"{case_id}:{round_}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def on_reported(uow: UnitOfWork, report: CaseReported, sample_percent: int) -> None:
    """Take the handling report, and review it first where it does not hang together or is drawn."""
    case = callbacks.take_handling_report(uow, report)
    if case.state == "awaiting_callback" and case.reported_at == report.reported_at:
        open_on_report(uow, case, report, sample_percent)


def open_on_report(uow: UnitOfWork, case: SupervisedCase, report: CaseReported, sample_percent: int) -> None:
    reasons = inconsistencies(report)
    if reasons:
        _open(uow, case, 1, "inconsistent", kept(*reasons))
    elif in_sample(case.case_id, report.round, sample_percent):
        _open(uow, case, 1, "sample", kept(part("sample")))
    elif case.anonymous:
        _open(uow, case, 1, "anonymous", kept(part("anonymous")))


def request(uow: UnitOfWork, case: SupervisedCase, reason: str, by: str, kept: tuple = ()) -> Review:
    """The petitioner asks for a review of a closed case (or a re-review of an upheld review), with the photos
    or documents they sent (files already stored; ``by``: the operator who took the request, or the citizen)."""
    now = utcnow()
    if case.state != "closed":
        raise Conflict(N_("Case %(case)s is not closed yet: a review can be asked for once it is closed"),
                       case=case.case_id)
    if any(r.outcome is None and r.trigger == "requested" for r in case.reviews):
        raise Conflict(N_("Case %(case)s is under review already"), case=case.case_id)
    done = _concluded(uow, case.case_id, requested_only=True)
    if len(done) >= 2:
        raise Conflict(N_("Case %(case)s was reviewed and re-reviewed; the same facts are not taken up again"),
                       case=case.case_id)
    since = done[-1].concluded_at if done else case.closed_at
    if now - since > REQUEST_WITHIN:
        ended = (since + REQUEST_WITHIN).date().isoformat()
        raise Conflict(N_("The 30 days to ask for a re-review of case %(case)s ended on %(date)s") if done else
                       N_("The 30 days to ask for a review of case %(case)s ended on %(date)s"),
                       case=case.case_id, date=ended)
    review = _open(uow, case, len(done) + 1, "requested", callbacks.written(case, reason))
    evidence.attach(uow, kept, evidence.REVIEW, review.id, by)
    return review


def conclude(uow: UnitOfWork, review: Review, outcome: str, findings: str, by: str) -> None:
    if review.outcome is not None:
        raise Conflict(N_("Review %(review)s was concluded already (%(outcome)s)"), review=review.review_id,
                       outcome=Term(OUTCOMES[review.outcome]))
    case = uow.session.get(SupervisedCase, review.case_id, with_for_update=True)
    if not can_change(review, case):  # a round left behind: set aside when the case went back (closure.py)
        raise Conflict(N_("Review %(review)s can no longer change case %(case)s: the case went back to its unit "
                          "after the handling it reviews"), review=review.review_id, case=case.case_id)
    findings = callbacks.written(case, findings)
    review.outcome, review.findings, review.concluded_at, review.concluded_by = outcome, findings, utcnow(), by
    if outcome == "failed":
        callbacks.reopen(uow, case, "review_failed", words=findings, review_id=review.review_id)
    elif case.state in HANDLED:
        callbacks.try_close(uow, case)  # the review was the last thing the case was waiting for


def conclude_by_office(uow: UnitOfWork, review_id: str, conclusion: ConclusionIn, staff: Staff,
                       kept: tuple = ()) -> Review:
    """The office's conclusion, with the evidence it attached (files already stored)."""
    review = get(uow, review_id)
    conclude(uow, review, conclusion.outcome, conclusion.findings, staff.code)
    evidence.attach(uow, kept, evidence.REVIEW, review.id, staff.code)
    return review


def get(uow: UnitOfWork, review_id: str) -> Review:
    if (review := uow.session.get(Review, row_id(review_id, "RV") or -1)) is None:
        raise NotFound(N_("There is no review %(review)s"), review=review_id)
    return review


def _open(uow: UnitOfWork, case: SupervisedCase, level: int, trigger: str, reason: str,
          round_: int | None = None) -> Review:
    now = utcnow()
    round_ = case.reopen_count if round_ is None else round_
    review = Review(case_id=case.case_id, level=level, trigger=trigger, reason=reason, round=round_,
                    opened_at=now, due_at=now + ANSWER_WITHIN, findings="")
    uow.session.add(review)
    uow.session.flush()
    return review


def _concluded(uow: UnitOfWork, case_id: str, requested_only: bool) -> list[Review]:
    query = select(Review).where(Review.case_id == case_id, Review.outcome.is_not(None))
    if requested_only:
        query = query.where(Review.trigger == "requested")
    return list(uow.session.scalars(query.order_by(Review.id)))
