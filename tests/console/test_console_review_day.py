"""What a reviewer met using the office for a day (issue 18): the officer's confirmation, sign-ins behind one
address, refusing a unit's return, the case page's words about the reporter, and people by their names."""
from __future__ import annotations

import httpx
import pytest
from bs4 import BeautifulSoup

from lianxin.directory import load_directory
from lianxin.settings import SAMPLE_DEPLOY
from lianxin.testing import Office
from services.console import pages
from services.console.backend import Backend, BackendError
from services.console.config import DEVELOPMENT_SESSION_KEY
from services.console.rendering import fragment
from services.console.session import Sessions, Visitor
from services.console.standing import nothing_to_do, standing
from tests.support.accounts import ready
from tests.support.builders import staff
from tests.support.console_forms import console_client, post_form
from tests.support.console_pages import CASE
from tests.support.reports import case_of
from tests.support.waiting import eventually

CASE_REPORT = {"report_id": "R00000001", "content": "东关村危房漏雨", "village": "chengguan-dongguan",
               "township": "chengguan", "location": None, "reporter": None, "attachments": []}
REPORT = {"report_id": "R00000005", "case_id": "C00000005", "category": "road-damage", "category_suggested": False,
          "reporter": None, "duplicate_of": None, "people_count": 1}
GROUP_ALERT = {"alert_id": "A1", "kind": "group_petition", "message": "8人聚集", "report_ids": ["R00000005"]}


def county():
    return load_directory(SAMPLE_DEPLOY / "county.yaml")


def case_page(lang: str, person, case_state="dispatched", case_extra=None, supervised_extra=None, visitor=None,
              visitor_name=None, report=CASE_REPORT, history=(), **extra) -> BeautifulSoup:
    """The case page as ``person`` reads it (the layout's header too)."""
    directory = county()
    case = {**CASE, "state": case_state, **(case_extra or {})}
    supervised = {"state": "in_handling", "callbacks": [], "reviews": [], "attachments": [], **(supervised_extra or {})}
    state = standing(case, supervised)
    context = {"visitor": visitor or Visitor(lang, person, "t", name=visitor_name), "names": pages.names(directory),
               "county": directory, "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "case": case,
               "urgency": None, "history": list(history), "report": report, "supervised": supervised,
               "citizen_link": None, "notices": [], "supervision_state": supervised["state"], "state": state,
               "nothing_to_do": nothing_to_do(state), "done": None, "kept": None, "failed": None,
               "draft": {}, "error": None, "people": {}, **extra}
    return BeautifulSoup(fragment(lang, "case.html", **context), "html.parser")


def backend(answers: dict, asked: list | None = None) -> Backend:
    """A Backend over made-up services: ``answers`` maps (service, path) to JSON, or to a status refused."""
    def service(name):
        def answer(request: httpx.Request) -> httpx.Response:
            (asked if asked is not None else []).append((name, request))
            found = answers.get((name, request.url.path), 404)
            if isinstance(found, int):
                return httpx.Response(found, json={"error": {"code": "refused", "message": "refused"}})
            return httpx.Response(200, json=found)
        return httpx.Client(transport=httpx.MockTransport(answer), base_url=f"http://{name}")
    return Backend({name: service(name) for name in ("intake", "dispatch", "supervision", "accounts",
                                                      "notifications")}, "t")


def intake_page(lang: str, person, confirmation: dict) -> BeautifulSoup:
    directory = county()
    context = {"visitor": Visitor(lang, person, "t"), "names": pages.names(directory), "county": directory,
               "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "today": [], "kept": None,
               "draft": {}, "key": "k", "error": None, **confirmation}
    return BeautifulSoup(fragment(lang, "intake.html", **context), "html.parser")


def taken_in(person, report=REPORT, case=None, link=200, alerts=(GROUP_ALERT,)) -> dict:
    answers = {("intake", "/reports/R00000005"): report, ("intake", "/alerts"): {"alerts": list(alerts)},
               ("intake", "/reports/R00000005/citizen-link"): {"lookup_code": "738214", "path": "/public/x"}
               if link == 200 else link, ("dispatch", "/cases/C00000005"): case or 403}
    return pages.confirmation(backend(answers), person, "R00000005", county())


# --- 1. the information officer's confirmation --------------------------------------------------------------

@pytest.mark.parametrize("lang, case_word, warning", [("zh", "案件", "群体"), ("en", "Case", "group petition")])
def test_an_officer_sees_the_confirmation_though_dispatch_keeps_the_case_from_them(lang, case_word, warning):
    officer = staff("officer")
    page = intake_page(lang, officer, taken_in(officer))  # dispatch answers an officer 403 on the case
    assert "R00000005" in page.select_one("#taken").text
    confirmed = page.select_one("#taken-case")
    assert confirmed.select_one("strong").text == "C00000005" and case_word in confirmed.text
    assert "738214" in confirmed.text  # the lookup code, where intake shows it to them
    assert warning in page.select_one("[data-raised=A1]").text  # the group-petition mark they raised
    assert not page.select("#taken-major")  # the case itself is not theirs to read: nothing of it is shown


