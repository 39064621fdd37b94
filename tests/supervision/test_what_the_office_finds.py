"""What a reviewer met using the office for a day (issues 17 and 18): a callback's refusal said in the
person's language, field by field; what blocks closure shown as soon as the unit has reported; a reopened
case no longer closed, whatever reopened it; the petitioner's page opened by a repeat's own number and by a
number typed in lower case."""
import pytest
from werkzeug.test import EnvironBuilder

from lianxin.citizen_link import lookup_code
from lianxin.errors import Invalid, NotAllowed, NotFound
from lianxin.i18n import said
from lianxin.vocabulary import REOPEN_CAUSES
from services.supervision.callbacks import reopen
from services.supervision.closure import NO_CALLBACK
from services.supervision.models import SupervisedCase
from tests.support.builders import report_received
from tests.support.case_events import dispatched, reported
from tests.support.reports import REPORT, case_of
from tests.support.supervision import (
    CONFIG,
    emitted,
    office_request,
    request,
)
from tests.support.waiting import eventually

SATISFIED = {"reached": True, "resolved": "yes", "satisfaction": "satisfied"}
DISSATISFIED = {"reached": True, "resolved": "no", "satisfaction": "dissatisfied"}


@pytest.fixture
def handled(supervision):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    return supervision


# --- 1. a callback's refusal in the person's words ------------------------------------------------------

@pytest.mark.parametrize("body, fields, zh, en", [  # each question named as the callback form asks it
    ({"reached": True}, ["resolved", "satisfaction"],
     "已联系上信访人，请回答“是否解决？”；已联系上信访人，请回答“满意度”",
     "The petitioner was reached: answer “Resolved?”; The petitioner was reached: answer “Satisfaction”"),
    ({"reached": True, "resolved": "yes"}, ["satisfaction"],
     "已联系上信访人，请回答“满意度”", "The petitioner was reached: answer “Satisfaction”"),
    ({"reached": False, "satisfaction": "satisfied"}, ["satisfaction"],
     "未联系上信访人，“满意度”不填", "The petitioner was not reached: leave “Satisfaction” unanswered"),
])
def test_a_callback_without_its_answers_is_refused_naming_each_field(handled, body, fields, zh, en):
    with pytest.raises(Invalid) as refused:
        handled.record_callback(request(body), "C00000001")
    assert [p.field for p in refused.value.problems] == fields
    assert refused.value.said_in("zh")[0] == zh
    assert refused.value.said_in("en")[0] == en
    assert handled.get_case(office_request({}), "C00000001")["callbacks"] == []  # nothing recorded


def test_a_units_refusal_about_evidence_is_said_in_chinese(handled):
    with pytest.raises(NotAllowed) as refused:
        handled.get_attachment(request({}, "baiyang-handler"), "C00000001", "0" * 64)
    # dispatch's words (services/supervision/access.py): the unit that holds the case is not named
    assert refused.value.said_in("zh")[0] == "案件 C00000001 不是本单位的案件：各单位只能查阅本单位的案件"
    with pytest.raises(NotFound) as missing:
        handled.get_attachment(office_request({}), "C00000001", "0" * 64)
    assert missing.value.said_in("zh")[0] == f"案件 C00000001 没有附件 {'0' * 64}"


# --- 3. a reopened case is not closed, whatever reopened it -----------------------------------------------

def closed(supervision):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    view = supervision.record_callback(request(SATISFIED), "C00000001")[1]
    assert view["state"] == "closed" and view["closed_at"] is not None
    return supervision


def citizens_page(supervision, number="C00000001", secret=None):
    secret = secret or lookup_code(CONFIG["LINK_KEY"], "R00000001")
    return supervision.public_case(EnvironBuilder(query_string={"secret": secret}).get_request(), number)


def test_a_failed_review_of_a_closed_case_leaves_the_citizens_page_saying_in_handling_only(supervision):
    review = closed(supervision).request_review(office_request({"reason": "路灯还是不亮"}), "C00000001")[1]
    supervision.conclude_review(office_request({"outcome": "failed", "findings": "实地查看路灯仍不亮"}),
                                review["review_id"])
    page = citizens_page(supervision)
    assert (page["state"], page["closed_at"], page["reopen_count"]) == ("in_handling", None, 1)
    assert supervision.get_case(office_request({}), "C00000001")["closed_at"] is None


def test_the_office_reopening_a_closed_case_leaves_it_not_closed(supervision):
    closed(supervision).reopen_case(office_request({"reason": "群众再次来电，路灯仍未修复"}), "C00000001")
    page = citizens_page(supervision)
    assert (page["state"], page["closed_at"]) == ("in_handling", None)


@pytest.mark.parametrize("cause", sorted(REOPEN_CAUSES))
def test_every_cause_of_reopening_clears_the_closing_time(closed_case_db, cause):
    supervision, database = closed_case_db
    with database.unit_of_work() as uow:
        case = uow.session.get(SupervisedCase, "C00000001")
        reopen(uow, case, cause, words="理由", review_id="RV000001" if cause == "review_failed" else None,
               by="supervisor-01" if cause == "office" else None)
        uow.commit()
    assert citizens_page(supervision)["closed_at"] is None


@pytest.mark.parametrize("answers, cause", [(DISSATISFIED, "dissatisfied"),
                                            ({**SATISFIED, "resolved": "no"}, "not_resolved")])
