"""Dispatch counts the dashboard's figures itself (GET /statistics/days): per unit and county day what came in,
went out and was closed, and per unit and township what is open now. Counted on SQLite and PostgreSQL rows,
across the county's midnight (a case received at 23:30 county time is that day's, whatever UTC says)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from lianxin.testing import Office, service_databases
from lianxin.vocabulary import COUNTY_TIME
from services.dispatch.handling import WATCHED
from services.dispatch.models import Base, Case
from services.dispatch.tallies import tallies

TODAY = date(2026, 12, 4)
NOW = datetime.combine(TODAY, time(15), COUNTY_TIME)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), COUNTY_TIME)


def a_case(number: int, unit: str, township: str | None, received: datetime, state: str = "dispatched",
           deadline: datetime | None = None, closed: datetime | None = None, dispatched: datetime | None = None):
    return Case(report_id=f"R{number:08d}", state=state, unit=unit, unit_kind="township", category="roads",
                township=township, severity="general", routing_reason="", channel="hotline", matter="",
                received_at=received, dispatched_at=dispatched or received,
                deadline=deadline or NOW + timedelta(days=5),
                closed_at=closed, reopen_count=0, linked_reports=[], team_members=[], flags=[], plan="")


YESTERDAY = TODAY - timedelta(days=1)


def cases() -> list[Case]:
    return [
        a_case(1, "chengguan", "chengguan", at(TODAY, 0, 5)),  # today's first minutes: yesterday in UTC
        a_case(2, "chengguan", "chengguan", at(YESTERDAY, 23, 55), deadline=at(TODAY, 9)),  # yesterday's, overdue now
        a_case(3, "chengguan", "chengguan", at(YESTERDAY, 10), state="reported"),  # awaiting the callback
        a_case(4, "water-resources", "baiyang", at(YESTERDAY - timedelta(days=20), 9), state="closed",
               closed=at(TODAY, 11)),  # received long ago, closed today
        a_case(5, "water-resources", "baiyang", at(TODAY, 8), dispatched=at(TODAY, 9)),
        a_case(6, "water-resources", None, at(TODAY - timedelta(days=30), 8), state="returned",
               deadline=at(TODAY - timedelta(days=10), 8)),  # before the period: counted only as open and overdue
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request, tmp_path):
    with service_databases(request.param, tmp_path, services=("dispatch",)) as urls:
        engine = create_engine(urls["dispatch"])
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            session.add_all(cases())
            session.commit()
            yield session
        engine.dispose()


def test_per_unit_and_county_day(session):
    counted = tallies(SimpleNamespace(session=session), YESTERDAY, TODAY, NOW.astimezone(timezone.utc), WATCHED)
    days = {(row["unit"], row["day"]): (row["new"], row["dispatched"], row["closed"]) for row in counted["days"]}
    assert days == {("chengguan", str(TODAY)): (1, 1, 0), ("chengguan", str(YESTERDAY)): (2, 2, 0),
                    ("water-resources", str(TODAY)): (1, 1, 1)}


def test_open_now_per_unit_and_township(session):
    counted = tallies(SimpleNamespace(session=session), TODAY, TODAY, NOW.astimezone(timezone.utc), WATCHED)
    assert counted["open"] == [
        {"unit": "chengguan", "open": 3, "overdue": 1, "awaiting_callback": 1},
        {"unit": "water-resources", "open": 2, "overdue": 1, "awaiting_callback": 0}]
    assert counted["townships"] == [
        {"township": "baiyang", "open": 1, "overdue": 0, "awaiting_callback": 0},
        {"township": "chengguan", "open": 3, "overdue": 1, "awaiting_callback": 1}]


@pytest.fixture(scope="module")
def dispatch(amqp_uri, tmp_path_factory):
    with service_databases("sqlite", tmp_path_factory.mktemp("days"), services=("dispatch",)) as urls:
        office = Office(amqp_uri, urls)
        office.start("dispatch")
        yield office
        office.stop()


@pytest.mark.integration
@pytest.mark.parametrize("language, said", [("zh-CN", "最多"), ("en", "at most 92")])
def test_the_api_answers_today_and_refuses_a_period_too_long(dispatch, language, said):
    with dispatch.client("dispatch", "supervisor-01") as desk:
        today = desk.get("/statistics/days")
        assert today.status_code == 200, today.text
        assert today.json()["from"] == today.json()["to"] == str(datetime.now(COUNTY_TIME).date())
        too_long = desk.get("/statistics/days", params={"from": "2026-01-01", "to": "2026-12-31"},
                            headers={"Accept-Language": language})
        backwards = desk.get("/statistics/days", params={"from": "2026-12-02", "to": "2026-12-01"})
    assert too_long.status_code == backwards.status_code == 422
    assert said in too_long.json()["error"]["message"], too_long.text