def test_an_officer_whom_intake_does_not_show_the_link_still_has_the_confirmation():
    officer = staff("officer")
    shown = taken_in(officer, link=403)  # intake's citizen link today: the petitioners' desk only
    assert shown["lookup"] is None and shown["taken_case"] is None
    page = intake_page("zh", officer, shown)
    assert "R00000005" in page.select_one("#taken").text and page.select_one("#taken-case")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_major_mark_says_why_the_case_is_major(lang):
    operator = staff("operator")
    misconduct = {**REPORT, "category": "official-misconduct"}
    alone = {"case_id": "C00000005", "severity": "major", "category": "official-misconduct", "people_count": 1}
    mark = intake_page(lang, operator, taken_in(operator, misconduct, alone, alerts=())).select_one("#taken-major")
    assert mark["data-because"] == "category"
    assert ("干部违法违纪" in mark.text and "群体" not in mark.text) if lang == "zh" else "a group" not in mark.text
    crowd = {"case_id": "C00000005", "severity": "major", "category": "road-damage", "people_count": 8}
    mark = intake_page(lang, operator, taken_in(operator, REPORT, crowd)).select_one("#taken-major")
    assert mark["data-because"] == "people" and ("群体" in mark.text if lang == "zh" else "group" in mark.text)
    general = {**crowd, "severity": "general", "people_count": 1}
    assert not intake_page(lang, operator, taken_in(operator, REPORT, general)).select("#taken-major")


# --- 2. sign-ins counted by their failures -------------------------------------------------------------------

def test_only_failed_sign_ins_count_per_address_and_per_user_name():
    sessions = Sessions(DEVELOPMENT_SESSION_KEY, 3600, attempts_per_minute=10)
    for _ in range(15):  # a shift signing in behind one address: good sign-ins are never counted
        assert sessions.held_back("10.0.0.1", "wang-fang") is None
    for _ in range(10):
        sessions.failed("10.0.0.1", "li-na")
    assert sessions.held_back("10.0.0.1", "zhao-lei") == "address"
    for n in range(10):  # one user name tried from many addresses
        sessions.failed(f"10.0.1.{n}", "Li-Na")
    assert sessions.held_back("10.0.2.1", "li-na") == "account" and sessions.held_back("10.0.2.1", "zhao-lei") is None


@pytest.fixture
def console_with_accounts(amqp_uri, tmp_path):
    office = Office(amqp_uri, {name: f"sqlite:///{tmp_path / name}.db" for name in
                               ("intake", "dispatch", "supervision", "scoring", "accounts")})
    office.start("accounts")
    office.start_console()
    yield office
    office.stop()


@pytest.mark.integration
def test_a_shift_signs_in_behind_one_address_and_failures_are_still_held_back(console_with_accounts):
    office = console_with_accounts
    with httpx.Client(base_url=office.urls["accounts"], timeout=10) as accounts:
        ready(accounts, "wang-fang")
    for n in range(15):
        with console_client(office.urls["console"]) as browser:
            signed = post_form(browser, "/sign-in", {"user_name": "wang-fang", "password": "绿水青山就是金山银山2026"}
                               if n % 2 else {"token": "dev-hotline-op-01"})
            assert signed.status_code == 303, (n, signed.text)
            if n == 1:  # the header names the person as accounts knows them, not by their code
                header = BeautifulSoup(browser.get("/intake").text, "html.parser").select_one(".who")
                assert header.select_one("#who-name").text == "王芳" and "wang-fang" in header.text
    with console_client(office.urls["console"]) as browser:
        for _ in range(10):
            refused = post_form(browser, "/sign-in", {"user_name": f"guess-{_}", "password": "wrong password 1"})
            assert refused.status_code == 401, refused.text
        held = post_form(browser, "/sign-in", {"user_name": "wang-fang", "password": "绿水青山就是金山银山2026"})
        assert held.status_code == 429 and "您所在地址的登录失败次数过多" in held.text
        browser.cookies.set("lianxin_lang", "en")
        held = post_form(browser, "/sign-in", {"token": "dev-hotline-op-01"})
        assert held.status_code == 429 and "too many failed sign-ins from your address" in held.text


