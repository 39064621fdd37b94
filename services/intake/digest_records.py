"""Producing the information digests and the monthly analysis from intake's own records."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import load_only

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.events import DigestPublished
from lianxin.vocabulary import COUNTY_TIME

from . import digest_writing
from .models import Alert, Digest, Report

MONTHLY = "monthly"  # the kind of a stored monthly analysis
KINDS = {"ten-day": digest_writing.ten_day_period, "week": digest_writing.week_period}
# what a digest counts and compares reports by: never the reporter's personal data, which would be decrypted
COUNTED = (Report.id, Report.received_at, Report.channel, Report.category, Report.township, Report.duplicate_of)
# what it lists of a report of its own period: the excerpt from the text redacted at take-in (the reporter's
# data is loaded, and decrypted, only for a report older than that column)
LISTED = (*COUNTED, Report.village, Report.content, Report.shared_content, Report.people_count, Report.gathering,
          Report.status, Report.case_id, Report.unit)


def _between(uow: UnitOfWork, model, column, start: date, end: date, columns=None) -> list:
    """Rows whose time falls in [start, end] county days (with a day's margin: digest_writing filters exactly),
    loaded with only ``columns`` when given."""
    query = select(model).where(*_within(column, start, end))
    return list(uow.session.scalars(query.options(load_only(*columns)) if columns else query))


def _counted(uow: UnitOfWork, start: date, end: date) -> list:
    """The reports of [start, end] as plain rows of what a digest counts by: no object made for each."""
    return list(uow.session.execute(select(*COUNTED).where(*_within(Report.received_at, start, end))))


def _within(column, start: date, end: date) -> tuple:
    since = datetime.combine(start - timedelta(days=1), time(), COUNTY_TIME)
    until = datetime.combine(end + timedelta(days=2), time(), COUNTY_TIME)
    return column >= since, column < until


def build(uow: UnitOfWork, directory: Directory, kind: str, day: date) -> dict:
    """The digest of the period holding ``day``: as stored once the period ended, else computed."""
    period = KINDS[kind](day)
    if stored := _stored(uow, kind, period.start):
        return stored
    before = period.previous()
    reports = _between(uow, Report, Report.received_at, period.start, period.end, LISTED)
    previous = _counted(uow, before.start, before.end)
    alerts = _between(uow, Alert, Alert.raised_at, period.start, period.end)
    return digest_writing.build_digest(directory, reports, alerts, period, previous_reports=[*previous, *reports])


def monthly(uow: UnitOfWork, directory: Directory, month: str) -> dict:
    """The analysis of ``month``: as stored once the month ended, else computed."""
    first = date.fromisoformat(f"{month}-01")
    if stored := _stored(uow, MONTHLY, first):
        return stored
    three_months_back = (first - timedelta(days=62)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    reports = _counted(uow, three_months_back, following - timedelta(days=1))
    months = digest_writing.by_month(reports)
    for m in _three_months(first):  # a month without reports is a month of zero, not missing data
        months.setdefault(m, [])
    today = digest_writing.county_day(utcnow())
    running = today.day if today.strftime("%Y-%m") == month else None  # month to date: against the same days
    return digest_writing.monthly_analysis(directory, {m: months[m] for m in sorted(months) if m <= month}, month,
                                           through_day=running)


def _three_months(first: date) -> list[str]:
    months, day = [], first
    for _ in range(3):
        months.append(day.strftime("%Y-%m"))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


def _stored(uow: UnitOfWork, kind: str, start: date) -> dict | None:
    """An ended period's document as produced (an ended period's reports no longer change its counts)."""
    return uow.session.scalar(select(Digest.document).where(Digest.kind == kind, Digest.period_start == start)
                              .order_by(Digest.id).limit(1))


def _announce(uow: UnitOfWork, digest: Digest) -> None:
    """Tell the bus a digest is out (the leaders are told by notifications): what names it, never its items."""
    uow.emit("digest.published", f"{digest.kind}/{digest.period_start.isoformat()}", DigestPublished(
        kind=digest.kind, year=digest.document["year"], issue=digest.issue, period_start=digest.period_start,
        period_end=digest.period_end, reports=digest.document["total"], published_at=digest.produced_at))


def produce_due(uow: UnitOfWork, directory: Directory, today: date) -> list[Digest]:
    """Store the digest of every period that has ended, and the last month's analysis, if none yet (on a timer)."""
    produced = []
    for kind, period_of in KINDS.items():
        ended = period_of(today).previous()
        if _stored(uow, kind, ended.start) is None:
            digest = Digest(kind=kind, period_start=ended.start, period_end=ended.end, issue=ended.issue,
                            document=build(uow, directory, kind, ended.start), produced_at=utcnow())
            produced.append(digest)
            _announce(uow, digest)
    last_day = today.replace(day=1) - timedelta(days=1)
    if _stored(uow, MONTHLY, last_day.replace(day=1)) is None:
        produced.append(Digest(kind=MONTHLY, period_start=last_day.replace(day=1), period_end=last_day,
                               issue=last_day.month, document=monthly(uow, directory, last_day.strftime("%Y-%m")),
                               produced_at=utcnow()))
    uow.session.add_all(produced)
    return produced
