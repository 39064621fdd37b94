"""The console's pages as rendered, without an office: where a case stands, what a refusal leaves for the
form, what the citizen may still do. The browser tests (test_console_forms.py) walk the same in Chromium."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from lianxin.auth import Staff
from lianxin.directory import load_directory
from lianxin.settings import SAMPLE_DEPLOY
from lianxin.vocabulary import CHINESE_PHONE
from services.console import pages
from services.console.backend import BackendError
from services.console.flash import Refusal, Refusals
from services.console.rendering import fragment
from services.console.session import Visitor
from services.console.standing import nothing_to_do, standing
from tests.support.builders import staff
from tests.support.console_pages import CASE

REPORT = {"report_id": "R00000001", "content": "东关村危房漏雨", "village": "chengguan-dongguan",
          "township": "chengguan", "location": None, "reporter": None, "attachments": []}
SUPERVISED = {"state": "in_handling", "callbacks": [], "reviews": [], "attachments": []}


def county():
    return load_directory(SAMPLE_DEPLOY / "county.yaml")


def case_page(lang: str, person: Staff, case=CASE, supervised=SUPERVISED, **extra) -> BeautifulSoup:
    directory = county()
    state = standing(case, supervised)
    context = {"visitor": Visitor(lang, person, "t"), "names": pages.names(directory), "county": directory,
               "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "case": case,
               "urgency": None, "history": [], "report": REPORT, "supervised": supervised, "citizen_link": None,
               "notices": [], "supervision_state": supervised and supervised["state"], "state": state,
               "nothing_to_do": nothing_to_do(state), "done": None, "kept": None, "failed": None,
               "draft": {}, "error": None, **extra}
    return BeautifulSoup(fragment(lang, "case.html", **context), "html.parser")


def test_the_header_shows_supervisions_state_once_the_handling_report_reached_it():
    lagging = {**CASE, "state": "reported"}
    page = case_page("zh", staff("supervisor"), case=lagging, supervised={**SUPERVISED, "state": "closed"})
    assert page.select_one("#case-state").text == "已办结"
    assert "待回访" not in page.select_one("h1").text and len(page.select(".state")) == 1
    assert standing({**CASE, "state": "accepted"}, {**SUPERVISED, "state": "in_handling"}) == "accepted"


@pytest.mark.parametrize("lang, words", [("zh", "等待承办单位提交办理报告"),
                                         ("en", "waits for its unit's handling report")])
def test_an_empty_action_box_says_why(lang, words):
    operator = case_page(lang, staff("operator"), case={**CASE, "state": "accepted"})
    assert words in operator.select_one("#nothing-to-do").text  # what the case waits for
    closed = case_page(lang, staff("leader"), case={**CASE, "state": "closed"},
                       supervised={**SUPERVISED, "state": "closed"})
    assert closed.select("#actions [data-action=instruct]")  # a leader may still instruct: no excuse shown
    assert not closed.select("#nothing-to-do")


def test_the_route_and_instruction_forms_preselect_no_one():
    page = case_page("zh", staff("supervisor"))
    for select in ("details[data-action=route] select[name=unit]", "details[data-action=instruct] select[name=leader]"):
        chosen = page.select_one(select).select("option")
        assert chosen[0]["value"] == "" and not any(o.has_attr("selected") for o in chosen), select
        assert page.select_one(select).has_attr("required")


def test_the_handling_report_preselects_no_finding():
    """A unit that forgot to choose would have reported its case substantiated."""
    page = case_page("zh", staff("unit_handler", "chengguan"), case={**CASE, "state": "accepted"})
    chosen = page.select_one("details[data-action=report] select[name=finding]").select("option")
    assert chosen[0]["value"] == "" and not any(o.has_attr("selected") for o in chosen)


def test_a_refused_form_comes_back_open_with_the_reason_and_what_was_typed():
    refusal = Refusal(422, "invalid", "the reason is too short", [{"field": "reason", "problem": "too short"}],
                      {"unit": "baiyang", "reason": "错"}, "route")
    page = case_page("zh", staff("supervisor"), kept=refusal, failed="route", draft=refusal.draft)
    route = page.select_one("details[data-action=route]")
    assert route.has_attr("open") and route.select_one("textarea[name=reason]").text == "错"
    assert route.select_one("option[value=baiyang]").has_attr("selected")
    assert "the reason is too short" in page.select_one(".refusal").text
    assert page.select_one("details[data-action=instruct] textarea[name=comment]").text == ""


def test_a_refusal_is_found_again_by_its_own_person_only():
    refusals = Refusals({})
    key = refusals.keep("token-a", Refusal.of(BackendError("dispatch", 409, "conflict", "no"), {"x": "1"}, "route"))
    assert refusals.find("token-a", key).draft == {"x": "1"}
    assert refusals.find("token-a", key).action == "route"  # a reload shows it again
    assert refusals.find("token-b", key) is None and refusals.find("token-a", "guessed") is None


def public_page(lang: str, **context) -> BeautifulSoup:
    directory = county()
    base = {"visitor": Visitor(lang), "names": pages.names(directory), "county": directory, "path": "/",
            "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "error": None, "kept": None, "not_found": False,
            "rated": False, "just_rated": False, "review_asked": False, "secret": "", "found": None, "case_id": ""}
    return BeautifulSoup(fragment(lang, "public.html", **{**base, **context}), "html.parser")


def test_a_wrong_code_keeps_the_case_number_and_explains_in_chinese():
    page = public_page("zh", case_id="C00000007", not_found=True,
                       error=BackendError("supervision", 404, "not_found", "no case 'C00000007' for this link"))
    assert page.select_one("input[name=case_id]")["value"] == "C00000007"
    assert "没有找到" in page.select_one("#lookup-refused").text
    assert "for this link" not in page.text


def test_a_closed_case_tells_the_citizen_what_they_may_still_do():
    found = {"case_id": "C1", "state": "closed", "deadline": None, "finding": "substantiated",
             "actions_taken": "已修复", "closed_at": "2026-11-02T10:00:00+08:00", "reopen_count": 0, "reviews": [],
             "repair_photos": []}
    page = public_page("zh", found=found, secret="s")
    assert "复查" in page.select_one("#after-closing").text and page.select_one("#review-request")
    asking = page.select_one("#review-request")  # with photos of how it is now, chosen or taken with the phone
    assert asking["enctype"] == "multipart/form-data" and asking.select_one("input[type=file][name=files][capture]")
    assert not page.select("#rating")
    rated = public_page("zh", found={**found, "state": "awaiting_callback"}, secret="s", rated=True)
    assert not rated.select("#rating") and rated.select_one("#rated")  # Back shows the result, not the form


@pytest.mark.parametrize("number, chinese", [("13800138000", True), ("+8613800138000", True),
                                             ("0571-87654321", True), ("057187654321", True), ("12345", False),
                                             ("138123456789999", False), ("23800138000", False)])
def test_phone_numbers_are_chinese_mobile_or_landline_numbers(number, chinese):
    assert bool(re.fullmatch(CHINESE_PHONE, number)) == chinese


@pytest.mark.parametrize("lang, choose, camera", [("zh", "选择文件", "拍照"), ("en", "Choose files", "Take a photo")])
def test_a_file_is_chosen_with_a_button_in_the_pages_language(lang, choose, camera):
    """Chromium says "Choose Files / No file chosen" in its own language: the page's words are the button."""
    report = case_page(lang, staff("unit_handler", "chengguan"), case={**CASE, "state": "accepted"}).select_one(
        "details[data-action=report]")
    photos, document = report.select("[data-files]")
    assert [b.text for b in photos.select(".pick-button")] == [choose, camera]
    assert photos.select_one(".pick input[type=file][multiple]") and photos.select_one(".chosen")
    assert document["data-files"] == "chosen-only" and not document.select("input[multiple]")
    assert document.select_one(".chosen") and document.select_one(".pick-button").text != choose


