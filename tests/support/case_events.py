"""One case's events as dispatch publishes them (C00000001 of R00000001, handled by chengguan), for the
read models that consume them: a named petitioner, someone to call back (an anonymous case closes otherwise:
test_anonymous_cases)."""
from datetime import datetime, timedelta, timezone

from lianxin.events import new_event

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
DEADLINE = T0 + timedelta(days=7)
PETITIONER, PETITIONER_MARK = "P0123456789abcdef0123", "0123456789abcdef0123456789abcdef"


def dispatched(round_=0, redispatch=False, at=T0):
    return new_event("case.dispatched", "C00000001", {
        "case_id": "C00000001", "report_id": "R00000001", "unit": "chengguan", "unit_kind": "township",
        "category": "drinking-water", "township": "chengguan", "severity": "general",
        "deadline": at + timedelta(days=7), "routing_reason": "local", "received_at": T0, "dispatched_at": at,
        "redispatch": redispatch, "round": round_, "reporter_id": PETITIONER})


def reported(round_=0, at=T0 + timedelta(days=2)):
    return new_event("case.reported", "C00000001", {
        "case_id": "C00000001", "report_id": "R00000001", "unit": "chengguan", "finding": "substantiated",
        "actions_taken": "已修好破裂的水管并恢复供水", "responsible_person": "刘", "unit_head": "陈", "reported_at": at,
        "deadline": DEADLINE + timedelta(days=10 * round_), "on_time": True, "round": round_,
        "reporter_marks": [PETITIONER_MARK]})
