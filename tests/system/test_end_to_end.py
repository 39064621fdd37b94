"""One citizen report travels the whole office over real RabbitMQ, on SQLite and on PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.personal_data import Person, personal_data_in
from tests.support.reports import REPORT, SIGNED_REPORT, case_of, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPORTER = Person(**REPORT["reporter"])
CALLED_BACK = {"phone": "13900001111"}  # a petitioner the office can call (an anonymous case closes otherwise)


@pytest.fixture(autouse=True)
def events_carry_no_personal_data(event_capture, office):
    """After each flow: every event the office emitted, as it crossed the broker, holds none of the reporter's data."""
    yield
    emitted = event_capture.emitted_by(office.database_urls)
    leaks = {event_id: found for event_id, body in emitted.items() if (found := personal_data_in(body, [REPORTER]))}
    assert leaks == {}


def test_a_report_becomes_a_closed_case_and_a_scored_unit(office):
    with office.client("intake") as intake:
        created = intake.post("/reports", json=REPORT)
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["category"] == "subsistence-allowance" and report["category_suggested"] is True
    assert report["reporter"]["phone"] == "138****1234"

    case = eventually(lambda: case_of(office, report["report_id"]))
    assert case["unit"] == "chengguan" and case["unit_kind"] == "township"
    received = datetime.fromisoformat(report["received_at"])
    assert datetime.fromisoformat(case["deadline"]) == received + timedelta(days=7)
    assert case["reporter_id"] == report["reporter_id"] and case["reporter_id"].startswith("P")

    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        handled = dispatch.post(f"/cases/{case['case_id']}/handling-report", json=SIGNED_REPORT)
    assert handled.status_code == 201, handled.text
    assert handled.json()["state"] == "reported"

    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "op-07"})
    assert called.status_code == 201, called.text
    assert called.json()["state"] == "closed" and called.json()["closure_blockers"] == []

    eventually(lambda: case_of(office, report["report_id"])["state"] == "closed")
    with office.client("intake") as intake:
        eventually(lambda: intake.get(f"/reports/{report['report_id']}").json()["status"] == "closed")

    period = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")

    def chengguan_scored():
        with office.client("scoring") as scoring:
            scores = scoring.get("/rankings", params={"period": period}).json()["scores"]
        mine = [s for s in scores if s["unit"] == "chengguan"]
        return mine and mine[0]["closed"] == 1 and mine[0]

    eventually(chengguan_scored)
    with office.client("scoring", "supervisor-01") as scoring:
        published = scoring.post("/assessments", json={"period": period})
    assert published.status_code == 201, published.text
    chengguan = next(s for s in published.json()["scores"] if s["unit"] == "chengguan")
    assert chengguan == {**chengguan, "closure_rate": 100.0, "on_time_rate": 100.0, "satisfaction_rate": 100.0,
                         "score": 100.0, "rank": 1, "cases": 1}


def test_a_dissatisfied_callback_reopens_the_case_to_the_same_unit_until_it_is_solved(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json={**REPORT, "reporter": CALLED_BACK}).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    with office.client("dispatch", "chengguan-handler") as dispatch:
        dispatch.post(f"/cases/{case['case_id']}/handling-report", json=SIGNED_REPORT).raise_for_status()
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "no", "satisfaction": "dissatisfied", "recorded_by": "op-07"})
    assert called.json()["state"] == "in_handling"
    reopened = eventually(lambda: (c := case_of(office, report["report_id"])) and c["reopen_count"] == 1 and c)
    assert reopened["state"] == "dispatched" and reopened["unit"] == case["unit"]
    assert reopened["deadline"] > case["deadline"]
    with office.client("supervision") as supervision:  # the old handling report no longer closes it
        assert supervision.post(f"/cases/{case['case_id']}/closure").status_code == 409

    with office.client("dispatch", "chengguan-handler") as dispatch:  # the unit tries again
        dispatch.post(f"/cases/{case['case_id']}/handling-report", json=SIGNED_REPORT).raise_for_status()
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "op-07"}).json()
    assert called["state"] == "closed" and called["reopen_count"] == 1
    eventually(lambda: case_of(office, report["report_id"])["state"] == "closed")
    with office.client("intake") as intake:
        eventually(lambda: intake.get(f"/reports/{report['report_id']}").json()["status"] == "closed")


def test_closure_without_signatures_is_refused_with_the_reason(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    unsigned = {**SIGNED_REPORT, "unit_head": None}
    with office.client("dispatch", "chengguan-handler") as dispatch:
        dispatch.post(f"/cases/{case['case_id']}/handling-report", json=unsigned).raise_for_status()
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "op-07"}).json()
        assert called["state"] == "awaiting_callback"
        assert called["closure_blockers"] == ["办理报告缺少单位负责人签字"]
        refused = supervision.post(f"/cases/{case['case_id']}/closure")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"] == [
        {"field": "closure", "problem": "办理报告缺少单位负责人签字"}]  # in Chinese, the default


def test_a_retried_submission_with_the_same_idempotency_key_returns_the_original_report(office):
    with office.client("intake") as intake:
        first = intake.post("/reports", json=REPORT, headers={"Idempotency-Key": "op-07-call-0042"})
        again = intake.post("/reports", json=REPORT, headers={"Idempotency-Key": "op-07-call-0042"})
        other = intake.post("/reports", json={**REPORT, "reporter": None, "content": "村口的路灯坏了两个月"},
                            headers={"Idempotency-Key": "op-07-call-0043"})
        too_long = intake.post("/reports", json=REPORT, headers={"Idempotency-Key": "k" * 129})
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.json()["report_id"] == first.json()["report_id"] != other.json()["report_id"]
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["error"]["message"]
    eventually(lambda: case_of(office, other.json()["report_id"]))
    with office.client("dispatch") as dispatch:
        assert len(dispatch.get("/cases", params={"limit": 200}).json()["cases"]) == 2


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_bad_requests_are_refused_in_the_common_error_format(office):
    with office.client("intake") as intake:
        unknown_place = intake.post("/reports", json={**REPORT, "village": "atlantis"})
        not_json = intake.post("/reports", content=b"{oops", headers={"content-type": "application/json"})
        bad_limit = intake.get("/reports", params={"limit": 0})
        missing = intake.get("/reports/R99999999")
    assert unknown_place.status_code == 422
    assert unknown_place.json()["error"]["details"] == [{"field": "village", "problem": "村：县名录中没有“atlantis”"}]
    assert not_json.status_code == 400 and "不是 UTF-8 编码的 JSON" in not_json.json()["error"]["message"]
    assert bad_limit.status_code == 400 and "1 至 200" in bad_limit.json()["error"]["message"]
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
