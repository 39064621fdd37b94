"""The dashboard: today's figures per unit, the last fortnight's trend and a map of the open cases.

Dispatch counts them (``GET /statistics/days``: per unit and county day, and what is open per unit and
township), so the page costs a few grouped queries however many cases the county has. Every figure links to
the board with the filter that lists its cases.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from lianxin.auth import Staff
from lianxin.directory import Directory
from lianxin.http import MAX_PAGE

from .actions import may
from .backend import Backend
from .pages import county_now, day_start

TREND_DAYS = 14
MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 640, 440, 40
MOVES = ("new", "dispatched", "closed")  # counted per day; the rest are counted now
NOW = ("open", "overdue", "awaiting_callback")


def _all(api: Backend, **query) -> list[dict]:
    """Every case of dispatch's list that matches (the office in figures reads them so)."""
    rows, number = [], 1
    while True:
        found = api.get("dispatch", "/cases", **query, page=number, limit=MAX_PAGE)["cases"]
        rows += found
        if len(found) < MAX_PAGE:
            return rows
        number += 1


def figures(api: Backend, staff: Staff, directory: Directory) -> dict:
    today = county_now().date()
    counted = api.get("dispatch", "/statistics/days", **{"from": today - timedelta(days=TREND_DAYS - 1), "to": today})
    per_unit: dict[str, Counter] = {}
    for row in counted["days"]:
        if row["day"] == today.isoformat():
            per_unit.setdefault(row["unit"], Counter()).update({m: row[m] for m in MOVES})
    for row in counted["open"]:
        per_unit.setdefault(row["unit"], Counter()).update({m: row[m] for m in NOW})
    totals = sum(per_unit.values(), Counter())
    return {"today": today.isoformat(), "totals": totals,
            "units": sorted(per_unit.items(), key=lambda item: (-item[1]["open"], item[0])),
            "trend": trend(counted["days"], today),
            "map": township_map(api, staff, directory, {t["township"]: t["open"] for t in counted["townships"]},
                                today)}


def trend(days: list[dict], today: date) -> list[dict]:
    """New and closed cases a day over the last fortnight, with the bars' heights (0..1)."""
    shown = [today - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    new, closed = Counter(), Counter()
    for row in days:
        new[row["day"]] += row["new"]
        closed[row["day"]] += row["closed"]
    top = max([1, *new.values(), *closed.values()])
    return [{"day": d.isoformat(), "new": new[d.isoformat()], "closed": closed[d.isoformat()],
             "new_height": new[d.isoformat()] / top, "closed_height": closed[d.isoformat()] / top} for d in shown]


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


def township_map(api: Backend, staff: Staff, directory: Directory, open_by: dict[str, int], today: date) -> dict:
    """Each township with coordinates in the county file as a circle sized by its open cases, and the last
    fortnight's reports that carry coordinates (those the person may read) as points."""
    placed = [t for t in directory.townships if t.latitude is not None]
    if not placed:
        return {"townships": [], "points": [], "width": MAP_WIDTH, "height": MAP_HEIGHT}
    reports = _located_reports(api, staff, today)
    lats = [t.latitude for t in placed] + [r["latitude"] for r in reports]
    longs = [t.longitude for t in placed] + [r["longitude"] for r in reports]
    projection = Projection(min(lats), max(lats), min(longs), max(longs))
    top = max([1, *open_by.values()])
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT,
            "townships": [{"code": t.code, "name": t.name, "open": open_by.get(t.code, 0),
                           "radius": round(6 + 24 * (open_by.get(t.code, 0) / top) ** 0.5, 1),
                           "xy": projection.xy(t.latitude, t.longitude)} for t in placed],
            "points": [{"report_id": r["report_id"], "case_id": r.get("case_id"),
                        "xy": projection.xy(r["latitude"], r["longitude"])} for r in reports]}


def _located_reports(api: Backend, staff: Staff, today: date) -> list[dict]:
    if not may(staff, "intake", "GET", "/reports"):
        return []
    found = api.get("intake", "/reports", received_from=day_start(today - timedelta(days=TREND_DAYS)),
                    limit=MAX_PAGE)["reports"]
    return [r for r in found if r.get("latitude") is not None]