def audit_page(lang: str, entries: list[dict], people: dict) -> BeautifulSoup:
    directory = county()
    context = {"visitor": Visitor(lang, staff("administrator"), "t"), "names": pages.names(directory),
               "county": directory, "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0,
               "entries": entries, "subject": "", "people": people, "error": None}
    return BeautifulSoup(fragment(lang, "audit.html", **context), "html.parser")


@pytest.mark.parametrize("lang, words", [
    ("zh", ["角色：承办人", "单位：城关镇", "须修改密码：是"]),
    ("en", ["role: unit handler", "unit: 城关镇", "must change password: yes"])])
def test_the_audit_log_says_each_change_in_words_and_people_by_name(lang, words):
    account = {"user_name": "chen-jing", "display_name": "陈静", "role": "operator", "unit": None, "village": None,
               "enterprise": None, "mobile": "139****5678", "email": None, "active": True,
               "must_change_password": False, "external": False}
    changed = {**account, "role": "unit_handler", "unit": "chengguan", "must_change_password": True}
    entries = [{"entry_id": "AU00000001", "at": "2026-11-02T09:00:00+08:00", "actor": "admin",
                "action": "account_changed", "subject": "chen-jing", "before": account, "after": changed},
               {"entry_id": "AU00000002", "at": "2026-11-02T10:00:00+08:00", "actor": "single-sign-on",
                "action": "changed", "subject": "chen-jing", "before": changed, "after": {**changed, "active": False}}]
    page = audit_page(lang, entries, {"chen-jing": "陈静", "admin": "管理员王"})
    first, second = page.select("#audit tbody tr")
    cells = [td.text for td in first.select("td")]
    assert "管理员王" in cells[1] and "陈静" in cells[3] and "chen-jing" in cells[3]  # the name, and who signs in
    assert all(w in cells[5] for w in words) and "=" not in cells[5] and "unit_handler" not in cells[5]
    assert [f["data-field"] for f in first.select("td")[4].select(".field")] == ["role", "unit",
                                                                                 "must_change_password"]
    assert ("停用" if lang == "zh" else "disabled") in second.select("td")[5].text
    assert ("统一身份认证" if lang == "zh" else "the identity platform") in second.select("td")[1].text


