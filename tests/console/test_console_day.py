"""A day at the console in Chromium, in Chinese and in English: forms that check in the page and come back
after a refusal at their own address, a case page that tells one state and why there is nothing to do,
the citizen's page, and the operator's confirmation with the early warning their report raised.
Screenshots are kept in test-artifacts/console/day/ (git-ignored)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import People, actions, reload_until, signed_in
from tests.support.browser import shot as shot_in
from tests.support.reports import a_case
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

WORDS = {  # what each language's page says, where the test reads it
    "zh": {"blank": "只有空格", "phone": "不是有效的电话号码", "left": "还可输入", "over": "超出",
           "not_yours": "不是本单位的案件", "not_found": "没有找到", "closed": "已办结", "review": "申请复查",
           "alert": "预警", "major": "重大案件", "callback_closed": "案件随之办结", "nobody": "无法回访",
           "no_callback": "无法回访（匿名反映）", "upheld": "维持"},
    "en": {"blank": "spaces alone", "phone": "Not a Chinese phone number", "left": "characters left",
           "over": "too many", "not_yours": "is not your unit's", "not_found": "We found no case",
           "closed": "closed", "review": "Ask for a review", "alert": "early warning", "major": "major case",
           "callback_closed": "it closed the case", "nobody": "no callback was possible",
           "no_callback": "no callback possible: an anonymous report", "upheld": "upheld"},
}


def shot(page: Page, name: str) -> None:
    shot_in(page, name, "day")


def problem(page: Page, selector: str) -> str:
    return page.locator(selector).evaluate("field => field.validationMessage")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_intake_form_checks_in_the_page_and_confirms_what_the_report_raised(console, people, lang):
    said = WORDS[lang]
    operator = signed_in(people, "hotline-op-01", lang)
    operator.goto("/intake")
    operator.fill("#content", "   ")
    assert said["blank"] in problem(operator, "#content")
    for wrong in ("12345", "138123456789999"):
        operator.fill("#phone", wrong)
        assert said["phone"] in problem(operator, "#phone"), wrong
    operator.fill("#phone", "0571-87654321")
    assert problem(operator, "#phone") == ""
    operator.fill("#content", "路" * 3990)
    expect(operator.locator("output.counter")).to_contain_text("10")
    expect(operator.locator("output.counter")).to_contain_text(said["left"])
    operator.fill("#content", "路" * 4010)  # pasted over the limit: kept whole, counted, not sent
    assert operator.locator("#content").input_value() == "路" * 4010
    expect(operator.locator("output.counter")).to_contain_text(said["over"])
    operator.click("#intake-form button[type=submit]")
    expect(operator).to_have_url(re.compile(r"/intake$"))  # the page kept it
    shot(operator, f"{lang}-01-intake-checks")

    # the village list follows the township
    operator.select_option("#township", "baiyang")
    visible = operator.locator("#village optgroup:not([hidden])")
    expect(visible).to_have_count(1)
    assert visible.get_attribute("data-township") == "baiyang"

    # a group at the gate: the early warning and the major case on the confirmation
    operator.fill("#content", "几十名村民聚集在镇政府门口反映征地补偿问题")
    operator.select_option("#township", "chengguan")
    operator.fill("#phone", "13800138000")
    operator.fill("input[name=people_count]", "30")
    operator.check("input[name=gathering]")
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("#taken")).to_be_visible()
    expect(operator.locator("[data-raised]")).to_contain_text(said["alert"])
    reload_until(operator, "#taken-case")
    expect(operator.locator("#taken-major")).to_contain_text(said["major"])
    expect(operator.locator("#taken-case")).to_contain_text(re.compile(r"C\d{8}.*[0-9a-zA-Z_-]{8,}"))
    shot(operator, f"{lang}-02-intake-confirmation")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_refused_action_comes_back_at_its_own_page_and_a_reload_sends_nothing(console, people, lang):
    said = WORDS[lang]
    _, case_id = a_case(console, "东关村危房改造迟迟没有动工")
    handler = signed_in(people, "chengguan-handler", lang)
    handler.goto(f"/cases/{case_id}")
    extension = handler.locator("details[data-action=request_extension]")
    extension.locator("summary").click()
    extension.locator("textarea[name=reason]").fill("   ")
    assert said["blank"] in problem(handler, "details[data-action=request_extension] textarea[name=reason]")
    extension.locator("input[name=days]").fill("10")
    extension.locator("textarea[name=reason]").fill("急")  # too short a reason for the service
    extension.locator("button[type=submit]").click()
    expect(handler).to_have_url(re.compile(rf"/cases/{case_id}\?refused="))
    expect(handler.locator(".refusal")).to_be_visible()
    extension = handler.locator("details[data-action=request_extension]")
    expect(extension).to_have_attribute("open", "")
    expect(extension.locator("textarea[name=reason]")).to_have_value("急")  # what was typed is kept
    shot(handler, f"{lang}-03-refused-extension")
    posted = []
    handler.on("request", lambda r: posted.append(r.method))
    handler.reload()  # a GET: nothing is sent again
    expect(handler.locator(".refusal")).to_be_visible()
    assert "POST" not in posted
    with console.client("dispatch", as_staff="supervisor-01") as dispatch:
        assert dispatch.get(f"/cases/{case_id}").json()["extension"]["requested_days"] is None

    # the office: no unit or leader chosen for them
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto(f"/cases/{case_id}")
    assert supervisor.locator("details[data-action=route] select[name=unit]").input_value() == ""
    assert supervisor.locator("details[data-action=instruct] select[name=leader]").input_value() == ""

    # routed away, the case is another unit's: its former handler no longer reads it, and is told why (issue 13)
    route = supervisor.locator("details[data-action=route]")
    route.locator("summary").click()
    route.locator("select[name=unit]").select_option("baiyang")
    route.locator("textarea[name=reason]").fill("房屋实际位于白杨镇")
    route.locator("button[type=submit]").click()
    expect(supervisor.locator("#unit")).to_contain_text("白杨" if lang == "zh" else "Baiyang")
    handler.reload()
    assert actions(handler) == set()
    expect(handler.locator(".refusal")).to_contain_text(said["not_yours"])
    expect(handler.locator("main")).not_to_contain_text("东关村危房改造")
    shot(handler, f"{lang}-04-not-yours")


def handled(office, content: str, anonymous: bool = False) -> tuple[str, str]:
    """A case handled by its unit and waiting for the callback, with the petitioner's lookup code; the petitioner
    left a phone number unless ``anonymous`` (an anonymous case is not closed by a callback)."""
    reporter = {} if anonymous else {"reporter": {"phone": "1390000" + str(len(content)).zfill(4)}}
    _, case_id = a_case(office, content, **reporter)
    with office.client("dispatch", as_staff="supervisor-01") as dispatch:
        if dispatch.get(f"/cases/{case_id}").json()["unit"] != "chengguan":  # the town's handler answers it
            assert dispatch.post(f"/cases/{case_id}/route", json={"unit": "chengguan",
                                                                 "reason": "由城关镇牵头办理"}).status_code < 300
    with office.client("dispatch", as_staff="chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case_id}/acceptance").status_code < 300
        assert dispatch.post(f"/cases/{case_id}/handling-report", json={
            "finding": "substantiated", "actions_taken": "已更换路灯十盏", "responsible_person": "李明",
            "unit_head": "周强"}).status_code < 300
    with office.client("supervision", as_staff="supervisor-01") as supervision:
        eventually(lambda: supervision.get(f"/cases/{case_id}").json()["state"] == "awaiting_callback" or None)
        return case_id, supervision.get(f"/cases/{case_id}/citizen-link").json()["path"].split("secret=")[1]


def citizen_in(people: People, lang: str) -> Page:
    citizen = people.page()
    citizen.goto("/public")
    if lang != "zh":
        citizen.click(f"button[value={lang}]")
    return citizen


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_callback_that_closes_the_case_says_so_and_the_citizen_sees_what_is_left(console, people, lang):
    said = WORDS[lang]
    case_id, secret = handled(console, "东关村路灯坏了一个月没人修")
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto(f"/cases/{case_id}")
    callback = supervisor.locator("details[data-action=callback]")
    callback.locator("select[name=reached]").select_option("yes")
    callback.locator("select[name=resolved]").select_option("yes")
    callback.locator("select[name=satisfaction]").select_option("satisfied")
    callback.locator("button[type=submit]").click()
    expect(supervisor.locator(".done")).to_contain_text(said["callback_closed"])
    expect(supervisor.locator("#case-state")).to_contain_text(said["closed"])
    expect(supervisor.locator("h1 .state")).to_have_count(1)
    shot(supervisor, f"{lang}-05-closed-by-callback")

    # the citizen: a wrong code keeps the number and explains; the right one shows what is left to do
    citizen = citizen_in(people, lang)
    citizen.fill("input[name=case_id]", case_id)
    citizen.fill("input[name=secret]", "wrong-code")
    citizen.click("#lookup button")
    expect(citizen.locator("#lookup-refused")).to_contain_text(said["not_found"])
    expect(citizen.locator("input[name=case_id]")).to_have_value(case_id)
    shot(citizen, f"{lang}-06-citizen-wrong-code")
    citizen.fill("input[name=secret]", secret)
    citizen.click("#lookup button")
    expect(citizen.locator("#after-closing")).to_contain_text(said["review"])
    citizen.locator("#review-request textarea[name=reason]").fill("   ")
    assert said["blank"] in problem(citizen, "#review-request textarea[name=reason]")
    shot(citizen, f"{lang}-07-citizen-closed")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_an_anonymous_case_closes_on_the_record_that_nobody_could_be_called_and_a_review(console, people, lang):
    said = WORDS[lang]
    case_id, _ = handled(console, "东关村垃圾堆了半个月没人清运", anonymous=True)
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto(f"/cases/{case_id}")
    callback = supervisor.locator("details[data-action=callback]")
    expect(callback.locator("#anonymous-callback")).to_contain_text(said["nobody"])
    expect(callback.locator("select")).to_have_count(0)  # nobody to ask whether it was resolved
    shot(supervisor, f"{lang}-09-anonymous-callback")
    callback.locator("button[type=submit]").click()
    expect(supervisor.locator(".done")).to_be_visible()
    expect(supervisor.locator("#callbacks")).to_contain_text(said["no_callback"])
    review = supervisor.locator("details[data-action=conclude_review]")
    review.locator("summary").click()
    review.locator("select[name=outcome]").select_option("upheld")
    review.locator("textarea[name=findings]").fill("现场核实垃圾已清运")
    review.locator("button[type=submit]").click()
    expect(supervisor.locator("#case-state")).to_contain_text(said["closed"])
    expect(supervisor.locator(".done")).to_contain_text(said["callback_closed"])  # the review closed it
    expect(supervisor.locator("#reviews")).to_contain_text(said["upheld"])
    shot(supervisor, f"{lang}-10-anonymous-closed")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_after_rating_back_shows_the_result_not_the_form(console, people, lang):
    case_id, secret = handled(console, "东关村自来水管爆裂停水三天")
    citizen = citizen_in(people, lang)
    citizen.goto(f"/public/cases/{case_id}?secret={secret}")
    citizen.select_option("#rating select[name=resolved]", "yes")
    citizen.select_option("#rating select[name=satisfaction]", "satisfied")
    citizen.click("#rating button")
    expect(citizen.locator("#rated")).to_be_visible()
    citizen.go_back()  # the address that had the form: asked again, it shows the result
    expect(citizen.locator("#rated")).to_be_visible()
    expect(citizen.locator("#rating")).to_have_count(0)
    shot(citizen, f"{lang}-08-citizen-after-rating")
