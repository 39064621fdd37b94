"""Spotting a report that repeats an open one, so it joins that case instead of opening another."""
from __future__ import annotations

from datetime import timedelta
from difflib import SequenceMatcher

from sqlalchemy import or_, select

from lianxin.db import UnitOfWork

from .models import Report

CLOSED = ("closed",)
MAX_CANDIDATES = 200


def original_of(uow: UnitOfWork, report: Report, rules: dict) -> Report | None:
    """The open report this one repeats: same subject and place with similar words, or the same person
    on the same subject. Originals only (a duplicate links to the first report)."""
    same_place = (Report.village == report.village) if report.village else (Report.township == report.township)
    same_person = (Report.reporter_id == report.reporter_id) if report.reporter_id else None
    conditions = [same_place] + ([same_person] if same_person is not None else [])
    query = (select(Report)
             .where(Report.category == report.category, Report.duplicate_of.is_(None),
                    Report.status.not_in(CLOSED), Report.id != report.id,
                    Report.received_at >= report.received_at - timedelta(days=rules["window_days"]),
                    or_(*conditions))
             .order_by(Report.id).limit(MAX_CANDIDATES))
    for candidate in uow.session.scalars(query):
        if report.reporter_id and candidate.reporter_id == report.reporter_id:
            return candidate
        if similarity(candidate.content, report.content) >= rules["similarity"]:
            return candidate
    return None


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1, character by character (works for Chinese without segmentation)."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
