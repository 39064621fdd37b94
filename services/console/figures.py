"""The office's figures for a period (a year, quarter or month, as scoring names periods), for the leaders'
page and the printed document. Every number comes from a service: reports from intake's list, the cases they
opened from dispatch's, instructed cases from dispatch's statistics, the county's rates from scoring's own
county figures (never an average of the units' rates), reviews, notices and accountability from supervision's
lists, penalties and awards from scoring's year-end assessment (and the period's published assessments, to
print). Each carries the board's filter, or the cases, behind it.

The page counts the whole county, so it is offered to the roles that read the whole county's reports and
cases (``offered``): a unit's people read their own unit's cases only, and their own figures on its scorecard.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

from lianxin.auth import Staff
from lianxin.errors import Invalid
from lianxin.i18n import N_, translations
from lianxin.vocabulary import UNITS

from .actions import may
from .backend import Backend, BackendError
from .dashboard import _all
from .pages import _or_none, day_start, published

PERIOD = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?")
# what the page reads: a role must be let into each (the permission matrix, lianxin.permissions)
READS = (("intake", "GET", "/reports"), ("dispatch", "GET", "/cases"),
         ("dispatch", "GET", "/statistics/instructions"), ("scoring", "GET", "/rankings"),
         ("supervision", "GET", "/reviews"), ("supervision", "GET", "/notices"),
         ("supervision", "GET", "/accountability"))
LEVELS = ("city", "county")  # of the leaders who instruct cases
NOT_OFFERED = N_("The office in figures counts the whole county's reports and cases, which your role does not read.")


def offered(staff: Staff | None) -> bool:
    """Whether ``staff`` may open the county's figures: every list it reads whole, so not a unit's people
    (their lists hold their own unit's cases, which beside the county's rates would mislead)."""
    return staff is not None and staff.role not in UNITS and all(may(staff, *route) for route in READS)


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


def office_figures(api: Backend, period: str, staff: Staff | None = None) -> dict:
    """The county's figures for ``period``; refused to a role the page is not offered to."""
    if staff is not None and not offered(staff):
        raise BackendError("console", 403, "forbidden", translations(api.lang).gettext(NOT_OFFERED))
    start, end = bounds(period)
    last = date.fromordinal(end.toordinal() - 1)
    between = {"from": day_start(start), "to": day_start(end)}
    cases = _all(api, sort="received_at", received_from=day_start(start), received_to=day_start(end))
    reports = api.every("intake", "/reports", "reports", received_from=day_start(start), received_to=day_start(end))
    county = api.get("scoring", "/rankings", period=period)["county"]
    reviews = [r for r in api.every("supervision", "/reviews", "reviews") if _in(r["opened_at"], start, end)]
    return {
        "period": period, "start": start, "last": last,
        "board": {"from": start.isoformat(), "to": last.isoformat(), "closed": "true"},
        "reports": len(reports), "repeats": sum(r["status"] == "linked" for r in reports),  # joined a case
        "received": len(cases), "closed": sum(c["state"] == "closed" for c in cases),
        "by_channel": side_by_side(reports, cases, "channel"),
        "by_category": side_by_side(reports, cases, "category"),
        "instructions": api.get("dispatch", "/statistics/instructions", **between),
        "instructed": instructed(api, start, end),
        "rates": county_rates(county),
        "reviews": {"opened": len(reviews), "outcomes": Counter(r["outcome"] or "open" for r in reviews),
                    "cases": sorted({r["case_id"] for r in reviews})},
        "held": held_to_account(api.every("supervision", "/notices", "notices", **between),
                                api.every("supervision", "/accountability", "accountability", **between)),
        "outcomes": _or_none(lambda: api.get("scoring", f"/outcomes/{period[:4]}")),
        "published": published(api, period),
    }


def side_by_side(reports: list[dict], cases: list[dict], field: str) -> list[tuple[str, int, int]]:
    """Reports received and the cases opened, by ``field`` (channel or category), most reported first: a repeat
    is a report of its own but joins the case already open."""
    reported, opened = Counter(r[field] for r in reports), Counter(c[field] for c in cases)
    return [(code, n, opened[code]) for code, n in (reported + Counter(dict.fromkeys(opened, 0))).most_common()]


def instructed(api: Backend, start: date, end: date) -> dict:
    """The cases leaders instructed in the period, as dispatch's statistics count them (an instruction given in
    the period, whenever the case came in), and those of them closed: what the instructed figures link to."""
    found = {case["case_id"]: case for level in LEVELS for case in _all(api, level=level)
             if any(_in(i["instructed_at"], start, end) for i in case["instructions"])}
    return {"cases": sorted(found), "closed": sorted(c for c, case in found.items() if case["state"] == "closed")}


def county_rates(county: dict) -> list[dict]:
    """The county's rates as scoring counts them over the whole county's cases (its ``county`` figures): each
    with what it counts and what it counts over, and which of the two is the period's closed cases, which that
    figure links to (the board lists no cases due; where neither is, the rate itself links to them). Closure
    counts the cases due (应办结); on time and callback the closed cases; satisfaction the callbacks that reached
    the petitioner."""
    def row(rate, label, part, whole, over, closed_are):
        return {"rate": rate, "label": label, "part": county[part], "whole": county[whole], "over": over,
                "value": county[f"{rate}_rate"], "closed_are": closed_are}

    return [row("closure", N_("Closure rate"), "closed", "due", N_("cases due"), "part"),
            row("on_time", N_("closed on time"), "closed_on_time", "closed", N_("cases closed"), "whole"),
            row("callback", N_("petitioner reached at callback"), "called_back", "closed", N_("cases closed"), "whole"),
            row("satisfaction", N_("satisfied"), "satisfied", "answered", N_("callbacks that reached the petitioner"),
                None)]  # callbacks, not cases: the rate links to the closed cases they were mostly made on


def held_to_account(notices: list[dict], records: list[dict]) -> list[dict]:
    """Each unit noticed or held to account in the period (either alone is enough to be listed), with the cases
    its notices and accountability records name, most notices first."""
    units: dict[str, dict] = {}

    def unit(code: str) -> dict:
        return units.setdefault(code, {"unit": code, "notices": 0, "accountability": 0, "noticed_cases": set(),
                                       "held_cases": set()})

    for n in notices:
        unit(n["unit"])["notices"] += 1
        unit(n["unit"])["noticed_cases"].update(n.get("evidence") or [])
    for a in records:
        unit(a["unit"])["accountability"] += 1
        if a.get("case_id"):
            unit(a["unit"])["held_cases"].add(a["case_id"])
    listed = [{**u, "noticed_cases": sorted(u["noticed_cases"]), "held_cases": sorted(u["held_cases"])}
              for u in units.values()]
    return sorted(listed, key=lambda u: (-u["notices"], -u["accountability"], u["unit"]))
