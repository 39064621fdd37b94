"""Who must solve a report, and by when: pure rules over the county directory."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lianxin.directory import Directory

NATIONAL_LIMIT_DAYS = 60  # 信访工作条例 Art. 34: conclude within 60 days


@dataclass(frozen=True)
class Route:
    unit: str
    unit_kind: str
    severity: str
    reason: str


def route(directory: Directory, category: str, township: str | None, people_count: int, group_size: int) -> Route:
    entry = directory.category_by_code.get(category) or directory.category_by_code["other"]
    severity = "major" if entry.severity == "major" or people_count >= group_size else "general"
    why_major = f"; {people_count} people involved, handled as major" if people_count >= group_size else ""
    if entry.route == "township" and township in directory.township_by_code:
        name = directory.township_by_code[township].name
        return Route(township, "township", severity, f"{entry.name} is a local matter: {name}{why_major}")
    department = directory.units[entry.department]
    reason = f"{entry.name} is a sectoral matter: {department.name}" if entry.route == "department" else \
        f"{entry.name}: no township known, sent to {department.name}"
    return Route(entry.department, "department", severity, reason + why_major)


def deadline(received_at: datetime, severity: str, days: dict[str, int]) -> datetime:
    return received_at + timedelta(days=min(days[severity], NATIONAL_LIMIT_DAYS))
