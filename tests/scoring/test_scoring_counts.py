"""records.case_counts: what a unit's cases add up to, added up by the database (SQLite and PostgreSQL), what
was due (应办结) among them included."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from lianxin.db import Database
from services.scoring import records, service
from services.scoring.assessment import CASE_COUNTS
from services.scoring.models import CaseRecord

T0 = datetime(2026, 11, 10, 2, tzinfo=timezone.utc)


def a_case(n, unit, received=T0, accepted=True, closed=None, on_time=None, overdue=False, reopened=0,
           satisfied=0, dissatisfied=0, answered=0, resolved=0, deadline=None):
    return CaseRecord(case_id=f"C{n:08d}", unit=unit, received_at=received,
                      deadline=deadline or received + timedelta(days=7),
                      accepted_at=received if accepted else None, closed_at=closed, closed_on_time=on_time,
                      overdue=overdue, reopen_count=reopened, satisfied_callbacks=satisfied,
                      dissatisfied_callbacks=dissatisfied, answered_callbacks=answered, resolved_callbacks=resolved)


@pytest.mark.integration
def test_each_units_cases_are_added_up_by_the_database(database_urls):
    database = Database.of_service(service, database_urls["scoring"])
    later = T0 + timedelta(days=3)
    with database.unit_of_work() as uow:
        uow.session.add_all([
            a_case(1, "chengguan", closed=later, on_time=True, satisfied=1, answered=1, resolved=1),
            a_case(2, "chengguan", closed=later, on_time=False, overdue=True, reopened=2, dissatisfied=1,
                   answered=2),
            a_case(3, "chengguan", accepted=False, on_time=True),  # not closed: its on-time flag counts for nothing
            a_case(6, "chengguan", deadline=T0 + timedelta(hours=1)),  # open, past its deadline: due
            a_case(4, "water-resources", closed=later, on_time=True, satisfied=2, answered=2, resolved=2),
            a_case(5, "water-resources", received=T0 - timedelta(days=30)),  # another month
        ])
        uow.commit()
    day_before, day_after = T0 - timedelta(days=1), T0 + timedelta(days=1)
    with database.unit_of_work() as uow:
        found = {row.unit: {name: getattr(row, name) for name in CASE_COUNTS}
                 for row in records.case_counts(uow, day_before, day_after, as_of=day_after)}
    database.stop()
    assert found == {
        "chengguan": {"received": 4, "due": 3, "accepted": 3, "closed": 2, "closed_on_time": 1, "called_back": 2,
                      "overdue": 1, "reopened": 1, "satisfied": 1, "dissatisfied": 1, "answered": 3, "resolved": 1},
        "water-resources": {"received": 1, "due": 1, "accepted": 1, "closed": 1, "closed_on_time": 1,
                            "called_back": 1, "overdue": 0, "reopened": 0, "satisfied": 2, "dissatisfied": 0,
                            "answered": 2, "resolved": 2}}
