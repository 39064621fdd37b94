"""Spotting a report that repeats an open one, so it joins that case instead of opening another."""
from __future__ import annotations

from datetime import timedelta
from difflib import SequenceMatcher

from sqlalchemy import or_, select

from lianxin.db import UnitOfWork

from .models import Report

CLOSED = ("closed",)
MAX_CANDIDATES = 50


def original_of(uow: UnitOfWork, report: Report, rules: dict) -> Report | None:
    """The open report this one repeats: same subject and place with similar words, or the same person
    on the same subject. Originals only (a duplicate links to the first report).

    Only the columns compared are read (not whole rows, whose personal data would be decrypted), newest
    candidates first, and the cheap upper bounds of the similarity are tried before the exact one.
    """
    same_place = (Report.village == report.village) if report.village else (Report.township == report.township)
    same_person = (Report.reporter_id == report.reporter_id) if report.reporter_id else None
    conditions = [same_place] + ([same_person] if same_person is not None else [])
    query = (select(Report.id, Report.content, Report.reporter_id)
             .where(Report.category == report.category, Report.duplicate_of.is_(None),
                    Report.status.not_in(CLOSED), Report.id != report.id,
                    Report.received_at >= report.received_at - timedelta(days=rules["window_days"]),
                    or_(*conditions))
             .order_by(Report.id.desc()).limit(MAX_CANDIDATES))
    for pk, content, reporter_id in uow.session.execute(query):
        if (report.reporter_id and reporter_id == report.reporter_id) or \
                similar(content, report.content, rules["similarity"]):
            return uow.session.get(Report, pk)
    return None


def similar(a: str, b: str, at_least: float) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= at_least and matcher.quick_ratio() >= at_least
            and matcher.ratio() >= at_least)

