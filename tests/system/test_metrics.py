"""The gauges on /metrics say what the databases and queues say at the moment of the scrape."""
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from lianxin.db import Database
from lianxin.metrics import GAUGES, ScrapeTimeGauges
from lianxin.testing import Office
from tests.support.reports import REPORT, case_of, close_through_the_office
from tests.support.waiting import eventually

CALLED_BACK = {"phone": "13900003333"}  # a petitioner the office can call back: an anonymous case closes otherwise


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    yield office
    office.stop()


def scrape(office, service: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of the service's own series on its /metrics, keyed by name and labels."""
    with office.client(service) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples
            if s.labels.get("service") == service}


def gauge(samples, name: str, **labels):
    return samples.get((name, frozenset(labels.items())))


def value(office, service: str, name: str, **labels):
    return gauge(scrape(office, service), name, service=service, **labels)


@pytest.mark.integration
def test_a_unit_driven_to_zero_open_cases_shows_zero(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json={**REPORT, "reporter": CALLED_BACK}).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    assert case["unit"] == "chengguan"
    assert value(office, "dispatch", "lianxin_cases_open", unit="chengguan") == 1
    assert value(office, "dispatch", "lianxin_cases_open", unit="qingshui") == 0  # every unit, not only busy ones

    close_through_the_office(office, report["report_id"])
    eventually(lambda: value(office, "dispatch", "lianxin_cases_open", unit="chengguan") == 0)
    dispatch = scrape(office, "dispatch")
    assert gauge(dispatch, "lianxin_cases_overdue", service="dispatch", unit="chengguan") == 0
    assert gauge(dispatch, "lianxin_database_up", service="dispatch") == 1
    assert gauge(dispatch, "lianxin_broker_up", service="dispatch") == 1
    assert gauge(dispatch, "lianxin_dead_letters", service="dispatch") == 0
    assert gauge(dispatch, "lianxin_queue_messages", service="dispatch", queue="dispatch.report.received") == 0
    eventually(lambda: value(office, "dispatch", "lianxin_outbox_backlog") == 0)

    supervision = scrape(office, "supervision")
    assert gauge(supervision, "lianxin_callbacks_pending", service="supervision") == 0
    assert gauge(supervision, "lianxin_callbacks_failed", service="supervision") == 0
    assert gauge(supervision, "lianxin_reviews_overdue", service="supervision") == 0
    assert gauge(scrape(office, "intake"), "lianxin_alerts_recent", service="intake", kind="surge") == 0


@pytest.mark.integration
def test_the_closure_ratio_is_the_latest_assessments_between_0_and_1(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json={**REPORT, "reporter": CALLED_BACK}).json()
    close_through_the_office(office, report["report_id"])
    period = datetime.now(timezone.utc).strftime("%Y-%m")
    with office.client("scoring", "admin") as scoring:
        def closed_in_scoring():
            return scoring.get("/rankings", params={"period": period}).text.count('"closed": 1')
        eventually(closed_in_scoring)
        assert scoring.post("/assessments", json={"period": period, "kind": "regular"}).status_code == 201
    assert value(office, "scoring", "lianxin_unit_closure_ratio", unit="chengguan", period=period) == 1.0
    samples = scrape(office, "scoring")
    ratios = [v for (name, _), v in samples.items() if name == "lianxin_unit_closure_ratio"]
    assert ratios and all(0 <= v <= 1 for v in ratios)
    assert "lianxin_unit_closure_rate" not in {name for name, _ in samples}


def test_a_database_and_broker_out_of_reach_read_as_down_not_as_old_values():
    database = Database(Path("unused"))
    database.engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    database.sessions, database._turn = sessionmaker(database.engine), None
    gauges = ScrapeTimeGauges(database, read=lambda uow, directory: [("lianxin_cases_open", {"unit": "x"}, 7)])
    gauges.service, gauges.queues = "dispatch", ["dispatch.report.received"]
    gauges.container = SimpleNamespace(config={"AMQP_URI": "amqp://guest:guest@127.0.0.1:1//"}, dependencies=[])
    readings = {name: value for name, _labels, value in gauges.readings()}
    assert readings == {"lianxin_database_up": 0, "lianxin_broker_up": 0}


def test_every_gauge_says_what_it_measures_in_prometheus_terms():
    for name, (help_text, _labels) in GAUGES.items():
        assert name.startswith("lianxin_") and help_text
        assert not name.endswith(("_rate", "_percent", "_pct")), f"{name}: a share is a _ratio from 0 to 1"


def test_the_console_serves_its_metrics(amqp_uri):
    office = Office(amqp_uri, {})
    console = office.start_console()
    try:
        assert httpx.get(f"{console}/health", timeout=10).status_code == 200
        answer = httpx.get(f"{console}/metrics", timeout=10)
    finally:
        office.stop()
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    calls = {s.labels["entrypoint"] for f in text_string_to_metric_families(answer.text) for s in f.samples
             if s.name == "lianxin_entrypoint_calls_total" and s.labels.get("service") == "console"}
    assert "health" in calls