# --- 3. refusing a unit's return ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, words", [("zh", "不同意退回"), ("en", "Refuse the return")])
def test_the_office_may_refuse_a_return_by_routing_the_case_back(lang, words):
    returned = case_page(lang, staff("supervisor"), case_state="returned")
    back = returned.select_one("details[data-action=route] #refuse-return")
    assert back["value"] == "chengguan" and words in back.text and "城关镇" in back.text
    assert returned.select_one("#returned-hint")
    dispatched = case_page(lang, staff("supervisor"))  # a case still with its unit goes elsewhere only
    assert not dispatched.select("details[data-action=route] option[value=chengguan]")
    assert not dispatched.select("#returned-hint")


# --- 4. the case page's words about the reporter ---------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_unit_is_told_the_reporter_is_hidden_not_that_they_are_anonymous(lang):
    unit = staff("unit_handler", "chengguan")
    named = case_page(lang, unit, supervised_extra={"anonymous": False}).select_one("#reporter").text
    assert ("不向您显示" in named and "匿名" not in named) if lang == "zh" else "not shown" in named
    anonymous = case_page(lang, unit, supervised_extra={"anonymous": True}).select_one("#reporter").text
    assert anonymous.strip() == ("匿名" if lang == "zh" else "anonymous")


@pytest.mark.parametrize("lang, withheld", [("zh", "不向您显示"), ("en", "not shown to you")])
def test_a_withheld_report_points_to_the_notice_and_never_says_the_case_is_another_units(lang, withheld):
    """Dispatch refuses a unit another unit's case, so the page is the case's own unit's: its report withheld only
    until intake hears the case is theirs."""
    said = case_page(lang, staff("unit_handler", "chengguan"), report=None).select_one("#report-withheld").text
    assert withheld in said and ("交办通知" if lang == "zh" else "assignment notice") in said
    assert not any(words in said for words in ("其他单位", "不属于本单位", "another unit", "no longer"))


# --- 5. people by their names -------------------------------------------------------------------------------

HISTORY = [{"at": "2026-11-02T09:00:00+08:00", "action": "accept", "from_state": "dispatched", "to_state": "accepted",
            "unit": "chengguan", "by": "chengguan-handler", "note": None},
           {"at": "2026-11-02T10:00:00+08:00", "action": "route", "from_state": "returned", "to_state": "dispatched",
            "unit": "chengguan", "by": "supervisor-01", "note": None},
           {"at": "2026-11-02T11:00:00+08:00", "action": "instructed", "from_state": "dispatched",
            "to_state": "dispatched", "unit": "chengguan", "by": "li-secretary", "note": None}]


@pytest.mark.parametrize("lang, petitioner", [("zh", "信访人"), ("en", "the petitioner")])
def test_the_case_page_names_people_not_codes(lang, petitioner):
    handled = {"finding": "substantiated", "actions_taken": "已修", "explanation": None, "petitioner_opinion": None,
               "responsible_person": "张三", "unit_head": "李四", "submitted_by": "chengguan-handler",
               "reported_at": "2026-11-03T09:00:00+08:00", "attachments": []}
    callbacks = [{"recorded_at": "2026-11-04T09:00:00+08:00", "recorded_by": "citizen", "reached": True,
                  "resolved": "yes", "satisfaction": "satisfied", "comment": None}]
    sent = [{"created_at": "2026-11-02T09:00:00+08:00", "channel": "sms", "recipient": "chengguan-handler",
             "template": "case_assigned", "status": "sent", "error": None}]
    page = case_page(lang, staff("supervisor"), history=HISTORY, case_extra={"handling_reports": [handled]},
                     supervised_extra={"callbacks": callbacks}, people={"chengguan-handler": "陈建国"},
                     staff_messages=sent, citizen_messages=[], message_words=pages.messages(backend({}), "x")[
                         "message_words"])
    history = [row.select("td")[4].text for row in page.select("#history tr")]
    assert history == ["陈建国", "supervisor-01", "李明"]  # accounts' name, a code accounts lacks, a leader's name
    assert "陈建国" in page.select_one(".card").text and "chengguan-handler" not in page.select_one(".card").text
    assert petitioner in page.select_one("#callbacks li").text
    assert "citizen" not in page.select_one("#callbacks").text
    messages = page.select_one("#messages").text
    assert "陈建国" in messages and "chengguan-handler" not in messages


def test_names_are_read_from_accounts_once_for_the_page_and_a_code_stays_where_none_is_known():
    asked = []
    api = backend({("accounts", "/people"): {"people": [{"user_name": "chengguan-handler", "display_name": "陈建国"}]}},
                  asked)
    named = pages.people_named(api, ["chengguan-handler", "supervisor-01", "citizen", "system", "chengguan-handler"])
    assert named == {"chengguan-handler": "陈建国"} and len(asked) == 1
    assert asked[0][1].url.params.get_list("user_name") == ["chengguan-handler", "supervisor-01"]
    assert pages.people_named(backend({}), ["supervisor-01"]) == {}  # accounts without the list: codes stay
    assert pages.people_named(backend({}), ["citizen"]) == {}


