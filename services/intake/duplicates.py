"""Spotting a report that repeats an open one, so it joins that case instead of opening another.

A repeat is the same subject, the same place and the same problem (similarity.py). The place is the village
given or, when only the township is, the village or community the text or the place in words names
(北街社区的路灯 is not 东关社区的路灯): two reports naming different places are never one case, and where either
names none (the whole township) only words alike from the similarity threshold link them, as one problem
named in two corners of a township may be two matters. The same person on the same subject is one case
whatever the words, unless the two name different problems (the street lights, then the rubbish).
"""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import and_, bindparam, or_, select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory

from . import categories, similarity
from .models import Report

CLOSED = ("closed",)
MAX_CANDIDATES = 50
NOT_STORED = 2 ** 31 - 1  # a draft (the form's preview) comes after every stored report: INTEGER's largest
KIND_OF_PLACE = re.compile(r"(社区|居委会|村委会|村|街道)$")  # 东关社区 is also said 东关


def _candidates(by_village: bool, by_person: bool, sorting: bool):
    reports = Report.__table__.c  # Core columns: only those compared are read, the ORM's bookkeeping would cost more
    in_township = reports.township == bindparam("township")
    # a report of the township alone may be about this village: its words say (same_place below)
    same_place = or_(reports.village == bindparam("village"), and_(reports.village.is_(None), in_township)) \
        if by_village else in_township
    same_person = [reports.reporter_id == bindparam("reporter_id")] if by_person else []
    # when sorting, only reports sorted already (their link decided): one still waiting may turn out a repeat
    # itself; the form's warning shows it all the same
    sorted_ = [or_(reports.shared_content.is_not(None), reports.status != "received")] if sorting else []
    return (select(reports.id, reports.content, reports.reporter_id, reports.township, reports.village,
                   reports.location)
            .where(reports.category == bindparam("category"), reports.duplicate_of.is_(None),
                   reports.status.not_in(CLOSED), reports.id < bindparam("before"), *sorted_,
                   reports.received_at >= bindparam("since"), or_(same_place, *same_person))
            .order_by(reports.id.desc()).limit(MAX_CANDIDATES))


# built once: every report sorted, and the form's every preview, runs one of them
CANDIDATES = {(v, p, s): _candidates(v, p, s) for v in (True, False) for p in (True, False) for s in (True, False)}


def original_of(uow: UnitOfWork, report: Report, rules: dict, directory: Directory | None = None) -> Report | None:
    """The open report this one repeats (module docstring). Originals only (a duplicate links to the first
    report), taken in before this one and sorted already, so reports sorted out of order (replicas, a retried
    batch) never link to a repeat. ``directory``: the county's, for the places named in words (by default the
    one intake was started with).

    Only the columns compared are read (not whole rows, whose personal data would be decrypted), newest
    candidates first, all compared at once (similarity.py).
    """
    query = CANDIDATES[(bool(report.village), bool(report.reporter_id), bool(report.id))]  # id 0: the form's draft
    values = {"village": report.village, "township": report.township, "reporter_id": report.reporter_id,
              "category": report.category, "before": report.id or NOT_STORED,
              "since": report.received_at - timedelta(days=rules["window_days"])}
    candidates = uow.session.execute(query, values).all()
    texts = [row.content for row in candidates]
    compared = zip(candidates, similarity.alike(report.content, texts, rules["similarity"]),
                   similarity.problems_differ(report.content, texts),
                   similarity.words_alike(report.content, texts, rules["similarity"]), strict=True)
    named = _places(directory or categories.directory_started_with())
    mine = place_of(named, report)
    for row, similar, other_problem, same_words in compared:
        theirs = place_of(named, row)
        if other_problem or (mine and theirs and not mine & theirs):
            continue
        same_person = bool(report.reporter_id) and row.reporter_id == report.reporter_id
        if same_person or (same_words if not (mine and theirs) else similar):
            return uow.session.get(Report, row.id)
    return None


def place_of(named: dict, report) -> frozenset[str]:
    """The village the report is about: the one given, else those its words name in its township (none: the
    township as a whole, or a place the directory does not know)."""
    if report.village:
        return frozenset({report.village})
    words = f"{report.content} {getattr(report, 'location', None) or ''}"  # the form's draft has no location
    return frozenset(code for code, names in named.get(report.township, ()) if any(n in words for n in names))


_NAMES: dict[int, tuple[Directory, dict]] = {}  # per directory (kept beside, so its id is not reused)


def _places(directory: Directory | None) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Per township, each village's code and the names it is said by (东关社区, 东关)."""
    if directory is None:
        return {}
    if (known := _NAMES.get(id(directory))) is None:
        known = _NAMES[id(directory)] = (directory, {t.code: tuple((v.code, _said(v.name)) for v in t.villages)
                                                     for t in directory.townships})
    return known[1]


def _said(name: str) -> tuple[str, ...]:
    short = KIND_OF_PLACE.sub("", name)
    return (name, short) if len(short) >= 2 else (name,)
