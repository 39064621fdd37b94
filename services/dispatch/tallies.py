"""The office's day in figures, counted where the cases are: per unit and per county day, what came in, went
out and was closed, and per unit and township what is open now (overdue, awaiting callback among them).

A few grouped queries whatever the county's size: the dashboard asks for them instead of reading every case.
Days are the county's (COUNTY_TIME), cut at its midnights; the buckets are computed by the database with
``CASE`` over those moments, so SQLite and PostgreSQL count alike.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import case as when
from sqlalchemy import func, select

from lianxin.db import UnitOfWork
from lianxin.vocabulary import COUNTY_TIME

from .models import Case

MOVES = {"new": Case.received_at, "dispatched": Case.dispatched_at, "closed": Case.closed_at}
LONGEST = 92  # days one answer covers: a quarter, more than any page shows


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), COUNTY_TIME)


def tallies(uow: UnitOfWork, first: date, last: date, now: datetime, watched: tuple[str, ...]) -> dict:
    """Per unit and day from ``first`` to ``last`` (county days): new, dispatched and closed; per unit and
    per township now: open, overdue (a watched case past its deadline) and awaiting callback (reported)."""
    days = days_between(first, last)
    per_day: dict[tuple[str, str], dict[str, int]] = {}
    for move, moment in MOVES.items():
        for unit, index, count in _by_day(uow, moment, days):
            per_day.setdefault((unit, days[index].isoformat()), dict.fromkeys(MOVES, 0))[move] = count
    return {"from": first.isoformat(), "to": last.isoformat(), "as_of": now.isoformat(),
            "days": [{"unit": unit, "day": day, **counts} for (unit, day), counts in sorted(per_day.items())],
            "open": _open(uow, Case.unit, "unit", now, watched),
            "townships": _open(uow, Case.township, "township", now, watched)}


def _by_day(uow: UnitOfWork, moment, days: list[date]) -> list[tuple[str, int, int]]:
    """(unit, index of the day, cases) for the cases whose ``moment`` falls on one of ``days``."""
    edges = [midnight(d + timedelta(days=1)) for d in days]
    bucket = when(*((moment < edge, index) for index, edge in enumerate(edges)))
    query = (select(Case.unit, bucket, func.count()).where(moment >= midnight(days[0]), moment < edges[-1])
             .group_by(Case.unit, bucket))
    return [(unit, index, count) for unit, index, count in uow.session.execute(query)]


def _open(uow: UnitOfWork, column, name: str, now: datetime, watched: tuple[str, ...]) -> list[dict]:
    overdue = func.sum(when((Case.state.in_(watched) & (Case.deadline < now), 1), else_=0))
    awaiting = func.sum(when((Case.state == "reported", 1), else_=0))
    query = (select(column, func.count(), overdue, awaiting).where(Case.state != "closed")
             .group_by(column).order_by(column))
    return [{name: key, "open": count, "overdue": int(late or 0), "awaiting_callback": int(waiting or 0)}
            for key, count, late, waiting in uow.session.execute(query) if key is not None]
