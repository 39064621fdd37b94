"""The dashboard: today's figures per unit, the last fortnight's trend and a map of the open cases.

Counted here from dispatch's own list (open cases, and every case received in the last 60 days, the longest a
case may run): dispatch has no per-day tally to ask, and a county's cases are a few thousand at most.
Every figure links to the board with the filter that lists its cases.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lianxin.auth import Staff
from lianxin.directory import Directory
from lianxin.http import MAX_PAGE
from lianxin.vocabulary import COUNTY_TIME

from .actions import may
from .backend import Backend
from .pages import county_now, day_start, urgency

TREND_DAYS = 14
LOOKBACK_DAYS = 60  # the national limit on a case's time: an older case received is closed or overdue
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 640, 440, 40


def _all(api: Backend, **query) -> list[dict]:
    rows, number = [], 1
    while True:
        found = api.get("dispatch", "/cases", **query, page=number, limit=MAX_PAGE)["cases"]
        rows += found
        if len(found) < MAX_PAGE:
            return rows
        number += 1


def _day(moment: str | None) -> date | None:
    return datetime.fromisoformat(moment).astimezone(COUNTY_TIME).date() if moment else None


def figures(api: Backend, staff: Staff, directory: Directory) -> dict:
    today, now = county_now().date(), county_now()
    recent = _all(api, sort="received_at", received_from=day_start(today - timedelta(days=LOOKBACK_DAYS)))
    open_cases = _all(api, open="true", sort="received_at")
    for case in open_cases:
        case["urgency"] = urgency(case, now)
    per_unit: dict[str, Counter] = {}

    def count(unit: str, what: str) -> None:
        per_unit.setdefault(unit, Counter())[what] += 1

    for case in recent:
        if _day(case["received_at"]) == today:
            count(case["unit"], "new")
        if _day(case["dispatched_at"]) == today:
            count(case["unit"], "dispatched")
        if _day(case["closed_at"]) == today:
            count(case["unit"], "closed")
    for case in open_cases:
        count(case["unit"], "open")
        if case["urgency"] == "overdue":
            count(case["unit"], "overdue")
        if case["state"] == "reported":
            count(case["unit"], "awaiting_callback")
    totals = sum(per_unit.values(), Counter())
    return {"today": today.isoformat(), "totals": totals,
            "units": sorted(per_unit.items(), key=lambda item: (-item[1]["open"], item[0])),
            "trend": trend(recent, today), "map": township_map(api, staff, directory, open_cases, today)}


def trend(recent: list[dict], today: date) -> list[dict]:
    """New and closed cases a day over the last fortnight, with the bars' heights (0..1)."""
    days = [today - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    new = Counter(_day(c["received_at"]) for c in recent)
    closed = Counter(_day(c["closed_at"]) for c in recent if c["closed_at"])
    top = max([1, *(new[d] for d in days), *(closed[d] for d in days)])
    return [{"day": d.isoformat(), "new": new[d], "closed": closed[d], "new_height": new[d] / top,
             "closed_height": closed[d] / top} for d in days]


@dataclass(frozen=True)
class Projection:
    """Latitude and longitude onto the map's drawing (equirectangular: a county is small)."""
    south: float
    north: float
    west: float
    east: float

    def xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        span_x, span_y = max(self.east - self.west, 1e-6), max(self.north - self.south, 1e-6)
        scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)
        return (round(MAP_MARGIN + (longitude - self.west) * scale, 1),
                round(MAP_HEIGHT - MAP_MARGIN - (latitude - self.south) * scale, 1))


def township_map(api: Backend, staff: Staff, directory: Directory, open_cases: list[dict], today: date) -> dict:
    """Each township with coordinates in the county file as a circle sized by its open cases, and the last
    fortnight's reports that carry coordinates (those the person may read) as points."""
    placed = [t for t in directory.townships if t.latitude is not None]
    if not placed:
        return {"townships": [], "points": [], "width": MAP_WIDTH, "height": MAP_HEIGHT}
    reports = _located_reports(api, staff, today)
    lats = [t.latitude for t in placed] + [r["latitude"] for r in reports]
    longs = [t.longitude for t in placed] + [r["longitude"] for r in reports]
    projection = Projection(min(lats), max(lats), min(longs), max(longs))
    open_by = Counter(c["township"] for c in open_cases)
    top = max([1, *open_by.values()])
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT,
            "townships": [{"code": t.code, "name": t.name, "open": open_by[t.code],
                           "radius": round(6 + 24 * (open_by[t.code] / top) ** 0.5, 1),
                           "xy": projection.xy(t.latitude, t.longitude)} for t in placed],
            "points": [{"report_id": r["report_id"], "case_id": r.get("case_id"),
                        "xy": projection.xy(r["latitude"], r["longitude"])} for r in reports]}


def _located_reports(api: Backend, staff: Staff, today: date) -> list[dict]:
    if not may(staff, "intake", "GET", "/reports"):
        return []
    found = api.get("intake", "/reports", received_from=day_start(today - timedelta(days=TREND_DAYS)),
                    limit=MAX_PAGE)["reports"]
    return [r for r in found if r.get("latitude") is not None]
