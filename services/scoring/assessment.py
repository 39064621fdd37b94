"""Counting and scoring units for a period: pure functions, no database.

Rates are percentages to two decimals, exactly as the county reports them
(287 closed of 290 received: 98.97).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass
class UnitTally:
    unit: str
    unit_kind: str
    received: int = 0
    accepted: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    reopened: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    answered: int = 0
    notices: int = 0
    score: float = field(default=0.0)

    @property
    def closure_rate(self) -> float | None:
        return percent(self.closed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.closed_on_time, self.closed)

    @property
    def response_rate(self) -> float | None:
        return percent(self.accepted, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        return percent(self.satisfied, self.answered)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def period_bounds(period: str, tz: str) -> tuple[datetime, datetime]:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year), in the county's time zone."""
    zone = ZoneInfo(tz)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {period!r}: month must be 01-12")
        first, months = month, 1
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", period):
        year, first, months = int(m[1]), 3 * int(m[2]) - 2, 3
    elif m := re.fullmatch(r"(\d{4})", period):
        year, first, months = int(m[1]), 1, 12
    else:
        raise ValueError(f"period {period!r}: expected YYYY-MM, YYYY-Qn or YYYY")
    end_month = first + months
    start = datetime(year, first, 1, tzinfo=zone)
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=zone)
    return start, end


def tally(cases, notices, unit_kinds: dict[str, str]) -> dict[str, UnitTally]:
    """Count cases (received in the period) and notices (issued in it) per unit."""
    tallies: dict[str, UnitTally] = {}

    def of(unit):
        return tallies.setdefault(unit, UnitTally(unit, unit_kinds.get(unit, "department")))

    for case in cases:
        t = of(case.unit)
        t.received += 1
        t.accepted += case.accepted_at is not None
        t.closed += case.closed_at is not None
        t.closed_on_time += case.closed_at is not None and bool(case.closed_on_time)
        t.overdue += case.overdue
        t.reopened += case.reopen_count > 0
        t.satisfied += case.satisfied_callbacks
        t.dissatisfied += case.dissatisfied_callbacks
        t.answered += case.answered_callbacks
    for notice in notices:
        of(notice.unit).notices += 1
    return tallies


def score(t: UnitTally, scheme: dict) -> float:
    """Weighted rates minus deductions per notice, within 0..100.

    A rate with nothing to measure counts as zero: a unit that closed nothing
    must not score better on timeliness and satisfaction than one that did.
    """
    rates = {"closure": t.closure_rate, "timeliness": t.on_time_rate, "satisfaction": t.satisfaction_rate}
    weighted = sum(scheme[name] * (rate or 0.0) for name, rate in rates.items())
    return round(max(0.0, min(100.0, weighted - scheme["per_notice"] * t.notices)), 2)


def rank(tallies: dict[str, UnitTally], scheme: dict) -> list[dict]:
    """Townships and county departments ranked separately.

    Ties: higher closure rate, then more cases received, then unit code.
    """
    for t in tallies.values():
        t.score = score(t, scheme)
    ranked = []
    for kind in ("township", "department"):
        group = sorted((t for t in tallies.values() if t.unit_kind == kind),
                       key=lambda t: (-t.score, -(t.closure_rate or 0), -t.received, t.unit))
        ranked += [scorecard(t, position) for position, t in enumerate(group, start=1)]
    return ranked


def scorecard(t: UnitTally, rank_: int) -> dict:
    return {
        "unit": t.unit, "unit_kind": t.unit_kind, "score": t.score, "rank": rank_, "cases": t.received,
        "closed": t.closed, "closed_on_time": t.closed_on_time, "overdue": t.overdue, "reopened": t.reopened,
        "notices": t.notices, "closure_rate": t.closure_rate, "on_time_rate": t.on_time_rate,
        "response_rate": t.response_rate, "satisfaction_rate": t.satisfaction_rate,
    }
