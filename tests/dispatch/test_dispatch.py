"""Dispatch as units and the office use it: authorisation per unit, the state machine, returns and manual
routing, the one extension, leader instructions and their statistics, teams, history, and deadlines
flagged with a controllable clock."""
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from services.dispatch import handling, routing
from services.dispatch.service import DispatchService
from tests.support.builders import DISPATCH_CONFIG as CONFIG
from tests.support.builders import report_received, request
from tests.support.county import SAMPLE
from tests.support.reports import SIGNED_REPORT, case_of, distinct_reports
from tests.support.waiting import eventually

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)  # a Monday, 09:00 county time


# --- deadlines as rules -----------------------------------------------------------------------------------

def test_working_days_skip_weekends_and_holidays():
    rules = {"general": 7, "major": 14, "working_days": True, "holidays": ["2026-11-05"]}
    # Mon 2 Nov + 7 working days, skipping Sat 7, Sun 8 and the holiday on Thu 5: Wed 12 Nov
    assert routing.deadline(T0, "general", rules) == T0 + timedelta(days=10)


def test_the_national_limits_bound_every_deadline():
    assert routing.deadline(T0, "major", {"general": 7, "major": 90}) == T0 + timedelta(days=60)
    assert routing.latest_conclusion(T0, 45) == T0 + timedelta(days=90)  # one extension, at most 30
    assert routing.late_assignment(T0, T0 + timedelta(days=16)) == {"say": "late_assignment", "days": 16}
    assert routing.late_assignment(T0, T0 + timedelta(days=15)) is None


# --- through nameko's worker_factory on a real SQLite database --------------------------------------------

