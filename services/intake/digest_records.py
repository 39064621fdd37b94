"""Producing the information digests and the monthly analysis from intake's own records."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.vocabulary import COUNTY_TIME

from . import digest_writing
from .models import Alert, Digest, Report

KINDS = {"ten-day": digest_writing.ten_day_period, "week": digest_writing.week_period}


def _between(uow: UnitOfWork, model, column, start: date, end: date) -> list:
    """Rows whose time falls in [start, end] county days (with a day's margin: digest_writing filters exactly)."""
    since = datetime.combine(start - timedelta(days=1), time(), COUNTY_TIME)
    until = datetime.combine(end + timedelta(days=2), time(), COUNTY_TIME)
    return list(uow.session.scalars(select(model).where(column >= since, column < until)))


def build(uow: UnitOfWork, directory: Directory, kind: str, day: date) -> dict:
    period = KINDS[kind](day)
    before = period.previous()
    reports = _between(uow, Report, Report.received_at, before.start, period.end)
    alerts = _between(uow, Alert, Alert.raised_at, period.start, period.end)
    return digest_writing.build_digest(directory, reports, alerts, period, previous_reports=reports)


def monthly(uow: UnitOfWork, directory: Directory, month: str) -> dict:
    first = date.fromisoformat(f"{month}-01")
    three_months_back = (first - timedelta(days=62)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    reports = _between(uow, Report, Report.received_at, three_months_back, following - timedelta(days=1))
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


def produce_due(uow: UnitOfWork, directory: Directory, today: date) -> list[Digest]:
    """Store the digest of every period that has ended and has none yet (called on a timer)."""
    produced = []
    for kind, period_of in KINDS.items():
        ended = period_of(today).previous()
        exists = select(Digest.id).where(Digest.kind == kind, Digest.period_start == ended.start)
        if uow.session.execute(exists).first() is None:
            document = build(uow, directory, kind, ended.start)
            row = Digest(kind=kind, period_start=ended.start, period_end=ended.end, issue=ended.issue,
                         document=document, produced_at=utcnow())
            uow.session.add(row)
            produced.append(row)
    return produced