def test_the_case_file_reads_the_names_of_those_who_acted_once():
    asked = []
    handled = {"submitted_by": "chengguan-handler", "attachments": []}
    api = backend({("dispatch", "/cases/C00000001"): {**CASE, "handling_reports": [handled]},
                   ("dispatch", "/cases/C00000001/history"): {"history": HISTORY},
                   ("supervision", "/notices"): {"notices": []},
                   ("accounts", "/people"): {"people": [{"user_name": "chengguan-handler", "display_name": "陈建国"}]}},
                  asked)
    parts = pages.case_file(api, "C00000001")
    assert parts["people"] == {"chengguan-handler": "陈建国"} and parts["supervised"] is None
    [people] = [request for service, request in asked if service == "accounts"]
    assert people.url.params.get_list("user_name") == ["chengguan-handler", "li-secretary", "supervisor-01"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_header_shows_the_persons_name(lang):
    named = case_page(lang, staff("supervisor"), visitor_name="王芳").select_one(".who")
    assert named.select_one("#who-name").text == "王芳" and "a-supervisor" in named.text  # the user name beside it
    leader = Visitor(lang, staff("leader").model_copy(update={"code": "li-secretary"}), "t")
    assert case_page(lang, staff("leader"), visitor=leader).select_one("#who-name").text == "李明"
    unnamed = case_page(lang, staff("supervisor")).select_one(".who")  # a development token: its code alone
    assert not unnamed.select("#who-name") and unnamed.text.startswith("a-supervisor")


# --- 6. the small things ----------------------------------------------------------------------------------------

def test_the_no_sms_box_sits_beside_its_words():
    page = intake_page("zh", staff("operator"), pages.confirmation(backend({}), staff("operator"), None))
    assert "check" in page.select_one("#no-sms").parent["class"]


def test_my_messages_say_nin():
    directory = county()
    context = {"visitor": Visitor("zh", staff("supervisor"), "t"), "names": pages.names(directory),
               "county": directory, "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0,
               "mine": {"channels": [], "reachable_by": []}, "channel_words": {}, "kept": None, "saved": None,
               "my_messages": [], "message_words": {}, "error": None}
    page = BeautifulSoup(fragment("zh", "my_notifications.html", **context), "html.parser")
    assert page.select_one("h2").text == "发给您的消息" and "你" not in page.select_one("main").text


@pytest.mark.parametrize("lang, words", [("zh", "不是日期"), ("en", "is not a day")])
def test_a_bad_day_on_the_board_is_refused_in_the_persons_language(lang, words):
    with pytest.raises(BackendError) as refused:
        pages.board(Backend(backend({}).clients, "t", lang=lang), staff("supervisor"), {"from": "2026-13-01"})
    assert words in refused.value.message and "2026-13-01" in refused.value.message and refused.value.status == 400


# --- 1 and 3 with the office: an officer's report, and a return refused from the console ---------------------

@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_with_the_office_an_officer_reads_their_confirmation_and_the_office_refuses_a_return(console):
    with console_client(console.urls["console"]) as officer:
        assert post_form(officer, "/sign-in", {"token": "dev-officer-chengguan-dongguan"}).status_code == 303
        taken = post_form(officer, "/intake", {"channel": "officer", "village": "chengguan-dongguan",
                                               "content": "东关村路灯坏了一个月没人修"})
        assert taken.status_code == 303, taken.text
        report_id = taken.headers["location"].rsplit("=", 1)[1]
        case = eventually(lambda: case_of(console, report_id))
        page = officer.get(f"/intake?taken={report_id}")  # dispatch has the case, which is not the officer's
        assert page.status_code == 200, page.text
        confirmed = BeautifulSoup(page.text, "html.parser")
        assert report_id in confirmed.select_one("#taken").text
        assert confirmed.select_one("#taken-case strong").text == case["case_id"]

    with console.client("dispatch", case["unit"] + "-handler") as unit:
        assert unit.post(f"/cases/{case['case_id']}/return", json={"reason": "路灯归城管局管"}).status_code == 200
    with console_client(console.urls["console"]) as office:
        assert post_form(office, "/sign-in", {"token": "dev-supervisor-01"}).status_code == 303
        page = BeautifulSoup(office.get(f"/cases/{case['case_id']}").text, "html.parser")
        assert page.select_one("#refuse-return")["value"] == case["unit"]
        refused = post_form(office, f"/cases/{case['case_id']}/route", {"unit": case["unit"],
                                                                         "reason": "路灯在村内，属乡镇管理"})
        assert refused.headers["location"] == f"/cases/{case['case_id']}?done=route"
    with console.client("dispatch", "supervisor-01") as dispatch:
        again = dispatch.get(f"/cases/{case['case_id']}").json()
        assert (again["state"], again["unit"]) == ("dispatched", case["unit"])
