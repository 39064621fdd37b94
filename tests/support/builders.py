"""What the fast use-case tests hand a service's worker or a page: a staff member's request, an event it
consumes, a signed-in staff member."""
from datetime import datetime, timezone

from werkzeug.test import EnvironBuilder

from lianxin.auth import Staff
from lianxin.events import new_event

DISPATCH_CONFIG = {"DEADLINES": {"general": 7, "major": 14}, "GROUP_SIZE": 5, "NEAR_DEADLINE_HOURS": 24}


def request(body, as_staff="chengguan-handler"):
    return EnvironBuilder(method="POST", json=body, headers={"Authorization": f"Bearer dev-{as_staff}"}).get_request()


def report_received(report_id="R00000042", **data):
    return new_event("report.received", report_id, {
        "report_id": report_id, "channel": "visit", "category": "land-dispute", "township": "chengguan",
        "content": "承包地被占", "people_count": 1, "received_at": datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc),
        "received_by": {"role": "leader", "code": "li-secretary"}, **data})


def staff(role: str, unit: str | None = None) -> Staff:
    """Someone of ``role`` (and unit) as the console knows a signed-in person; no token of theirs is real."""
    return Staff(code=f"a-{role}", role=role, unit=unit, token_sha256="0" * 64)
