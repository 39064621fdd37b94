"""Dispatch's case board reads from the recent end: newest first, each next page older (issue 20: the last
days of a county's history are what the office reads, and what an index on received_at finds at once)."""
from __future__ import annotations

import pytest

from tests.support.reports import case_of, distinct_reports
from tests.support.waiting import eventually


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_board_lists_newest_first_and_pages_on_to_older_cases(office):
    case_ids = []
    for report in distinct_reports(3):  # one after another, so their order is known
        with office.client("intake") as intake:
            report_id = intake.post("/reports", json=report).json()["report_id"]
        case_ids.append(eventually(lambda r=report_id: case_of(office, r))["case_id"])
    with office.client("dispatch") as dispatch:
        first = dispatch.get("/cases", params={"limit": 2}).json()
        second = dispatch.get("/cases", params={"limit": 2, "after": first["next_after"]}).json()
        numbered = dispatch.get("/cases", params={"limit": 2, "page": 2}).json()
        since = dispatch.get("/cases", params={"received_from": "2020-01-01T00:00:00+08:00"}).json()
    assert [c["case_id"] for c in first["cases"]] == case_ids[:0:-1]
    assert [c["case_id"] for c in second["cases"]] == case_ids[:1] and second["next_after"] is None
    assert [c["case_id"] for c in numbered["cases"]] == case_ids[:1]  # page numbers keep the same order
    assert [c["case_id"] for c in since["cases"]] == case_ids[::-1]
