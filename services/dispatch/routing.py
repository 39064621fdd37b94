"""Who must solve a report, and by when: pure rules over the county directory."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lianxin.directory import Directory
from lianxin.i18n.kept_texts import Part, kept, part
from lianxin.vocabulary import COUNTY_TIME

NATIONAL_LIMIT_DAYS = 60  # 信访工作条例 Art. 34: conclude within 60 days
MAX_EXTENSION_DAYS = 30  # Art. 34: extend once, by at most 30 days
ASSIGN_WITHIN_DAYS = 15  # Art. 22: register and assign within 15 days


@dataclass(frozen=True)
class Route:
    unit: str
    unit_kind: str
    severity: str
    reason: str  # kept as codes (lianxin.i18n.kept_texts), said by texts.read


def route(directory: Directory, category: str, township: str | None, people_count: int, group_size: int) -> Route:
    entry = directory.category_by_code.get(category) or directory.category_by_code["other"]
    severity = "major" if entry.severity == "major" or people_count >= group_size else "general"
    why_major = part("major_by_size", people=people_count) if people_count >= group_size else None
    if entry.route == "township" and township in directory.township_by_code:
        return Route(township, "township", severity,
                     kept(part("local_matter", category=entry.code, township=township), why_major))
    why = "sectoral_matter" if entry.route == "department" else "no_township"
    return Route(entry.department, "department", severity,
                 kept(part(why, category=entry.code, unit=entry.department), why_major))


def deadline(start: datetime, severity: str, rules: dict) -> datetime:
    """When a case handed out at ``start`` must be concluded: the county's days for its severity, in
    calendar or working days, never beyond the national 60."""
    days = min(rules[severity], NATIONAL_LIMIT_DAYS)
    if not rules.get("working_days"):
        return start + timedelta(days=days)
    return add_working_days(start, days, set(rules.get("holidays", ())))


def add_working_days(start: datetime, days: int, holidays: set[str]) -> datetime:
    """``days`` working days after ``start`` (Monday to Friday, not a holiday), at the same time of day."""
    moment, counted = start, 0
    while counted < days:
        moment += timedelta(days=1)
        local = moment.astimezone(COUNTY_TIME).date()
        if local.weekday() < 5 and local.isoformat() not in holidays:
            counted += 1
    return moment


def latest_conclusion(received_at: datetime, extension_days: int | None) -> datetime:
    """The national outer limit: concluded within 60 days, plus the one extension of at most 30."""
    return received_at + timedelta(days=NATIONAL_LIMIT_DAYS + min(extension_days or 0, MAX_EXTENSION_DAYS))


def late_assignment(received_at: datetime, dispatched_at: datetime) -> Part | None:
    """A note when a report is assigned later than the national 15 days after it came in."""
    days = (dispatched_at - received_at).days
    return part("late_assignment", days=days) if days > ASSIGN_WITHIN_DAYS else None
