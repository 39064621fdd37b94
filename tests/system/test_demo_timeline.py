"""The demo's month reads as a month (issue 18): each case is acted on in order after its dispatch, mostly within
its time limit, a few late and a few still open, nothing in the future; the printout says a number or a dash."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from lianxin.demo import LATE, STILL_OPEN, _dispatched, summary, timeline
from lianxin.directory import load_directory
from tests.support.county import SAMPLE

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
NOVEMBER = datetime(2026, 11, 1, tzinfo=timezone.utc)


def month(cases: int = 2000, seed: int = 7):
    """(dispatched, deadline, timeline) of cases dispatched through November, a week or two to handle each."""
    rng = random.Random(seed)
    for _ in range(cases):
        dispatched = NOVEMBER + timedelta(days=rng.uniform(0, 27))
        deadline = dispatched + timedelta(days=rng.choice([7, 14]))
        yield dispatched, deadline, timeline(rng, dispatched, deadline, NOW)


def test_each_case_is_accepted_reported_and_called_back_in_order_and_never_after_now():
    for dispatched, _, plan in month():
        moments = [dispatched, plan.accepted, *(m for m in (plan.reported, plan.called) if m)]
        assert moments == sorted(moments) and moments[-1] <= NOW
        assert plan.accepted - dispatched < timedelta(days=1)
        assert (plan.reported is None) == (plan.called is None)


def test_most_cases_are_reported_within_their_time_limit_and_a_few_are_late_or_still_open():
    plans = list(month())
    still_open = sum(plan.reported is None for _, _, plan in plans) / len(plans)
    late = sum(plan.reported is not None and plan.reported > deadline for _, deadline, plan in plans) / len(plans)
    assert STILL_OPEN / 2 < still_open < STILL_OPEN * 2
    assert LATE / 2 < late < LATE * 2
    assert 1 - still_open - late > 0.8


def test_a_month_ending_today_leaves_nothing_in_the_future():
    rng = random.Random(3)
    plans = [timeline(rng, NOW - timedelta(hours=2), NOW + timedelta(days=5), NOW) for _ in range(200)]
    assert all(m <= NOW for plan in plans for m in (plan.accepted, plan.reported, plan.called) if m)


def test_a_report_entered_after_the_fact_is_taken_as_dispatched_within_hours_of_coming_in():
    received = NOVEMBER + timedelta(days=3)
    entered_today = {"received_at": received.isoformat(), "dispatched_at": NOW.isoformat(), "reopen_count": 0}
    assert received < _dispatched(entered_today) <= received + timedelta(hours=4)
    on_time = {**entered_today, "dispatched_at": (received + timedelta(hours=1)).isoformat()}
    assert _dispatched(on_time) == received + timedelta(hours=1)
    called = received + timedelta(days=6)  # a callback sent it back: redispatched after that, not before
    assert called < _dispatched({**entered_today, "reopen_count": 1}, after=called) <= called + timedelta(hours=4)


@pytest.mark.parametrize("on_time, said", [(None, "on time —"), (87.5, "on time 87.50%")])
def test_the_printout_says_a_rate_or_a_dash(on_time, said):
    scores = [{"rank": 1, "unit": "shihe", "unit_kind": "township", "score": 91.0, "cases": 3, "closed": 2,
               "closure_rate": 66.67, "on_time_rate": on_time},
              {"rank": 1, "unit": "water-resources", "unit_kind": "department", "score": 90.0, "cases": 1,
               "closed": 0, "closure_rate": None, "on_time_rate": None}]
    printed = summary(load_directory(SAMPLE), {"assessment_id": "A1", "period": "2026-11", "scores": scores}, [], [])
    assert said in printed and "None" not in printed
    assert "Shihe Town" in printed and "County Water Resources Bureau" in printed and "closure —" in printed
    assert "closure rate 50.00%" in printed
