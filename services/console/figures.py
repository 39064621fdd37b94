"""The office's figures for a period (a year, quarter or month, as scoring names periods), for the leaders'
page and the printed document. Every number comes from a service: cases from dispatch's list, instructed
cases from dispatch's statistics, rates from scoring's scorecards, reviews, notices and accountability from
supervision, penalties and awards from scoring's year-end assessment (and the period's published assessments,
to print). Each carries the board's filter that lists the cases behind it.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

from lianxin.errors import Invalid
from lianxin.i18n import N_

from .backend import Backend
from .dashboard import _all
from .pages import _or_none, day_start, published

PERIOD = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?")


def bounds(period: str) -> tuple[date, date]:
    """The first day of ``period`` and the first day after it."""
    matched = PERIOD.fullmatch(period)
    if not matched:
        raise Invalid(N_("a period is a year (2026), a quarter (2026-Q3) or a month (2026-11)"))
    year, month, quarter = int(matched[1]), matched[2], matched[3]
    first = int(month) if month else (3 * int(quarter) - 2 if quarter else 1)
    months = 1 if month else (3 if quarter else 12)
    after = first + months
    return date(year, first, 1), date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1)


def _in(moment: str, start: date, end: date) -> bool:
    return datetime.fromisoformat(day_start(start)) <= datetime.fromisoformat(moment) < datetime.fromisoformat(
        day_start(end))


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def office_figures(api: Backend, period: str) -> dict:
    start, end = bounds(period)
    window = {"received_from": day_start(start), "received_to": day_start(end)}
    last = date.fromordinal(end.toordinal() - 1)
    board = {"from": start.isoformat(), "to": last.isoformat(), "closed": "true"}
    cases = _all(api, sort="received_at", **window)
    scores = api.get("scoring", "/rankings", period=period)["scores"]
    supervised = api.get("supervision", "/board", **{"from": day_start(start), "to": day_start(end)})
    reviews = [r for r in api.every("supervision", "/reviews", "reviews") if _in(r["opened_at"], start, end)]
    return {
        "period": period, "start": start, "last": last, "board": board, "received": len(cases),
        "closed": sum(c["state"] == "closed" for c in cases),
        "by_channel": Counter(c["channel"] for c in cases).most_common(),
        "by_category": Counter(c["category"] for c in cases).most_common(),
        "instructions": api.get("dispatch", "/statistics/instructions",
                                **{"from": day_start(start), "to": day_start(end)}),
        "rates": county_rates(scores),
        "reviews": {"opened": len(reviews), "outcomes": Counter(r["outcome"] or "open" for r in reviews),
                    "cases": sorted({r["case_id"] for r in reviews})},
        "notices": sorted(supervised["notices_by_unit"].items(), key=lambda item: -item[1]),
        "accountability": sorted(supervised["accountability_by_unit"].items(), key=lambda item: -item[1]),
        "outcomes": _or_none(lambda: api.get("scoring", f"/outcomes/{period[:4]}")),
        "published": published(api, period),
    }


def county_rates(scores: list[dict]) -> dict:
    """The county's rates from its units' scorecards: on time from the counts; callback and satisfaction,
    which scoring gives per unit only, weighted by each unit's closed cases."""
    closed = sum(s["closed"] for s in scores)

    def weighted(name: str) -> float | None:
        counted = [(s[name], s["closed"]) for s in scores if s[name] is not None and s["closed"]]
        weight = sum(w for _, w in counted)
        return round(sum(r * w for r, w in counted) / weight, 2) if weight else None

    return {"cases": sum(s["cases"] for s in scores), "closed": closed,
            "on_time": rate(sum(s["closed_on_time"] for s in scores), closed),
            "callback": weighted("response_rate"), "satisfaction": weighted("satisfaction_rate")}
