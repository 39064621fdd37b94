"""Spotting a report that repeats an open one, so it joins that case instead of opening another."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, or_, select

from lianxin.db import UnitOfWork

from . import similarity
from .models import Report

CLOSED = ("closed",)
MAX_CANDIDATES = 50
NOT_STORED = 2 ** 31 - 1  # a draft (the form's preview) comes after every stored report: INTEGER's largest


def _candidates(by_village: bool, by_person: bool, sorting: bool):
    reports = Report.__table__.c  # Core columns: only three are read, the ORM's bookkeeping would cost more
    same_place = (reports.village == bindparam("village")) if by_village else (
        reports.township == bindparam("township"))
    same_person = [reports.reporter_id == bindparam("reporter_id")] if by_person else []
    # when sorting, only reports sorted already (their link decided): one still waiting may turn out a repeat
    # itself; the form's warning shows it all the same
    sorted_ = [or_(reports.shared_content.is_not(None), reports.status != "received")] if sorting else []
    return (select(reports.id, reports.content, reports.reporter_id)
            .where(reports.category == bindparam("category"), reports.duplicate_of.is_(None),
                   reports.status.not_in(CLOSED), reports.id < bindparam("before"), *sorted_,
                   reports.received_at >= bindparam("since"), or_(same_place, *same_person))
            .order_by(reports.id.desc()).limit(MAX_CANDIDATES))


# built once: every report sorted, and the form's every preview, runs one of them
CANDIDATES = {(v, p, s): _candidates(v, p, s) for v in (True, False) for p in (True, False) for s in (True, False)}


def original_of(uow: UnitOfWork, report: Report, rules: dict) -> Report | None:
    """The open report this one repeats: same subject and place with similar words, or the same person
    on the same subject. Originals only (a duplicate links to the first report), taken in before this one
    and sorted already, so reports sorted out of order (replicas, a retried batch) never link to a repeat.

    Only the columns compared are read (not whole rows, whose personal data would be decrypted), newest
    candidates first, all compared at once (similarity.py).
    """
    query = CANDIDATES[(bool(report.village), bool(report.reporter_id), bool(report.id))]  # id 0: the form's draft
    values = {"village": report.village, "township": report.township, "reporter_id": report.reporter_id,
              "category": report.category, "before": report.id or NOT_STORED,
              "since": report.received_at - timedelta(days=rules["window_days"])}
    candidates = uow.session.execute(query, values).all()
    alike = similarity.alike(report.content, [content for _, content, _ in candidates], rules["similarity"])
    for (pk, _, reporter_id), similar in zip(candidates, alike, strict=True):
        if (report.reporter_id and reporter_id == report.reporter_id) or similar:
            return uow.session.get(Report, pk)
    return None

