"""Early signs (抓苗头): group petitions, surges and recurring issues, raised at once.

Each rule looks at the report just taken in and at what came before it; an
alert is stored, published as ``alert.raised`` with the reports as evidence,
and raised once per window for the same subject or place. In sensitive
periods the thresholds are lowered.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory
from lianxin.events import AlertRaised

from .models import Alert, Report, report_number

COUNTY_TIME = ZoneInfo("Asia/Shanghai")
MAX_EVIDENCE = 200  # report numbers an alert carries


def in_sensitive_period(at: datetime, rules: dict) -> bool:
    day = at.astimezone(COUNTY_TIME).date().isoformat()
    return any(start <= day <= end for start, end in rules["sensitive_periods"])


def threshold(value: int, at: datetime, rules: dict) -> int:
    return max(2, math.ceil(value * rules["sensitive_factor"])) if in_sensitive_period(at, rules) else value


def check(uow: UnitOfWork, directory: Directory, report: Report, rules: dict) -> list[Alert]:
    """Raise whatever alerts this report sets off."""
    raised = [_group_petition(uow, directory, report, rules),
              _surge(uow, directory, report, rules, "category", report.category),
              _surge(uow, directory, report, rules, "township", report.township),
              _recurring(uow, directory, report, rules)]
    return [alert for alert in raised if alert is not None]


def _group_petition(uow, directory, report, rules) -> Alert | None:
    size = threshold(rules["group_size"], report.received_at, rules)
    if not report.gathering and report.people_count < size:
        return None
    what = "are gathering to petition" if report.gathering else "are involved"
    message = (f"{report.people_count} people {what} about {_category(directory, report.category)} in "
               f"{_place(directory, report.township)}: leaders to have a plan within the hour")
    return _raise(uow, "group_petition", f"group:{report.id}", message, report, [report.report_id])


def _surge(uow, directory, report, rules, field, value) -> Alert | None:
    if value is None:
        return None
    window = timedelta(minutes=rules["surge_window_minutes"])
    key = f"surge:{field}:{value}"
    count = _count_unraised(uow, key, field, {field: value}, report.received_at, window)
    if count < threshold(rules["surge_threshold"], report.received_at, rules):
        return None
    about = _category(directory, value) if field == "category" else _place(directory, value)
    message = f"surge: {count} reports about {about} within {rules['surge_window_minutes']} minutes"
    return _raise(uow, "surge", key, message, report, _evidence(uow, field, {field: value}, report.received_at,
                                                                 window))


def _recurring(uow, directory, report, rules) -> Alert | None:
    if report.township is None:
        return None
    window = timedelta(days=rules["recurring_window_days"])
    key = f"recurring:{report.category}:{report.township}"
    values = {"category": report.category, "township": report.township}
    count = _count_unraised(uow, key, "both", values, report.received_at, window)
    if count < threshold(rules["recurring_threshold"], report.received_at, rules):
        return None
    message = (f"recurring issue: {count} reports about {_category(directory, report.category)} in "
               f"{_place(directory, report.township)} within {rules['recurring_window_days']} days; "
               f"plan for it as one pattern")
    return _raise(uow, "recurring_issue", key, message, report,
                  _evidence(uow, "both", values, report.received_at, window))


# Statements built once: every report taken in runs them, and building SQL costs more than running it.
_SAME = {"category": Report.category == bindparam("category"),
         "township": Report.township == bindparam("township"),
         "both": (Report.category == bindparam("category")) & (Report.township == bindparam("township"))}
_IN_WINDOW = (Report.received_at > bindparam("since")) & (Report.received_at <= bindparam("until"))
COUNTS = {kind: select(func.count()).select_from(Report).where(same, _IN_WINDOW) for kind, same in _SAME.items()}
EVIDENCE = {kind: select(Report.id).where(same, _IN_WINDOW).order_by(Report.id).limit(MAX_EVIDENCE)
            for kind, same in _SAME.items()}
RAISED_SINCE = select(func.count()).select_from(Alert).where(Alert.key == bindparam("key"),
                                                             Alert.raised_at > bindparam("since"))


def _count_unraised(uow, key: str, kind: str, values: dict, until: datetime, window: timedelta) -> int:
    """How many reports match in the window; 0 when this alert was raised in the window already.

    Both are indexed counts: taking in a report must stay cheap however many came before it.
    """
    if uow.session.execute(RAISED_SINCE, {"key": key, "since": until - window}).scalar():
        return 0
    return uow.session.execute(COUNTS[kind], {**values, "since": until - window, "until": until}).scalar()


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


def _category(directory: Directory, code: str) -> str:
    entry = directory.category_by_code.get(code)
    return entry.name if entry else code


def _place(directory: Directory, code: str | None) -> str:
    return directory.township_by_code[code].name if code in directory.township_by_code else "an unknown place"