@pytest.mark.parametrize("lang, words", [("zh", "无法回访"), ("en", "no callback was possible")])
def test_an_anonymous_case_records_that_nobody_could_be_called_back(lang, words):
    """Supervision refuses a callback that reached the petitioner of an anonymous report (issue 18, item 11)."""
    waiting = {**SUPERVISED, "state": "awaiting_callback", "anonymous": True}
    form = case_page(lang, staff("supervisor"), case={**CASE, "state": "reported"}, supervised=waiting).select_one(
        "details[data-action=callback]")
    assert words in form.select_one("#anonymous-callback").text
    assert form.select_one("input[type=hidden][name=reached]")["value"] == "no"
    assert not form.select("select[name=reached], select[name=satisfaction], select[name=resolved]")
    named = case_page(lang, staff("supervisor"), case={**CASE, "state": "reported"},
                      supervised={**waiting, "anonymous": False}).select_one("details[data-action=callback]")
    assert named.select_one("select[name=reached]") and not named.select("#anonymous-callback")


def test_an_api_token_names_who_issued_it_and_takes_its_unit_from_the_county_list():
    directory = county()
    tokens = [{"token_id": "T000001", "name": "open311-gateway", "role": "operator", "unit": None,
               "issued_by": "admin", "issued_at": "2026-11-02T09:00:00+08:00", "expires_at": None, "revoked_at": None}]
    page = BeautifulSoup(fragment("zh", "api_tokens.html", visitor=Visitor("zh", staff("administrator"), "t"),
                                  names=pages.names(directory), county=directory, path="/", form_token="x",
                                  poll_seconds=5, opened_ms=0, tokens=tokens, issued=None, roles=["operator"],
                                  people={"admin": "管理员王"}, error=None), "html.parser")
    assert "管理员王" in page.select_one("tbody tr").text
    assert not page.select("input[name=unit]")
    assert page.select_one("select[name=unit] option[value=chengguan]").text == "城关镇"
