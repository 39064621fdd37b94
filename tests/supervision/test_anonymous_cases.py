"""An anonymous report leaves nobody to call back: its case closes on a record that no callback was possible
and a supervisor's upheld review of the handling, never on a callback said to have reached the petitioner."""
from types import SimpleNamespace

import pytest
from werkzeug.test import EnvironBuilder

from lianxin.errors import Conflict
from lianxin.events import new_event
from lianxin.i18n import said
from services.supervision import models
from services.supervision.closure import NO_CALLBACK, NO_RECORD, NO_REVIEW, closure_blockers
from tests.support.case_events import dispatched, reported
from tests.support.reports import REPORT, SIGNED_REPORT, case_of, supervised
from tests.support.supervision import HANDLED_AT as T0
from tests.support.supervision import (
    emitted,
    handled_case,
    office_request,
    request,
)
from tests.support.waiting import eventually

REACHED = {"reached": True, "resolved": "yes", "satisfaction": "satisfied"}
NO_CALLBACK_POSSIBLE = {"reached": False, "comment": "匿名反映，无法回访"}
UPHELD = SimpleNamespace(outcome="upheld", round=0)


# --- the rule ------------------------------------------------------------------------------------------------

def test_an_anonymous_case_closes_on_the_record_and_an_upheld_review_not_on_a_callback():
    record = SimpleNamespace(reached=False, for_report_at=T0)
    assert closure_blockers(handled_case(anonymous=True, reopen_count=0, last_callback=record,
                                         reviews=[UPHELD])) == []
    assert closure_blockers(handled_case(anonymous=True, reopen_count=0, last_callback=record)) == [NO_REVIEW]
    assert closure_blockers(handled_case(anonymous=True, reopen_count=0, last_callback=None,
                                         reviews=[UPHELD])) == [NO_RECORD]
    earlier_round = SimpleNamespace(outcome="upheld", round=0)
    assert NO_REVIEW in closure_blockers(handled_case(anonymous=True, reopen_count=1, last_callback=record,
                                                      reviews=[earlier_round]))
    failed = SimpleNamespace(outcome="failed", round=0)
    assert NO_REVIEW in closure_blockers(handled_case(anonymous=True, reopen_count=0, last_callback=record,
                                                      reviews=[failed]))


def test_a_named_case_still_needs_a_callback_that_reached_the_petitioner():
    record = SimpleNamespace(reached=False, for_report_at=T0)
    assert closure_blockers(handled_case(anonymous=False, reopen_count=0, last_callback=record,
                                         reviews=[UPHELD])) == [NO_CALLBACK]


# --- supervision's use cases -----------------------------------------------------------------------------------

def anonymous_events():
    """Dispatch's events of a case nobody signed: no pseudonym, no petitioner's marks."""
    plain = dispatched()
    data = {k: v for k, v in plain.data.items() if k != "reporter_id"}
    handled = {k: v for k, v in reported().data.items() if k != "reporter_marks"}
    return new_event("case.dispatched", "C00000001", data), new_event("case.reported", "C00000001", handled)


def test_supervision_refuses_a_reached_callback_on_an_anonymous_case_and_closes_it_after_the_review(
        supervision, database):
    was_dispatched, was_reported = anonymous_events()
    supervision.on_case_dispatched([was_dispatched])
    supervision.on_case_reported([was_reported])
    with pytest.raises(Conflict) as refused:
        supervision.record_callback(request(REACHED), "C00000001")
    assert "anonymous" in refused.value.message and refused.value.details[0]["field"] == "reached"
    message, details = refused.value.said_in("zh")  # one sentence for a person, no field code in it
    assert message == "案件 C00000001 为匿名反映，不可能联系上信访人：请登记无法回访，由督查人员复查办理情况"
    assert details[0]["problem"] == "匿名反映无人可联系" and "(reached" not in refused.value.message

    recorded = supervision.record_callback(request(NO_CALLBACK_POSSIBLE), "C00000001")[1]
    assert recorded["anonymous"] is True and recorded["state"] == "awaiting_callback"
    assert recorded["closure_blockers"] == [said(NO_REVIEW, "zh"), "对办理情况的复查尚未结束"]
    with database.unit_of_work() as uow:
        case = uow.session.get(models.SupervisedCase, "C00000001")
        assert case.callback_due_at is None and case.callback_attempts == 0  # not tried again: nobody to try
    [review] = recorded["reviews"]
    assert review["trigger"] == "anonymous" and review["round"] == 0
    assert emitted(database, "case.closed") == []

    supervision.conclude_review(office_request({"outcome": "upheld", "findings": "实地核查，处理得当"}),
                                review["review_id"])
    [closed] = emitted(database, "case.closed")
    assert closed.data["case_id"] == "C00000001" and closed.data["satisfaction"] is None


def test_the_petitioners_own_rating_through_their_link_still_counts(supervision, database):
    was_dispatched, was_reported = anonymous_events()
    supervision.on_case_dispatched([was_dispatched])
    supervision.on_case_reported([was_reported])
    secret = supervision.citizen_link(office_request({}), "C00000001")["path"].split("secret=")[1]
    rating = EnvironBuilder(method="POST", json={"resolved": "no", "satisfaction": "dissatisfied"},
                            query_string={"secret": secret}).get_request()
    supervision.citizen_rating(rating, "C00000001")
    [reopened] = emitted(database, "case.reopened")
    assert reopened.data["cause"] == "dissatisfied"


def test_a_named_repeat_joining_the_case_brings_someone_to_call(supervision, database):
    was_dispatched, _ = anonymous_events()
    supervision.on_case_dispatched([was_dispatched])
    supervision.on_case_reported([reported()])  # the repeat's petitioner's marks came with the handling report
    called = supervision.record_callback(request(REACHED), "C00000001")[1]
    assert called["anonymous"] is False and called["state"] == "closed"


# --- the real office ---------------------------------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_an_anonymous_report_closes_on_the_office_only_after_its_review(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json={**REPORT, "reporter": None,
                                                "content": "村东头的自来水管破了三天，一直没人来修"}).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        assert unit.post(f"/cases/{case['case_id']}/handling-report", json=SIGNED_REPORT).status_code == 201
    waiting = eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    assert waiting["anonymous"] is True
    [review] = [r for r in waiting["reviews"] if r["trigger"] == "anonymous"]

    with office.client("supervision", "callback-op-01") as caller:
        said_reached = caller.post(f"/cases/{case['case_id']}/callbacks", json=REACHED)
        assert said_reached.status_code == 409, said_reached.text
        assert said_reached.json()["error"]["details"][0]["field"] == "reached"
        recorded = caller.post(f"/cases/{case['case_id']}/callbacks", json=NO_CALLBACK_POSSIBLE)
        assert recorded.status_code == 201 and recorded.json()["state"] == "awaiting_callback"
        assert caller.post(f"/cases/{case['case_id']}/closure").status_code == 409
    with office.client("supervision", "supervisor-01") as supervisor:
        concluded = supervisor.post(f"/reviews/{review['review_id']}/conclusion",
                                    json={"outcome": "upheld", "findings": "现场核实水管已修复"})
        assert concluded.status_code == 200, concluded.text
        assert supervisor.get(f"/cases/{case['case_id']}").json()["state"] == "closed"
    eventually(lambda: case_of(office, report["report_id"])["state"] == "closed")