@pytest.fixture
def database(tmp_path):
    db = Database.of_service(handling, f"sqlite:///{tmp_path / 'dispatch.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def dispatch(database):
    return worker_factory(DispatchService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                          config=CONFIG, auth=Authenticator(load_credentials(SAMPLE.with_name("staff.yaml"))))


def emitted(database, event_type):
    with database.engine.connect() as conn:
        return [parse_event(row.body) for row in conn.execute(select(outbox.c.body).where(outbox.c.type == event_type))]


def test_deadlines_are_flagged_once_per_stage_with_a_controllable_clock(dispatch, database):
    dispatch.on_report_received([report_received(category="drinking-water", received_at=T0)])  # 7 days: 9 Nov
    near = timedelta(hours=24)
    with database.unit_of_work() as uow:
        assert handling.flag_deadlines(uow, T0 + timedelta(days=5), near) == []  # two days left: nothing yet
        assert handling.flag_deadlines(uow, T0 + timedelta(days=6, hours=2), near) == [("C00000001", "near_deadline")]
        assert handling.flag_deadlines(uow, T0 + timedelta(days=6, hours=3), near) == []  # once per stage
        assert handling.flag_deadlines(uow, T0 + timedelta(days=8), near) == [("C00000001", "overdue")]
        assert handling.flag_deadlines(uow, T0 + timedelta(days=9), near) == []
        uow.commit()
    assert [e.data["stage"] for e in emitted(database, "case.overdue")] == ["near_deadline", "overdue"]


def test_a_reported_case_is_not_flagged(dispatch, database):
    dispatch.on_report_received([report_received(category="drinking-water", received_at=T0)])
    dispatch.submit_handling_report(request(SIGNED_REPORT), "C00000001")
    with database.unit_of_work() as uow:
        assert handling.flag_deadlines(uow, T0 + timedelta(days=30), timedelta(hours=24)) == []


# --- over HTTP with the real broker -----------------------------------------------------------------------



@pytest.fixture
def case(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json=distinct_reports(1)[0]).json()
    return eventually(lambda: case_of(office, report["report_id"]))


def act(office, case, path, body=None, as_staff="chengguan-handler"):
    with office.client("dispatch", as_staff) as dispatch:
        return dispatch.post(f"/cases/{case['case_id']}/{path}", json=body or {})


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_unit_acts_only_on_its_own_cases(office, case):
    assert case["unit"] == "chengguan"
    assert act(office, case, "acceptance", as_staff="baiyang-handler").status_code == 403
    assert act(office, case, "acceptance", as_staff="hotline-op-01").status_code == 403
    with office.client("dispatch") as dispatch:
        assert dispatch.post("/cases/C99999999/acceptance", json={}).status_code in (403, 404)
    assert act(office, case, "acceptance").status_code == 200
    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post("/cases/C99999999/acceptance", json={}).status_code == 404


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_every_illegal_move_is_refused_and_changes_nothing(office, case):
    assert act(office, case, "acceptance").status_code == 200
    again = act(office, case, "acceptance")
    assert again.status_code == 409 and "已签收" in again.json()["error"]["message"]  # Chinese unless asked
    assert act(office, case, "extension", {"approved_by": "zhao-county-head"}, "supervisor-01").status_code == 409
    assert act(office, case, "handling-report", {**SIGNED_REPORT, "finding": "maybe"}).status_code == 422
    assert act(office, case, "handling-report", SIGNED_REPORT).status_code == 201
    for path, body, staff in [("acceptance", {}, "chengguan-handler"),
                              ("return", {"reason": "不归我们管"}, "chengguan-handler"),
                              ("handling-report", SIGNED_REPORT, "chengguan-handler"),
                              ("extension-request", {"days": 10, "reason": "需要鉴定"}, "chengguan-handler"),
                              ("route", {"unit": "baiyang", "reason": "改派"}, "supervisor-01")]:
        refused = act(office, case, path, body, staff)
        assert refused.status_code == 409, (path, refused.text)
        assert "已报送" in refused.json()["error"]["message"]
    with office.client("dispatch") as dispatch:
        history = dispatch.get(f"/cases/{case['case_id']}/history").json()["history"]
    assert [h["action"] for h in history] == ["dispatched", "accept", "report"]


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_returned_case_is_routed_by_hand_and_everyone_follows(office, case):
    returned = act(office, case, "return", {"reason": "该村已划归白杨镇管辖"})
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert act(office, case, "route", {"unit": "nowhere", "reason": "x"}, "supervisor-01").status_code == 422
    routed = act(office, case, "route", {"unit": "baiyang", "reason": "按区划调整改派"}, "supervisor-01").json()
    assert (routed["state"], routed["unit"], routed["routing_reason"]) == ("dispatched", "baiyang", "按区划调整改派")
    assert act(office, case, "acceptance").status_code == 403  # no longer chengguan's
    assert act(office, case, "acceptance", as_staff="baiyang-handler").status_code == 200
    with office.client("dispatch") as dispatch:
        history = dispatch.get(f"/cases/{case['case_id']}/history").json()["history"]
    assert [(h["action"], h["by"]) for h in history] == [
        ("dispatched", "system"), ("return", "chengguan-handler"), ("route", "supervisor-01"),
        ("accept", "baiyang-handler")]
    assert history[2]["note"].startswith("由城关镇（办理不足 1 小时）改交白杨")
    with office.client("supervision") as supervision:
        eventually(lambda: supervision.get(f"/cases/{case['case_id']}").json()["unit"] == "baiyang")


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_one_extension_approved_by_a_leader_moves_every_deadline(office, case):
    asked = act(office, case, "extension-request", {"days": 20, "reason": "需要第三方鉴定，已告知反映人"})
    assert asked.status_code == 200 and asked.json()["extension"]["requested_days"] == 20
    assert act(office, case, "extension-request", {"days": 31, "reason": "太长"}).status_code == 422
    assert act(office, case, "extension", {"approved_by": "zhao-county-head"}).status_code == 403  # a unit can't
    approved = act(office, case, "extension", {"approved_by": "zhao-county-head"}, "supervisor-01").json()
    new_deadline = datetime.fromisoformat(approved["deadline"])
    assert new_deadline == datetime.fromisoformat(case["deadline"]) + timedelta(days=20)
    assert act(office, case, "extension-request", {"days": 5, "reason": "再延"}).status_code == 409  # only one
    with office.client("intake") as intake:
        eventually(lambda: datetime.fromisoformat(
            intake.get(f"/reports/{case['report_id']}").json()["expected_at"]) == new_deadline)
    with office.client("supervision") as supervision:
        eventually(lambda: datetime.fromisoformat(
            supervision.get(f"/cases/{case['case_id']}").json()["deadline"]) == new_deadline)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_leader_instructions_are_counted_by_level_and_cases_filtered_by_them(office):
    with office.client("intake") as intake:
        reports = [intake.post("/reports", json=r).json() for r in distinct_reports(3)]
    cases = [eventually(lambda r=r: case_of(office, r["report_id"])) for r in reports]
    city = next(leader.code for leader in load_directory(SAMPLE).leaders if leader.level == "city")
    assert act(office, cases[0], "instructions", {"leader": city, "comment": "请县里尽快解决"},
               "supervisor-01").status_code == 201
    assert act(office, cases[1], "instructions", {"leader": "zhao-county-head", "comment": "限期办结"},
               "zhao-county-head").status_code == 201
    assert act(office, cases[2], "instructions", {"leader": "zhao-county-head", "comment": "冒名"},
               "li-secretary").status_code == 403  # a leader records only their own
    assert act(office, cases[2], "instructions", {"leader": "nobody", "comment": "?"},
               "supervisor-01").status_code == 422
    with office.client("dispatch") as dispatch:
        stats = dispatch.get("/statistics/instructions").json()
        by_city = dispatch.get("/cases", params={"level": "city"}).json()["cases"]
        by_leader = dispatch.get("/cases", params={"leader": "zhao-county-head"}).json()["cases"]
    assert stats == {"instructed": 2, "by_city_leaders": 1, "by_county_leaders": 1, "closed": 0, "in_progress": 2,
                     "closure_rate": 0.0}
    assert [c["case_id"] for c in by_city] == [cases[0]["case_id"]]
    assert [c["case_id"] for c in by_leader] == [cases[1]["case_id"]]
    assert by_city[0]["instructions"][0]["level"] == "city"


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_one_case_one_team_one_plan_with_the_first_receiver_kept(office, case):
    team = {"lead_leader": "he-deputy-social", "responsible_person": "刘建国", "members": ["王五", "赵六"],
            "plan": "一周内入户核查，两周内答复"}
    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.put(f"/cases/{case['case_id']}/team", json=team).status_code == 403  # handlers don't
    with office.client("dispatch", "chengguan-head") as dispatch:
        formed = dispatch.put(f"/cases/{case['case_id']}/team", json=team).json()
    assert formed["team"] == {**team, "members": ["王五", "赵六"]}
    assert formed["first_receiver"] == "hotline-op-01"
    with office.client("dispatch") as dispatch:
        assert [c["case_id"] for c in dispatch.get("/cases", params={"lead_leader": "he-deputy-social"}).json()[
            "cases"]] == [case["case_id"]]


# --- the state machine, move by move ------------------------------------------------------------------------

MOVES = {  # action: the states it is allowed from
    "accept": {"dispatched"},
    "return": {"dispatched", "accepted"},
    "report": {"dispatched", "accepted"},
    "route": {"dispatched", "accepted", "returned"},
    "request_extension": {"dispatched", "accepted"},
}


def attempt(uow, directory, case, action):
    from lianxin.auth import Staff
    from services.dispatch import schemas
    unit = Staff(code="u", role="unit_handler", unit=case.unit, token_sha256="0" * 64)
    office = Staff(code="s", role="supervisor", token_sha256="0" * 64)
    moves = {
        "accept": lambda: handling.accept(uow, case, schemas.AcceptanceIn(), unit),
        "return": lambda: handling.give_back(uow, case, schemas.ReturnIn(reason="不归我们"), unit),
        "report": lambda: handling.submit_report(uow, case, schemas.HandlingReportIn(**SIGNED_REPORT), unit),
        "route": lambda: handling.route_by_hand(uow, directory, case, schemas.RouteIn(unit="education", reason="改派"),
                                                office, CONFIG["DEADLINES"]),
        "request_extension": lambda: handling.request_extension(
            uow, case, schemas.ExtensionRequestIn(days=5, reason="鉴定"), unit),
    }
    moves[action]()


@pytest.mark.parametrize("state", ["dispatched", "accepted", "returned", "reported", "closed"])
@pytest.mark.parametrize("action", sorted(MOVES))
def test_each_move_is_allowed_only_from_its_states(dispatch, database, state, action):
    from lianxin.errors import Conflict
    dispatch.on_report_received([report_received(category="drinking-water", received_at=T0)])
    directory = load_directory(SAMPLE)
    with database.unit_of_work() as uow:
        case = handling.get_case(uow, "C00000001", for_update=True)
        case.state = state
        if state in MOVES[action]:
            attempt(uow, directory, case, action)
            assert case.history[-1].from_state == state
        else:
            with pytest.raises(Conflict, match=f"is {state}"):
                attempt(uow, directory, case, action)


def test_an_event_about_a_case_dispatch_never_opened_is_no_refusal_but_an_unknown_case(database):
    """A consumer answers no one: the event goes to the dead-letter queue with this reason, not a 404."""
    from lianxin.errors import Refused, UnknownCase
    from lianxin.events import CaseReopened
    reopened = CaseReopened(case_id="C09999999", report_id="R09999999", unit="chengguan", reason="办理不实",
                            reopened_at=T0, round=1)
    with database.unit_of_work() as uow, pytest.raises(UnknownCase, match="no case 'C09999999'") as raised:
        handling.on_reopened(uow, reopened, CONFIG["DEADLINES"])
    assert not isinstance(raised.value, Refused)
