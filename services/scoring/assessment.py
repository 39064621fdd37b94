"""Counting and scoring units for a period: pure functions, no database.

Rates are percentages to two decimals, exactly as the county reports them
(287 closed of 290 due: 98.97).

The closure rate counts against the cases that were due (应办结), not every case received: a case is due once it
is closed, once it went overdue, or once its deadline has passed at the moment of counting (an assessment: when
it is published; the live rankings: now). A case still within its deadline counts neither for nor against its
unit: a unit whose only case came in yesterday is not ranked last with a closure rate of 0. A unit with nothing
due has nothing to score: it is listed as without cases (``without_cases``), never ranked with a 0, and a
recomputation ranks it once its cases fall due.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from lianxin.i18n import N_
from lianxin.schemas import OFFICE_YEARS
from lianxin.vocabulary import COUNTY_TIME


@dataclass(frozen=True)
class Scheme:
    """How units are scored: weights of the rates (summing to 1), deductions and their cap, the measures
    that veto, the year-end ratio and the fewest cases for the best-handling award."""
    closure: float = 0.4
    timeliness: float = 0.3
    satisfaction: float = 0.3
    per_notice: float = 5.0
    per_accountability: float = 3.0
    cap: float = 30.0
    veto: tuple[str, ...] = ("removal", "party_discipline")
    year_end_regular_share: float = 0.6
    best_handling_min_cases: int = 5


@dataclass
class UnitTally:
    unit: str
    unit_kind: str
    received: int = 0
    due: int = 0  # 应办结: closed, overdue, or past the deadline when counted
    accepted: int = 0
    closed: int = 0
    closed_on_time: int = 0
    called_back: int = 0  # closed cases whose petitioner a callback reached
    overdue: int = 0
    reopened: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    answered: int = 0
    resolved: int = 0
    notices: int = 0
    accountability: int = 0
    vetoed_by: list[str] = field(default_factory=list)  # accountability measures that veto
    score: float = field(default=0.0)

    @property
    def closure_rate(self) -> float | None:
        return percent(self.closed, self.due)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.closed_on_time, self.closed)

    @property
    def callback_rate(self) -> float | None:
        return percent(self.called_back, self.closed)

    @property
    def response_rate(self) -> float | None:
        return percent(self.accepted, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        return percent(self.satisfied, self.answered)

    @property
    def resolution_rate(self) -> float | None:
        return percent(self.resolved, self.answered)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


# what is wrong with a period, said after its name ("the period …"): a ValueError's message id
NOT_A_PERIOD = N_("must be a month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY)")
NOT_AN_OFFICE_YEAR = N_("falls outside the years the office keeps records of")


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year), in the county's time zone."""
    zone = COUNTY_TIME
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(NOT_A_PERIOD)
        first, months = month, 1
    elif m := re.fullmatch(r"(\d{4})-Q([1-4])", period):
        year, first, months = int(m[1]), 3 * int(m[2]) - 2, 3
    elif m := re.fullmatch(r"(\d{4})", period):
        year, first, months = int(m[1]), 1, 12
    else:
        raise ValueError(NOT_A_PERIOD)
    if year not in OFFICE_YEARS:
        raise ValueError(NOT_AN_OFFICE_YEAR)
    end_month = first + months
    start = datetime(year, first, 1, tzinfo=zone)
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=zone)
    return start, end


# what a unit's cases add up to (records.case_counts)
CASE_COUNTS = ("received", "due", "accepted", "closed", "closed_on_time", "called_back", "overdue", "reopened",
               "satisfied", "dissatisfied", "answered", "resolved")


def tally(case_counts, notices, unit_kinds: dict[str, str], accountability=(), veto=()) -> dict[str, UnitTally]:
    """Each unit's tally: its cases received in the period as already added up (one row per unit with
    ``unit`` and CASE_COUNTS), the notices and accountability in it."""
    tallies: dict[str, UnitTally] = {}

    def of(unit):
        return tallies.setdefault(unit, UnitTally(unit, unit_kinds.get(unit, "department")))

    for counted in case_counts:
        t = of(counted.unit)
        for name in CASE_COUNTS:
            setattr(t, name, getattr(t, name) + (getattr(counted, name) or 0))
    for notice in notices:
        of(notice.unit).notices += 1
    for record in accountability:
        t = of(record.unit)
        t.accountability += 1
        if record.measure in veto:
            t.vetoed_by.append(record.measure)
    return tallies


