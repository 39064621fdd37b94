"""Supervision's conscience: callbacks retried up to a cap, notices for overdue and repeatedly reopened
cases, notices and accountability by hand, and the board."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lianxin.errors import Conflict
from lianxin.events import new_event
from services.supervision import models, texts
from services.supervision.models import Notice
from tests.support.case_events import DEADLINE, dispatched, reported
from tests.support.supervision import emitted, office_request, request

NOT_REACHED = {"reached": False, "recorded_by": "callback-op-01"}
DISSATISFIED = {"reached": True, "resolved": "no", "satisfaction": "dissatisfied", "recorded_by": "callback-op-01"}


def test_a_petitioner_not_reached_is_tried_again_until_the_cap(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    for attempt in (1, 2):
        view = supervision.record_callback(request(NOT_REACHED), "C00000001")[1]
        assert view["state"] == "awaiting_callback", attempt
    with database.unit_of_work() as uow:
        case = uow.session.get(models.SupervisedCase, "C00000001")
        assert case.callback_attempts == 2
        assert case.callback_due_at == case.callbacks[-1].recorded_at + timedelta(hours=4)
    failed = supervision.record_callback(request(NOT_REACHED), "C00000001")[1]
    assert failed["state"] == "callback_failed"
    assert failed["closure_blockers"] == ["没有就最近一次办理报告联系上信访人的回访记录"]  # Chinese unless asked
    late = supervision.record_callback(request({**NOT_REACHED, "reached": True, "resolved": "yes",
                                                "satisfaction": "satisfied"}), "C00000001")[1]
    assert late["state"] == "closed"  # reached in the end: the case may still close


def test_an_overdue_case_brings_its_unit_one_notice_with_the_evidence(supervision, database):
    overdue = new_event("case.overdue", "C00000001", {
        "case_id": "C00000001", "unit": "chengguan", "stage": "overdue", "deadline": DEADLINE,
        "flagged_at": DEADLINE + timedelta(hours=1)})
    supervision.on_case_overdue([overdue])
    supervision.on_case_overdue([new_event("case.overdue", "C00000001", overdue.data)])  # flagged again: same cause
    supervision.on_case_overdue([new_event("case.overdue", "C00000002", {**overdue.data, "case_id": "C00000002",
                                                                      "stage": "near_deadline"})])
    [notice] = emitted(database, "notice.issued")
    assert notice.data["unit"] == "chengguan" and notice.data["evidence"] == ["C00000001"]
    assert (notice.data["kind"], notice.data["reason"]) == ("overdue", "")
    with database.unit_of_work() as uow:  # kept as codes, said in the reader's language (Chinese by default)
        assert texts.read_notice_reason(uow.session.scalars(select(Notice)).one().reason) == (
            f"案件C00000001超过办理期限（{DEADLINE.date().isoformat()}）仍未办结")


def test_a_case_sent_back_twice_brings_a_notice(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    for round_ in (0, 1):
        supervision.on_case_reported([reported(round_=round_)])
        supervision.record_callback(request(DISSATISFIED), "C00000001")
    [notice] = emitted(database, "notice.issued")
    assert (notice.data["kind"], notice.data["reason"]) == ("repeated_reopening", "")  # codes, no prose
    assert len(emitted(database, "case.reopened")) == 2


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_notices_and_accountability_by_hand_and_the_board(office):
    with office.client("supervision", "supervisor-01") as supervisor:
        unsaid = supervisor.post("/notices", json={  # the kind is the office's to say, never assumed
            "unit": "baiyang", "reason": "未按规定时限答复群众，弄虚作假", "evidence": ["C00000007"]})
        assert unsaid.status_code == 422 and unsaid.json()["error"]["details"] == [
            {"field": "kind", "problem": "请填写类别"}]
        notice = supervisor.post("/notices", json={
            "unit": "baiyang", "kind": "overdue", "reason": "未按规定时限答复群众，弄虚作假",
            "evidence": ["C00000007"]})
        assert notice.status_code == 201, notice.text
        assert notice.json()["kind"] == "overdue"
        assert supervisor.post("/notices", json={"unit": "atlantis", "kind": "rule_breaking", "reason": "查无此单位",
                                                 "evidence": ["C00000007"]}).status_code == 422
        record = supervisor.post("/accountability", json={
            "person": "张某", "post": "村党支部书记", "unit": "baiyang", "measure": "removal",
            "case_id": "C00000007", "reason": "对群众反映问题推诿扯皮"})
        assert record.status_code == 201, record.text
        board = supervisor.get("/board").json()
        listed = supervisor.get("/notices", params={"unit": "baiyang"}).json()["notices"]
    with office.client("supervision", "chengguan-handler") as handler:
        assert handler.post("/notices", json={"unit": "baiyang", "kind": "rule_breaking", "reason": "互相举报",
                                              "evidence": ["C00000007"]}).status_code == 403
    assert board["notices_by_unit"] == {"baiyang": 1} and board["accountability_by_unit"] == {"baiyang": 1}
    assert [n["notice_id"] for n in listed] == [notice.json()["notice_id"]]


# --- reviews (复查 / 复核) ------------------------------------------------------------------------------------

SATISFIED = {"reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "callback-op-01"}


def closed_case(supervision):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    return supervision.record_callback(request(SATISFIED), "C00000001")[1]


def test_a_report_that_does_not_hang_together_is_reviewed_before_the_case_can_close(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    nothing_done = reported()
    nothing_done = type(nothing_done).model_validate({**nothing_done.model_dump(), "data": {
        **nothing_done.data, "actions_taken": "暂无"}, "id": "another-id"})
    supervision.on_case_reported([nothing_done])
    called = supervision.record_callback(request(SATISFIED), "C00000001")[1]
    assert called["state"] == "awaiting_callback"
    assert called["closure_blockers"] == ["对办理情况的复查尚未结束"]
    [review] = called["reviews"]
    assert review["trigger"] == "inconsistent" and "未采取任何措施" in review["reason"]
    upheld = supervision.conclude_review(office_request({"outcome": "upheld", "findings": "电话核实确已恢复供水"}),
                                         review["review_id"])
    assert upheld["outcome"] == "upheld"
    with database.unit_of_work() as uow:
        assert uow.session.get(models.SupervisedCase, "C00000001").state == "closed"


def test_the_random_sample_is_stable_and_about_the_size_asked_for():
    from services.supervision.reviews import in_sample
    drawn = [in_sample(f"C{n:08d}", 0, 5) for n in range(2000)]
    assert 40 <= sum(drawn) <= 160
    assert drawn == [in_sample(f"C{n:08d}", 0, 5) for n in range(2000)]


def test_a_petitioner_may_ask_for_a_review_then_a_re_review_and_no_more(supervision, database):
    from lianxin.errors import Conflict
    assert closed_case(supervision)["state"] == "closed"
    first = supervision.request_review(office_request({"reason": "补发的低保金数额不对"}, "callback-op-01"),
                                       "C00000001")[1]
    assert (first["level"], first["trigger"]) == (1, "requested")
    with pytest.raises(Conflict, match="under review already"):
        supervision.request_review(office_request({"reason": "再次申请"}), "C00000001")
    supervision.conclude_review(office_request({"outcome": "upheld", "findings": "数额核对无误"}), first["review_id"])
    second = supervision.request_review(office_request({"reason": "仍不服，申请复核"}), "C00000001")[1]
    assert second["level"] == 2
    supervision.conclude_review(office_request({"outcome": "upheld", "findings": "复核维持"}), second["review_id"])
    with pytest.raises(Conflict, match="not taken up again"):
        supervision.request_review(office_request({"reason": "第三次申请复查"}), "C00000001")


def test_a_review_asked_for_too_late_is_refused_and_a_failed_review_reopens_the_case(supervision, database):
    from lianxin.errors import Conflict
    closed_case(supervision)
    with database.unit_of_work() as uow:
        uow.session.get(models.SupervisedCase, "C00000001").closed_at -= timedelta(days=31)
        uow.commit()
    with pytest.raises(Conflict, match="30 days to ask for a review"):
        supervision.request_review(office_request({"reason": "迟到的申请"}), "C00000001")
    with database.unit_of_work() as uow:
        uow.session.get(models.SupervisedCase, "C00000001").closed_at += timedelta(days=31)
        uow.commit()
    review = supervision.request_review(office_request({"reason": "问题没有解决"}), "C00000001")[1]
    supervision.conclude_review(office_request({"outcome": "failed", "findings": "实地复查发现仍未通水"}),
                                review["review_id"])
    [reopened] = emitted(database, "case.reopened")
    assert reopened.data["round"] == 1 and reopened.data["reason"] == "实地复查发现仍未通水"
    assert reopened.data["cause"] == "review_failed" and reopened.data["review_id"] == review["review_id"]


def test_the_petitioner_follows_and_rates_the_case_through_a_secret_link(supervision, database):
    from lianxin.errors import NotFound
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    link = supervision.citizen_link(office_request({}, "callback-op-01"), "C00000001")["path"]
    secret = link.split("secret=")[1]

    def as_citizen(body=None, secret=secret):
        from werkzeug.test import EnvironBuilder
        return EnvironBuilder(method="POST", json=body or {}, query_string={"secret": secret}).get_request()

    with pytest.raises(NotFound):
        supervision.public_case(as_citizen(secret="guess"), "C00000001")
    assert supervision.public_case(as_citizen(), "C00000001")["state"] == "awaiting_callback"
    rated = supervision.citizen_rating(as_citizen({"resolved": "yes", "satisfaction": "satisfied"}), "C00000001")[1]
    assert rated["state"] == "closed"
    asked = supervision.citizen_review_request(as_citizen({"reason": "想请上级再看看"}), "C00000001")[1]
    assert asked["level"] == 1
    [callback] = emitted(database, "callback.recorded")
    assert callback.data["recorded_by"] == "citizen"


def test_wrong_link_secrets_are_limited_per_address_and_per_case(supervision):
    from werkzeug.test import EnvironBuilder

    from lianxin.errors import NotFound, TooManyTries
    supervision.on_case_dispatched([dispatched()])
    secret = supervision.citizen_link(office_request({}, "callback-op-01"), "C00000001")["path"].split("secret=")[1]

    def citizen(secret, address="203.0.113.7"):
        return EnvironBuilder(query_string={"secret": secret}, environ_base={"REMOTE_ADDR": address}).get_request()

    for attempt in range(3):  # the limit in the fixture: 3 wrong secrets in 10 minutes
        with pytest.raises(NotFound):
            supervision.public_case(citizen(f"guess-{attempt}"), "C00000001")
    with pytest.raises(TooManyTries) as refused:  # the right secret too: else guessing would go on
        supervision.public_case(citizen(secret), "C00000001")
    assert 0 < refused.value.retry_after <= 600 and "address" in refused.value.message
    with pytest.raises(TooManyTries):  # this address, another case (the count comes before any look-up)
        supervision.public_case(citizen("guess"), "C00000002")
    with pytest.raises(TooManyTries) as refused:  # this case, from other addresses
        supervision.public_case(citizen(secret, "198.51.100.1"), "C00000001")
    assert "case" in refused.value.message
    with pytest.raises(NotFound):  # another address on another case is not held back
        supervision.public_case(citizen("guess", "198.51.100.2"), "C00000002")


# --- key cases and long-standing petitioners ---------------------------------------------------------------

def test_a_long_standing_petitioner_is_followed_up_until_settled_with_their_history(supervision):
    from lianxin.errors import Conflict
    supervision.on_case_dispatched([dispatched()])  # reporter_id comes with the dispatch
    pseudonym = "P" + "0" * 20
    with supervision.uow as uow:
        uow.session.get(models.SupervisedCase, "C00000001").reporter_id = pseudonym
        uow.commit()
    added = supervision.add_to_watch_list(office_request({
        "reporter_id": pseudonym, "lead_leader": "he-deputy-social", "help_team": ["民政局 王", "城关镇 李"],
        "reason": "反映低保问题十余年", "follow_up_days": 7}))[1]
    assert added["next_follow_up_at"] > added["added_at"]
    assert supervision.list_watch_list(office_request({}))["watch_list"][0]["entry_id"] == added["entry_id"]
    history = supervision.petitioner_history(office_request({}), pseudonym)
    assert [c["case_id"] for c in history["cases"]] == ["C00000001"]
    settled = supervision.follow_up(office_request({"note": "已解决，本人表示不再上访", "settled": True}),
                                    added["entry_id"])
    assert settled["settled_at"] is not None and settled["follow_ups"][0]["note"].startswith("已解决")
    assert supervision.list_watch_list(office_request({}))["watch_list"] == []
    with pytest.raises(Conflict, match="was settled"):
        supervision.follow_up(office_request({"note": "再次回访"}), added["entry_id"])


def test_a_dissatisfied_petitioner_sends_the_case_back_and_the_open_review_of_that_round_is_set_aside(
        supervision, database):
    """closure.py: a review that can no longer change the outcome is not left open on the case."""
    supervision.on_case_dispatched([dispatched()])
    nothing_done = reported()
    nothing_done = type(nothing_done).model_validate({**nothing_done.model_dump(), "data": {
        **nothing_done.data, "actions_taken": "暂无"}, "id": "another-id"})
    supervision.on_case_reported([nothing_done])  # reviewed before it may close
    [open_review] = supervision.get_case(office_request({}), "C00000001")["reviews"]
    assert open_review["can_change_outcome"] is True
    back = supervision.record_callback(request(DISSATISFIED), "C00000001")[1]
    assert back["state"] == "in_handling"
    [review] = back["reviews"]  # no review of its own: the dissatisfaction sent the case back
    assert (review["trigger"], review["outcome"], review["concluded_by"]) == ("inconsistent", "superseded", "system")
    assert review["can_change_outcome"] is False
    with pytest.raises(Conflict, match="was concluded already") as refused:
        supervision.conclude_review(office_request({"outcome": "failed", "findings": "首次办理敷衍了事"}),
                                    review["review_id"])
    assert refused.value.said_in("zh")[0] == f"复查 {review['review_id']} 已有结论（已搁置：案件已退回承办单位重办）"
    supervision.on_case_reported([reported(round_=1)])  # the unit's second report
    closed = supervision.record_callback(request(SATISFIED), "C00000001")[1]
    assert closed["state"] == "closed" and closed["closure_blockers"] == []
    board = supervision.board(office_request({}))
    assert board["reviews_open"] == 0 and board["reopen_rate"] == 100.0
    assert supervision.list_reviews(office_request({}, "supervisor-01"))["reviews"][0]["outcome"] == "superseded"


def test_a_review_asked_for_after_closure_leaves_the_case_closed_and_can_still_send_it_back(supervision, database):
    closed_case(supervision)
    asked = supervision.request_review(office_request({"reason": "水管又漏了"}, "callback-op-01"), "C00000001")[1]
    case = supervision.get_case(office_request({}), "C00000001")
    assert case["state"] == "closed" and [r["can_change_outcome"] for r in case["reviews"]] == [True]
    supervision.conclude_review(office_request({"outcome": "failed", "findings": "现场核实仍在漏水"}),
                                asked["review_id"])
    assert supervision.get_case(office_request({}), "C00000001")["state"] == "in_handling"
    assert len(emitted(database, "case.reopened")) == 1


def test_redelivered_events_change_supervision_once(supervision, database):
    from lianxin.db import AlreadyApplied
    handling_report = reported()
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([handling_report])
    with pytest.raises(AlreadyApplied):
        supervision.on_case_reported([handling_report])
    overdue = new_event("case.overdue", "C00000001", {
        "case_id": "C00000001", "unit": "chengguan", "stage": "overdue", "deadline": DEADLINE,
        "flagged_at": DEADLINE + timedelta(hours=1)})
    supervision.on_case_overdue([overdue])
    with pytest.raises(AlreadyApplied):
        supervision.on_case_overdue([overdue])
    assert len(emitted(database, "notice.issued")) == 1


def test_the_office_sends_a_closed_case_back_to_its_unit_with_the_reason(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    assert supervision.record_callback(request(SATISFIED), "C00000001")[1]["state"] == "closed"
    view = supervision.reopen_case(request({"reason": "群众再次来电，路灯仍未修复"}, "supervisor-01"), "C00000001")
    assert view["state"] == "in_handling" and view["reopen_count"] == 1
    [reopened] = emitted(database, "case.reopened")
    assert reopened.data["round"] == 1 and reopened.data["reason"] == "群众再次来电，路灯仍未修复"
    assert reopened.data["cause"] == "office" and reopened.data["reopened_by"] == "supervisor-01"


def test_a_case_still_with_its_unit_has_no_handling_to_refuse_and_operators_may_not_reopen(supervision):
    from lianxin.auth import Forbidden
    from lianxin.errors import Conflict
    supervision.on_case_dispatched([dispatched()])
    with pytest.raises(Conflict, match="in handling: it is with its unit already"):
        supervision.reopen_case(request({"reason": "办理不实"}, "supervisor-01"), "C00000001")
    with pytest.raises(Forbidden):
        supervision.reopen_case(request({"reason": "办理不实"}), "C00000001")


def test_a_callback_is_recorded_as_the_person_signed_in_whatever_the_body_says(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    supervision.on_case_reported([reported()])
    for claimed in ("supervisor-01", "citizen"):  # an operator once recorded callbacks as both
        view = supervision.record_callback(request({**NOT_REACHED, "recorded_by": claimed}, "hotline-op-01"),
                                           "C00000001")[1]
        assert view["callbacks"][-1]["recorded_by"] == "hotline-op-01"
    supervision.record_callback(request({**SATISFIED, "recorded_by": "citizen"}, "hotline-op-01"), "C00000001")
    assert [c.data["recorded_by"] for c in emitted(database, "callback.recorded")] == ["hotline-op-01"] * 3
