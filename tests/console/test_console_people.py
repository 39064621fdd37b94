"""The citizen's page and the staff forms as rendered, without an office (issue 18, items 3-5): nothing is answered
for a person before they choose, the citizen reads what became of their rating and their request for a review, a
repeat caller's rating and link are their own, a case supervision does not yet show its reader still opens, and the
printed notice and the case page say a place once, in the reader's punctuation."""
from __future__ import annotations

import re

import httpx
import pytest
from bs4 import BeautifulSoup

from lianxin.directory import load_directory
from lianxin.settings import SAMPLE_DEPLOY
from services.console import pages
from services.console.backend import Backend
from services.console.flash import Refusal
from services.console.rendering import fragment
from services.console.session import Visitor
from tests.support.builders import staff
from tests.support.console_pages import CASE, REPORT, SUPERVISED, case_file_page, case_page

FOUND = {"case_id": "C00000009", "state": "awaiting_callback", "deadline": None, "finding": "substantiated",
         "actions_taken": "已修复水管", "closed_at": None, "reopen_count": 0, "reviews": [], "repair_photos": [],
         "rated": False}


def public_page(lang: str, **context) -> BeautifulSoup:
    directory = load_directory(SAMPLE_DEPLOY / "county.yaml")
    base = {"visitor": Visitor(lang), "names": pages.names(directory), "county": directory, "path": "/",
            "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "error": None, "kept": None, "not_found": False,
            "rated": False, "just_rated": False, "review_asked": False, "secret": "s", "found": None, "case_id": ""}
    return BeautifulSoup(fragment(lang, "public.html", **{**base, **context}), "html.parser")


