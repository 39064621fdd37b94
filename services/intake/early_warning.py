"""Early signs (抓苗头): group petitions, raised at once, surges and recurring issues, moments after.

A group petition is told by the report alone and raised as it is taken in. Surges and recurring issues
count what came before the report: they follow from intake's own ``report.received`` (batched), so the
citizen's answer never waits for those queries. An alert is stored,
published as ``alert.raised`` with the reports as evidence, and raised once per window for the same
subject or place. In sensitive periods the thresholds are lowered.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, exists, func, select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory
from lianxin.events import AlertRaised, ReportReceived
from lianxin.i18n.kept_texts import kept, part
from lianxin.vocabulary import COUNTY_TIME

from .models import Alert, Report, report_number

MAX_EVIDENCE = 200  # report numbers an alert carries


def in_sensitive_period(at: datetime, rules: dict) -> bool:
    day = at.astimezone(COUNTY_TIME).date().isoformat()
    return any(start <= day <= end for start, end in rules["sensitive_periods"])


def threshold(value: int, at: datetime, rules: dict) -> int:
    return max(2, math.ceil(value * rules["sensitive_factor"])) if in_sensitive_period(at, rules) else value


def at_take_in(uow: UnitOfWork, directory: Directory, report: Report, rules: dict) -> Alert | None:
    """A group petition, told by the report alone (no query): raised with the report, so the operator's
    confirmation shows it at once and the people at the gate are met within the hour."""
    return _group_petition(uow, directory, report, rules)


def check(uow: UnitOfWork, directory: Directory, report: ReportReceived, rules: dict) -> list[Alert]:
    """Raise the alerts that count what came before this report (its event carries all the rules read)."""
    counts = _window_counts(uow, report, rules)
    raised = [_surge(uow, directory, report, rules, "category", report.category, counts),
              _surge(uow, directory, report, rules, "township", report.township, counts),
              _recurring(uow, directory, report, rules, counts)]
    return [alert for alert in raised if alert is not None]


def is_group(gathering: bool, people_count: int, at: datetime, rules: dict) -> bool:
    """A group's matter: people gathering, or as many involved as the group size (fewer in a sensitive period)."""
    return gathering or people_count >= threshold(rules["group_size"], at, rules)


def _group_petition(uow, directory, report, rules) -> Alert | None:
    if not is_group(report.gathering, report.people_count, report.received_at, rules):
        return None
    what = "gathering" if report.gathering else "group"
    if report.township in directory.township_by_code:
        said = part(what, people=report.people_count, category=report.category, township=report.township)
    else:
        said = part(f"{what}_unknown_place", people=report.people_count, category=report.category)
    message = kept(said)
    return _raise(uow, "group_petition", f"group:{report.id}", message, report, [report.report_id])


def _surge(uow, directory, report, rules, field, value, counts) -> Alert | None:
    if value is None:
        return None
    window = timedelta(minutes=rules["surge_window_minutes"])
    key = f"surge:{field}:{value}"
    count = counts[field]
    if count < threshold(rules["surge_threshold"], report.received_at, rules):
        return None
    message = kept(part(f"surge_{field}", count=count, minutes=rules["surge_window_minutes"], **{field: value}))
    return _raise(uow, "surge", key, message, report, _evidence(uow, field, {field: value}, report.received_at,
                                                                 window))


def _recurring(uow, directory, report, rules, counts) -> Alert | None:
    if report.township is None:
        return None
    window = timedelta(days=rules["recurring_window_days"])
    key = f"recurring:{report.category}:{report.township}"
    values = {"category": report.category, "township": report.township}
    count = counts["both"]
    if count < threshold(rules["recurring_threshold"], report.received_at, rules):
        return None
    message = kept(part("recurring", count=count, category=report.category, township=report.township,
                        days=rules["recurring_window_days"]))
    return _raise(uow, "recurring_issue", key, message, report,
                  _evidence(uow, "both", values, report.received_at, window))


# Statements built once: every report taken in runs them, and building SQL costs more than running it.
# Core columns, not ORM attributes: these only count, and the ORM's bookkeeping would cost more than the query.
REPORTS, ALERTS = Report.__table__.c, Alert.__table__.c
_SAME = {"category": REPORTS.category == bindparam("category"),
         "township": REPORTS.township == bindparam("township"),
         "both": (REPORTS.category == bindparam("category")) & (REPORTS.township == bindparam("township"))}
_WINDOW = {"category": "surge", "township": "surge", "both": "recurring"}


def _unraised_count(kind: str):
    """Reports matching in the window, or 0 when this alert was raised in the window already: both are
    indexed, so taking in a report stays cheap however many came before it."""
    since, key = bindparam(f"{_WINDOW[kind]}_since"), bindparam(f"{kind}_key")
    raised = exists().where(ALERTS.key == key, ALERTS.raised_at > since)
    matching = (select(func.count()).select_from(Report.__table__)
                .where(_SAME[kind], REPORTS.received_at > since, REPORTS.received_at <= bindparam("until")))
    return case((raised, 0), else_=matching.scalar_subquery()).label(kind)


WINDOW_COUNTS = select(*(_unraised_count(kind) for kind in _SAME))  # one round trip for the three rules
EVIDENCE = {kind: select(REPORTS.id).where(same, REPORTS.received_at > bindparam("since"),
                                           REPORTS.received_at <= bindparam("until"))
            .order_by(REPORTS.id).limit(MAX_EVIDENCE) for kind, same in _SAME.items()}


def _window_counts(uow, report: Report, rules: dict) -> dict[str, int]:
    at = report.received_at
    row = uow.session.execute(WINDOW_COUNTS, {
        "category": report.category, "township": report.township, "until": at,
        "surge_since": at - timedelta(minutes=rules["surge_window_minutes"]),
        "recurring_since": at - timedelta(days=rules["recurring_window_days"]),
        "category_key": f"surge:category:{report.category}", "township_key": f"surge:township:{report.township}",
        "both_key": f"recurring:{report.category}:{report.township}"}).one()
    return row._asdict()


def _evidence(uow, kind: str, values: dict, until: datetime, window: timedelta) -> list[str]:
    rows = uow.session.scalars(EVIDENCE[kind], {**values, "since": until - window, "until": until})
    return [report_number(pk) for pk in rows]


def _raise(uow, kind, key, message, report, evidence: list[str]) -> Alert:
    alert = Alert(kind=kind, key=key, message=message, township=report.township, category=report.category,
                  report_ids=evidence, raised_at=report.received_at)
    uow.session.add(alert)
    uow.session.flush()
    uow.emit("alert.raised", alert.alert_id, AlertRaised(
        alert_id=alert.alert_id, kind=kind, message=message, township=alert.township, category=alert.category,
        report_ids=alert.report_ids, raised_at=alert.raised_at))
    return alert
