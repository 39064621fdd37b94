"""Service handlers through nameko's worker_factory, on a real (SQLite) unit of work."""
import json
from datetime import datetime, timezone

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import AlreadyApplied, Database
from lianxin.directory import load_directory
from lianxin.events import parse_event
from lianxin.messaging_tables import inbox, outbox
from services.dispatch import handling
from services.dispatch.service import DispatchService
from tests.support.builders import DISPATCH_CONFIG as CONFIG
from tests.support.builders import report_received, request
from tests.support.county import CREDENTIALS, SAMPLE


@pytest.fixture
def database(tmp_path):
    db = Database.of_service(handling, f"sqlite:///{tmp_path / 'dispatch.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def dispatch(database):
    return worker_factory(DispatchService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                          config=CONFIG, auth=Authenticator(load_credentials(CREDENTIALS)))


def rows(database, table):
    with database.engine.connect() as conn:
        return conn.execute(select(table)).all()


def test_a_report_becomes_one_dispatched_case_in_the_outbox(dispatch, database):
    dispatch.on_report_received([report_received()])
    [row] = rows(database, outbox)
    event = parse_event(row.body)
    assert event.type == "case.dispatched"
    assert event.data["unit"] == "chengguan" and event.data["severity"] == "major"  # land disputes are major
    assert event.data["deadline"].startswith("2026-11-16")  # 14 days


def test_the_same_event_delivered_twice_is_applied_once(dispatch, database):
    event = report_received()
    dispatch.on_report_received([event])
    with pytest.raises(AlreadyApplied):
        dispatch.on_report_received([event])
    assert len(rows(database, outbox)) == 1 and len(rows(database, inbox)) == 1


def test_a_second_event_about_the_same_report_does_not_open_a_second_case(dispatch, database):
    dispatch.on_report_received([report_received()])
    dispatch.on_report_received([report_received()])  # a replay with a new event id
    assert len(rows(database, outbox)) == 1


def test_a_handler_that_fails_leaves_no_trace_so_the_redelivery_starts_clean(dispatch, database, monkeypatch):
    def open_then_fail(uow, *args):
        uow.emit("case.accepted", "C1", {"case_id": "C1", "unit": "chengguan", "accepted_by": "x",
                                         "accepted_at": datetime.now(timezone.utc)})
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(handling, "open_case", open_then_fail)
    with pytest.raises(RuntimeError):
        dispatch.on_report_received([report_received()])
    assert rows(database, outbox) == [] and rows(database, inbox) == []


def test_unit_actions_emit_their_events_in_order(dispatch, database):
    dispatch.on_report_received([report_received()])
    case_id = json.loads(rows(database, outbox)[0].body)["subject"]

    dispatch.accept_case(request({}), case_id)
    dispatch.submit_handling_report(request({
        "finding": "unsubstantiated", "actions_taken": "实地核查，土地未被占用",
        "responsible_person": "刘建国", "unit_head": "陈志强"}), case_id)
    assert [r.type for r in rows(database, outbox)] == ["case.dispatched", "case.accepted", "case.reported"]


def test_workload_counts_open_and_overdue_cases_per_unit(dispatch, database):
    dispatch.on_report_received([report_received()])  # received 2026-11-02, deadline long past
    dispatch.on_report_received([report_received("R00000043", category="schooling")])
    from services.dispatch.gauges import readings
    with database.unit_of_work() as uow:
        gauges = {(name, labels["unit"]): value for name, labels, value in readings(uow, load_directory(SAMPLE))}
    assert gauges["lianxin_cases_open", "chengguan"] == 1 and gauges["lianxin_cases_overdue", "education"] == 1
    assert gauges["lianxin_cases_open", "qingshui"] == 0  # a unit without open cases says so


def test_a_database_away_is_answered_503_with_retry_after_and_a_bug_500():
    from sqlalchemy.exc import OperationalError

    from lianxin.http import JsonHttpHandler
    handler = JsonHttpHandler("POST", "/reports")
    handler.method_name = "create_report"
    restarting = OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))
    away = handler.response_from_exception(restarting)
    assert away.status_code == 503 and away.headers["Retry-After"] == "5"
    assert json.loads(away.get_data())["error"]["code"] == "unavailable"
    bug = OperationalError("SELECT …", {}, Exception("no such column: reports.colour"))
    assert handler.response_from_exception(bug).status_code == 500