def test_a_callback_sending_the_case_back_leaves_it_not_closed(supervision, database, answers, cause):
    """Round 0 closed, then reopened by a failed review; the unit reports again and the petitioner, called
    back, sends it back once more: not closed at any point since."""
    review = closed(supervision).request_review(office_request({"reason": "路灯还是不亮"}), "C00000001")[1]
    supervision.conclude_review(office_request({"outcome": "failed", "findings": "实地查看仍不亮"}),
                                review["review_id"])
    supervision.on_case_reported([reported(round_=1)])
    back = supervision.record_callback(request(answers), "C00000001")[1]
    assert (back["state"], back["closed_at"]) == ("in_handling", None)
    assert emitted(database, "case.reopened")[-1].data["cause"] == cause
    assert citizens_page(supervision)["closed_at"] is None


@pytest.fixture
def closed_case_db(supervision, database):
    return closed(supervision), database


# --- 2. what blocks closure, shown as soon as the unit has reported -----------------------------------------

def unsigned_by_the_head():
    event = reported()
    return type(event).model_validate({**event.model_dump(), "data": {**event.data, "unit_head": None}})


def test_the_case_says_a_missing_signature_before_anyone_calls_back(supervision):
    supervision.on_case_dispatched([dispatched()])
    assert supervision.get_case(office_request({}), "C00000001")["closure_blockers"] == []  # with its unit
    supervision.on_case_reported([unsigned_by_the_head()])
    view = supervision.get_case(office_request({}), "C00000001")
    assert view["callbacks"] == []
    assert view["closure_blockers"] == [said(NO_CALLBACK, "zh"), "办理报告缺少单位负责人签字"]
    called = supervision.record_callback(request(SATISFIED), "C00000001")[1]  # reached, satisfied: still open
    assert called["state"] == "awaiting_callback" and called["closure_blockers"] == ["办理报告缺少单位负责人签字"]
    assert supervision.get_case(office_request({}), "C00000001")["closure_blockers"] == called["closure_blockers"]


def test_a_closed_case_has_nothing_blocking_it(supervision):
    closed(supervision)
    assert supervision.get_case(office_request({}), "C00000001")["closure_blockers"] == []


# --- 4. the petitioner's page by any number of the case, in any case --------------------------------------

def code(report_id):
    return lookup_code(CONFIG["LINK_KEY"], report_id)


def test_a_case_number_typed_in_lower_case_opens_the_case(handled):
    assert citizens_page(handled, "c00000001")["case_id"] == "C00000001"
    assert citizens_page(handled, " r00000001 ")["case_id"] == "C00000001"  # its report's number too


def test_a_repeats_own_number_opens_its_case_with_the_code_its_caller_was_given(handled, database):
    handled.on_report_received([report_received("R00000003", duplicate_of="R00000001")])
    handled.on_report_received([report_received("R00000004")])  # not a repeat: nothing kept
    # intake gives a repeat the code of the case's first report; a repeat's own code would open it as well
    for number, secret in (("R00000003", code("R00000001")), ("r00000003", code("R00000003")),
                           ("C00000001", code("R00000003"))):
        assert citizens_page(handled, number, secret)["case_id"] == "C00000001", number
    rating = EnvironBuilder(method="POST", json={"resolved": "yes", "satisfaction": "satisfied"},
                            query_string={"secret": code("R00000001")}).get_request()
    assert handled.citizen_rating(rating, "R00000003")[1]["state"] == "closed"
    assert emitted(database, "callback.recorded")[0].data["case_id"] == "C00000001"


@pytest.mark.parametrize("number, secret", [
    ("R00000004", code("R00000001")),  # a report that joined no case: the case's code opens nothing by it
    ("C00000001", code("R00000004")),  # nor does that report's code open the case
    ("R00000003", code("R00000002")),  # a repeat's number with another case's code
    ("R00000005", code("R00000005")),  # a report supervision never heard of
])
def test_a_number_and_a_code_that_do_not_belong_together_open_nothing(handled, number, secret):
    handled.on_report_received([report_received("R00000003", duplicate_of="R00000001")])
    handled.on_report_received([report_received("R00000004")])
    with pytest.raises(NotFound):
        citizens_page(handled, number, secret)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_repeat_callers_number_and_code_open_the_case_through_the_office(office):
    """As the reviewer met it: the repeat's SMS names its own report number; typed with its code (and in lower
    case) on the public page, it opens the case the repeat joined."""
    with office.client("intake", "hotline-op-01") as intake:
        first = intake.post("/reports", json=REPORT).json()
        case = eventually(lambda: case_of(office, first["report_id"]))
        again = intake.post("/reports", json={
            **REPORT, "content": REPORT["content"] + "我也是这个村的，已经第二次反映了",
            "reporter": {"name": "张秀兰", "phone": "13912345678"}}).json()
        eventually(lambda: intake.get(f"/reports/{again['report_id']}").json()["duplicate_of"] == first["report_id"])
        told = intake.get(f"/reports/{again['report_id']}/citizen-link").json()  # what the operator reads out
    with office.client("supervision") as citizen:
        page = eventually(lambda: (answer := citizen.get(f"/public/cases/{again['report_id'].lower()}",
                                                         params={"secret": told["lookup_code"]})).status_code == 200
                          and answer.json())
    assert page["case_id"] == case["case_id"]