def score(t: UnitTally, scheme: Scheme) -> float:
    """Weighted rates minus deductions for notices and accountability (capped), within 0..100.

    A rate with nothing to measure counts as zero: a unit that closed nothing
    must not score better on timeliness and satisfaction than one that did.
    """
    rates = {"closure": t.closure_rate, "timeliness": t.on_time_rate, "satisfaction": t.satisfaction_rate}
    weighted = sum(getattr(scheme, name) * (rate or 0.0) for name, rate in rates.items())
    deductions = scheme.per_notice * t.notices + scheme.per_accountability * t.accountability
    return round(max(0.0, min(100.0, weighted - min(deductions, scheme.cap))), 2)


def rank(tallies: dict[str, UnitTally], scheme: Scheme) -> list[dict]:
    """Townships and county departments with cases due, ranked separately (see ``ranked``). A unit with nothing
    due has nothing to score: it is listed apart (``without_cases``), not ranked last with a 0."""
    with_cases = [t for t in tallies.values() if t.due]
    for t in with_cases:
        t.score = score(t, scheme)
    return ranked([scorecard(t, 0) for t in with_cases])


def without_cases(tallies: dict[str, UnitTally], unit_kinds: dict[str, str]) -> list[dict]:
    """Every unit of the county with no case due in the period, in the directory's order: the cases it received
    (none yet due), and the notices and accountability it may still have had."""
    idle = [tallies.get(unit) or UnitTally(unit, kind) for unit, kind in unit_kinds.items()]
    return [{"unit": t.unit, "unit_kind": t.unit_kind, "cases": t.received, "notices": t.notices,
             "accountability": t.accountability, "vetoed_by": sorted(set(t.vetoed_by))}
            for t in idle if not t.due]


def ranked(cards: list[dict]) -> list[dict]:
    """Rank scorecards, townships and departments apart.

    Ties are broken by the higher closure rate, then more cases received, then the unit code; a unit
    under one-vote veto (一票否决) ranks after every unit that is not, whatever its score.
    """
    result = []
    for kind in ("township", "department"):
        group = sorted((c for c in cards if c["unit_kind"] == kind),
                       key=lambda c: (bool(c.get("vetoed_by")), -c["score"], -(c["closure_rate"] or 0),
                                      -c["cases"], c["unit"]))
        result += [{**c, "rank": position} for position, c in enumerate(group, start=1)]
    return result


def scorecard(t: UnitTally, rank_: int) -> dict:
    return {
        "unit": t.unit, "unit_kind": t.unit_kind, "score": t.score, "rank": rank_, "cases": t.received,
        "due": t.due, "closed": t.closed, "closed_on_time": t.closed_on_time, "overdue": t.overdue,
        "reopened": t.reopened,
        "notices": t.notices, "accountability": t.accountability, "vetoed_by": sorted(set(t.vetoed_by)),
        "closure_rate": t.closure_rate, "on_time_rate": t.on_time_rate, "response_rate": t.response_rate,
        "resolution_rate": t.resolution_rate, "satisfaction_rate": t.satisfaction_rate,
    }


def county(tallies: dict[str, UnitTally]) -> dict:
    """The county's own figures for the period: every unit's cases, notices and accountability added up (units
    with no case due included), each rate over the sums, never an average of the units' rates."""
    whole = UnitTally("county", "county")
    for t in tallies.values():
        for name in (*CASE_COUNTS, "notices", "accountability"):
            setattr(whole, name, getattr(whole, name) + getattr(t, name))
    counts = {name: getattr(whole, name) for name in CASE_COUNTS if name != "received"}
    return {"cases": whole.received, **counts, "notices": whole.notices, "accountability": whole.accountability,
            **{name: getattr(whole, name) for name in COUNTY_RATES}}


COUNTY_RATES = ("closure_rate", "on_time_rate", "callback_rate", "response_rate", "resolution_rate",
                "satisfaction_rate")
