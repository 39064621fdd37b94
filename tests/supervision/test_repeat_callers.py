"""Several callers share a case (a repeat report joins the case of the report it repeats): a repeat caller's
rating through the link of their own report is heard, but does not close the shared case (closure.py)."""
import pytest
from werkzeug.test import EnvironBuilder

from lianxin.citizen_link import lookup_code
from lianxin.errors import Conflict
from services.supervision.closure import NO_CALLBACK
from services.supervision.models import SupervisedCase
from tests.support.builders import report_received
from tests.support.case_events import dispatched, reported
from tests.support.supervision import CONFIG, emitted, request

SATISFIED = {"resolved": "yes", "satisfaction": "satisfied"}
DISSATISFIED = {"resolved": "no", "satisfaction": "dissatisfied"}
FIRST, REPEAT = "R00000001", "R00000003"  # the report the case was made from, and a repeat that joined it


@pytest.fixture
def shared(supervision):
    """C00000001, answered by its unit, with a repeat's caller sharing it."""
    supervision.on_case_dispatched([dispatched()])
    supervision.on_report_received([report_received(REPEAT, duplicate_of=FIRST)])
    supervision.on_case_reported([reported()])
    return supervision


def rate(supervision, answers: dict, whose: str, number: str | None = None) -> dict:
    """The petitioner of report ``whose`` rates through their link (naming their own report, or ``number``)."""
    rating = EnvironBuilder(method="POST", json=answers,
                            query_string={"secret": lookup_code(CONFIG["LINK_KEY"], whose)}).get_request()
    return supervision.citizen_rating(rating, number or whose)[1]


def case_seen_by_the_office(supervision) -> dict:
    return supervision.get_case(request({}, "supervisor-01"), "C00000001")


def test_a_repeat_callers_satisfaction_is_recorded_but_does_not_close_the_shared_case(shared, database):
    assert rate(shared, SATISFIED, REPEAT)["state"] == "awaiting_callback"
    case = case_seen_by_the_office(shared)
    assert [c["repeat_report"] for c in case["callbacks"]] == [REPEAT]
    assert case["closure_blockers"] == [said_zh(NO_CALLBACK)]  # the case's own petitioner is still to be heard
    with database.unit_of_work() as uow:
        assert uow.session.get(SupervisedCase, "C00000001").callback_due_at is not None  # the office still calls
    [heard] = emitted(database, "callback.recorded")
    assert (heard.data["recorded_by"], heard.data["satisfaction"]) == ("citizen", "satisfied")  # counted
    assert emitted(database, "case.closed") == []

    assert rate(shared, SATISFIED, FIRST)["state"] == "closed"  # the petitioner the case was made from
    [closed] = emitted(database, "case.closed")
    assert closed.data["satisfaction"] == "satisfied"


def test_the_offices_callback_closes_a_case_a_repeat_caller_rated(shared):
    rate(shared, SATISFIED, REPEAT)
    view = shared.record_callback(request({"reached": True, **SATISFIED}), "C00000001")[1]
    assert view["state"] == "closed"


def test_a_repeat_caller_who_finds_the_matter_unsolved_sends_the_case_back(shared, database):
    assert rate(shared, DISSATISFIED, REPEAT, number="C00000001")["state"] == "in_handling"
    [reopened] = emitted(database, "case.reopened")
    assert reopened.data["cause"] == "dissatisfied"


def citizens_page(supervision, whose: str) -> dict:
    opened = EnvironBuilder(query_string={"secret": lookup_code(CONFIG["LINK_KEY"], whose)}).get_request()
    return supervision.public_case(opened, whose)


def test_a_repeat_caller_rates_each_answer_once(shared):
    assert citizens_page(shared, REPEAT)["rated"] is False
    assert rate(shared, {**SATISFIED, "satisfaction": "neutral"}, REPEAT)["rated"] is True
    assert citizens_page(shared, REPEAT)["rated"] is True  # their page shows the result, not the form
    assert citizens_page(shared, FIRST)["rated"] is False  # the case's own petitioner is still to rate
    with pytest.raises(Conflict) as refused:
        rate(shared, SATISFIED, REPEAT)
    assert refused.value.said_in("zh")[0] == "您对案件 C00000001 本次答复的评价已经记录"
    assert len(case_seen_by_the_office(shared)["callbacks"]) == 1


def test_a_repeat_caller_given_the_first_reports_code_rates_as_the_cases_petitioner(shared):
    """What intake gives a repeat caller decides whose rating it is: the first report's code is the petitioner's."""
    assert rate(shared, SATISFIED, FIRST, number=REPEAT)["state"] == "closed"


def said_zh(message_id: str) -> str:
    from lianxin.i18n import translations
    return translations("zh").gettext(message_id)