def chosen(form, name: str) -> str:
    """What a select of the page would send as it opens (the browser sends the first option if none is selected)."""
    select = form.select_one(f"select[name={name}]")
    picked = select.select("option[selected]") or select.select("option")
    return picked[0]["value"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rating_form_answers_nothing_for_the_citizen(lang):
    rating = public_page(lang, found=FOUND).select_one("#rating")
    assert chosen(rating, "resolved") == "" and chosen(rating, "satisfaction") == ""


def test_a_refused_rating_keeps_what_the_citizen_chose():
    kept = Refusal(422, "invalid", "“是否满意”：必须选择", None, {"resolved": "no", "comment": "还在漏"}, "rating")
    page = public_page("zh", found=FOUND, kept=kept)
    rating = page.select_one("#rating")
    assert chosen(rating, "resolved") == "no" and chosen(rating, "satisfaction") == ""
    assert rating.select_one("textarea[name=comment]").text == "还在漏"
    assert "必须选择" in page.select_one(".refusal").text


@pytest.mark.parametrize("lang, said", [("zh", "谢谢"), ("en", "Thank you")])
def test_a_caller_who_rated_the_latest_answer_sees_their_rating_not_the_form(lang, said):
    page = public_page(lang, found={**FOUND, "rated": True})  # supervision's word: a fresh browser, a repeat caller
    assert not page.select("#rating") and said in page.select_one("#rated").text


@pytest.mark.parametrize("lang, went_back", [("zh", "退回承办单位重新办理"), ("en", "went back to the unit")])
def test_a_dissatisfied_rating_says_the_case_went_back_also_after_back(lang, went_back):
    reopened = {**FOUND, "state": "in_handling", "reopen_count": 1, "finding": None}
    just = public_page(lang, found=reopened, just_rated="1")
    assert went_back in just.select_one("#rated").text and not just.select("#rating")
    back = public_page(lang, found=reopened)  # Back: the form's address, asked again
    assert went_back in back.select_one("#went-back").text
    fresh = public_page(lang, found={**reopened, "reopen_count": 0})
    assert not fresh.select("#went-back") and fresh.select_one("#in-handling")


@pytest.mark.parametrize("lang, accepted", [("zh", "您的复查申请已受理，将于2026年12月20日前书面答复"),
                                             ("en", "will answer it in writing by 20 Dec 2026")])
def test_a_review_under_way_is_said_with_its_due_day_and_not_asked_again(lang, accepted):
    closed = {**FOUND, "state": "closed", "closed_at": "2026-11-30T10:00:00+08:00",
              "reviews": [{"level": 1, "outcome": None, "due_at": "2026-12-20T10:00:00+08:00"}]}
    page = public_page(lang, found=closed)  # a fresh load, days after the request
    assert accepted in page.select_one("#review-accepted").text
    assert not page.select("#review-request") and not page.select("#may-still")


@pytest.mark.parametrize("lang, until", [("zh", "可在2026年12月30日前在此申请复查"),
                                          ("en", "you may ask for a review here until 30 Dec 2026")])
def test_a_closed_case_says_until_when_a_review_may_be_asked_for(lang, until):
    closed = {**FOUND, "state": "closed", "closed_at": "2026-11-30T10:00:00+08:00"}
    page = public_page(lang, found=closed, review_until="2026-12-30T10:00:00+08:00")  # the console's count
    assert until in page.select_one("#may-still").text and page.select_one("#review-request")
    told = public_page(lang, found={**closed, "review_until": "2026-12-30T10:00:00+08:00"})  # supervision's word
    assert until in told.select_one("#may-still").text
    upheld = {**closed, "reviews": [{"level": 1, "outcome": "upheld", "due_at": "2026-12-20T10:00:00+08:00"}]}
    after_review = public_page(lang, found=upheld, review_until="2026-12-30T10:00:00+08:00")
    assert until not in after_review.select_one("#may-still").text  # a re-review counts from the review's answer
    assert after_review.select_one(".review-outcome") and after_review.select_one("#review-request")


def test_back_after_a_rating_that_sent_the_case_back_says_so():
    reopened = {**FOUND, "state": "in_handling", "reopen_count": 1, "finding": None}
    page = public_page("zh", found=reopened, rated_then_sent_back=True)
    assert "谢谢" in page.select_one("#rated").text and "退回承办单位" in page.select_one("#rated").text


@pytest.mark.parametrize("lang, label", [("zh", "查询码"), ("en", "Lookup code")])
def test_the_lookup_asks_for_the_lookup_code(lang, label):
    assert label in public_page(lang).select_one("#lookup").text and "Secret" not in public_page(lang).text


AWAITING = {**SUPERVISED, "state": "awaiting_callback", "anonymous": False,
            "reviews": [{"review_id": "RV000001", "level": 1, "trigger": "sample", "reason": "抽查",
                         "due_at": "2026-12-20T10:00:00+08:00", "outcome": None, "findings": None,
                         "can_change_outcome": True}]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_callback_and_review_forms_answer_nothing_for_the_supervisor(lang):
    page = case_page(lang, staff("supervisor"), case={**CASE, "state": "reported"}, supervised=AWAITING)
    callback = page.select_one("details[data-action=callback] form")
    assert [chosen(callback, f) for f in ("reached", "resolved", "satisfaction")] == ["", "", ""]
    assert not callback.select_one("select[name=reached]").has_attr("required")  # supervision refuses it, naming it
    review = page.select_one("details[data-action=conclude_review] form")
    assert chosen(review, "outcome") == ""


@pytest.mark.parametrize("lang, breaking", [("zh", "违反规定"), ("en", "breaking the rules")])
def test_a_notice_by_hand_asks_its_kind_and_chooses_none(lang, breaking):
    kinds = pages.case(office_answering({("dispatch", "/cases/C00000001"): CASE,
                                         ("dispatch", "/cases/C00000001/history"): {"history": []},
                                         ("supervision", "/notices"): {"notices": []}}),
                       staff("supervisor"), "C00000001")["notice_kinds"]
    notice = case_page(lang, staff("supervisor"), notice_kinds=kinds).select_one("details[data-action=notice] form")
    assert chosen(notice, "kind") == "" and breaking in notice.select_one("select[name=kind]").text
    assert {o["value"] for o in notice.select("select[name=kind] option")} == {"", *kinds}


def test_a_refused_conclusion_comes_back_with_the_outcome_chosen():
    page = case_page("zh", staff("supervisor"), case={**CASE, "state": "reported"}, supervised=AWAITING,
                     failed="conclude_review", draft={"outcome": "failed", "findings": "未整改"})
    review = page.select_one("details[data-action=conclude_review]")
    assert review.has_attr("open") and chosen(review, "outcome") == "failed"


CALLBACKS = [{"callback_id": "CB1", "reached": True, "resolved": "no", "satisfaction": "dissatisfied", "comment": "",
              "recorded_by": "citizen", "recorded_at": "2026-11-03T09:00:00+08:00", "repeat_report": "R00000004"},
             {"callback_id": "CB2", "reached": True, "resolved": "yes", "satisfaction": "satisfied", "comment": "",
              "recorded_by": "citizen", "recorded_at": "2026-11-03T10:00:00+08:00", "repeat_report": None}]


@pytest.mark.parametrize("lang, other, petitioner", [("zh", "另一位反映人（反映件 R00000004）", "信访人"),
                                                      ("en", "another caller (report R00000004)", "the petitioner")])
def test_a_repeat_callers_rating_is_theirs_not_the_petitioners(lang, other, petitioner):
    supervised = {**AWAITING, "callbacks": CALLBACKS}
    for page, selector in ((case_page(lang, staff("supervisor"), supervised=supervised), "#callbacks li"),
                           (case_file_page(lang, staff("supervisor"), supervised=supervised), "#file-callbacks li")):
        repeat, own = page.select(selector)
        assert other in repeat.text and petitioner not in repeat.text
        assert petitioner in own.text and "R00000004" not in own.text


def test_each_report_of_the_case_is_read_out_with_its_own_code():
    links = [{"report_id": "R00000001", "number": "C00000001", "lookup_code": "first-code", "path": "/p?secret=first"},
             {"report_id": "R00000004", "number": "C00000001", "lookup_code": "repeat-code", "path": "/p?secret=rep"}]
    page = case_page("zh", staff("operator"), citizen_links=links)
    first, repeat = page.select("#citizen-links li")
    assert "first-code" in first.text and "repeat-code" not in first.text
    assert repeat["data-report"] == "R00000004" and "repeat-code" in repeat.text and "重复反映" in repeat.text


def office_answering(answers: dict) -> Backend:
    """A backend whose services answer ``answers[(service, path)]``: a dict (200) or a status (refused)."""
    def answer(service):
        def respond(request: httpx.Request) -> httpx.Response:
            found = answers.get((service, request.url.path), 404)
            if isinstance(found, int):
                return httpx.Response(found, json={"error": {"code": "refused", "message": "refused"}})
            return httpx.Response(200, json=found)
        return httpx.Client(transport=httpx.MockTransport(respond), base_url=f"http://{service}")
    return Backend({s: answer(s) for s in ("intake", "dispatch", "supervision", "notifications", "accounts")}, "t")


def test_a_unit_the_case_was_just_routed_to_reads_it_before_supervision_heard_of_the_move():
    api = office_answering({
        ("dispatch", "/cases/C00000001"): {**CASE, "unit": "baiyang"},
        ("dispatch", "/cases/C00000001/history"): {"history": []},
        ("supervision", "/cases/C00000001"): 403,  # still the former unit's there
        ("supervision", "/notices"): {"notices": [], "next_after": None},
        ("intake", "/reports/R00000001"): 403})
    handler = staff("unit_handler", "baiyang")
    shown = pages.case(api, handler, "C00000001")
    assert shown["supervised"] is None and shown["citizen_links"] == []
    assert pages.case_file(api, "C00000001")["supervised"] is None
    page = case_page("zh", handler, case={**CASE, "unit": "baiyang"}, supervised=None, report=None)
    assert page.select_one("#unit") and "baiyang" not in page.select_one("#unit").text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_and_the_case_page_say_a_place_once_in_the_readers_punctuation(lang):
    directory = load_directory(SAMPLE_DEPLOY / "county.yaml")
    at_gate = {**CASE, "unit": "shihe", "township": "shihe", "village": "shihe-hekou", "location": "河口村村委会门口"}
    notice = BeautifulSoup(fragment(lang, "notice_body.html", case=at_gate, names=pages.names(directory),
                                    county=directory, report=None, printed_in_notice=False), "html.parser")
    place = notice.select_one("#notice-place").text
    assert place.count("河口村") == 1 and (lang == "en" or not set(place) & {",", ":"})
    assert notice.select("p")[1].text.endswith("：" if lang == "zh" else ": ")
    report = {**REPORT, "township": "shihe", "village": "shihe-hekou", "location": "河口村村委会门口"}
    shown = case_page(lang, staff("supervisor"), report=report).select_one("#place").text
    assert shown.count("河口村") == 1 and shown.startswith("石河镇")
    if lang == "zh":
        assert place == shown == "石河镇河口村村委会门口"


def test_the_chinese_case_page_and_case_file_use_chinese_punctuation():
    case = {**CASE, "instructions": [{"leader": "li-secretary", "level": "county", "comment": "抓紧办理",
                                      "instructed_at": "2026-11-02T09:00:00+08:00"}]}
    supervised = {**AWAITING, "callbacks": CALLBACKS}
    notices = [{"notice_id": "N1", "issued_at": "2026-11-04T09:00:00+08:00", "reason": "推进迟缓", "kind": "overdue",
                "evidence": ["C00000001"]}]
    links = [{"report_id": "R00000004", "number": "C00000001", "lookup_code": "c0de", "path": "/p"}]
    page = case_page("zh", staff("supervisor"), case=case, supervised=supervised, notices=notices,
                     citizen_links=links)
    read = [page.select_one("#unit"), page.select_one(".facts dd"), *page.select("#callbacks li"),
            *page.select("#reviews li"), *page.select("#citizen-links li"), *page.select(".facts ul li")]
    printed = case_file_page("zh", staff("supervisor"), case=case, supervised=supervised, notices=notices)
    read += printed.select("#file-callbacks li") + printed.select("li")
    for part in read:
        said = " ".join(part.text.split())
        assert not re.search(r"[(),]|: ", said), said
    assert "城关镇（乡镇）" in page.select_one("#unit").text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_open_review_of_a_round_left_behind_is_not_offered_to_conclude(lang):
    behind = {**AWAITING["reviews"][0], "review_id": "RV000002", "can_change_outcome": False}
    page = case_page(lang, staff("supervisor"), case={**CASE, "state": "reported"},
                     supervised={**AWAITING, "reviews": [behind, *AWAITING["reviews"]]})
    offered = [f.select_one("input[name=review_id]")["value"]
               for f in page.select("details[data-action=conclude_review] form")]
    assert offered == ["RV000001"]


@pytest.mark.parametrize("lang, awaiting, set_aside", [
    ("zh", "待回访", "已搁置：案件已退回承办单位重办"),
    ("en", "awaiting callback", "set aside: the case went back to its unit")])
def test_a_reported_case_awaits_its_callback_and_a_review_left_behind_was_set_aside(lang, awaiting, set_aside):
    """Dispatch's "reported" is said as the dashboard says it; a review of a round the case left is set aside."""
    header = case_page(lang, staff("supervisor"), case={**CASE, "state": "reported"}, supervised=None)
    assert header.select_one("#case-state").text == awaiting
    left = {**AWAITING["reviews"][0], "outcome": "superseded", "findings": None, "can_change_outcome": False}
    case_file = case_file_page(lang, staff("supervisor"), case={**CASE, "state": "reported"},
                               supervised={**AWAITING, "reviews": [left]}, state="reported")
    assert awaiting in case_file.select_one(".docno").text and set_aside in case_file.text


@pytest.mark.parametrize("lang, mark", [("zh", "〔电话〕"), ("en", "[phone number]")])
def test_the_case_page_says_the_mark_of_a_phone_number_taken_out_in_the_readers_language(lang, mark):
    story = {**REPORT, "content": "东关村危房漏雨，请回电〔电话〕"}
    said = case_page(lang, staff("supervisor"), report=story).text
    assert f"请回电{mark}" in said and ("〔电话〕" not in said) is (lang == "en")
