"""What the console itself reads from a form and an address, in Chromium (issue 18, items 1, 2 and 5): a callback
with no answer to 「是否联系上反映人？」 is refused at the case's own address instead of being recorded as not
reached; an action's address opened as a page leads to its case, not to werkzeug's English "Method Not Allowed";
the citizen who sent their case back reads that after Back, and a closed case says until when a review may be
asked for. Screenshots in test-artifacts/console/citizen/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import People, signed_in
from tests.support.browser import shot as shot_in
from tests.support.reports import a_case
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
WORDS = {"zh": {"reached": "联系上", "case": "案件", "went_back": "退回承办单位", "until": "前在此申请复查"},
         "en": {"reached": "reached", "case": "Case", "went_back": "went back to the unit",
                "until": "you may ask for a review here until"}}


def handled(office, content: str) -> tuple[str, str]:
    """A named petitioner's case of chengguan's, reported on and waiting for its callback: (case id, their page)."""
    _, case_id = a_case(office, content, reporter={"phone": "1390000" + str(len(content)).zfill(4)})
    with office.client("dispatch", as_staff="supervisor-01") as dispatch:
        if dispatch.get(f"/cases/{case_id}").json()["unit"] != "chengguan":
            assert dispatch.post(f"/cases/{case_id}/route", json={"unit": "chengguan",
                                                                 "reason": "由城关镇牵头办理"}).status_code < 300
    with office.client("dispatch", as_staff="chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case_id}/acceptance").status_code < 300
        assert dispatch.post(f"/cases/{case_id}/handling-report", json={
            "finding": "substantiated", "actions_taken": "已更换路灯十盏", "responsible_person": "李明",
            "unit_head": "周强"}).status_code < 300
    with office.client("supervision", as_staff="supervisor-01") as supervision:
        eventually(lambda: supervision.get(f"/cases/{case_id}").json()["state"] == "awaiting_callback" or None)
        return case_id, supervision.get(f"/cases/{case_id}/citizen-link").json()["path"]


def citizen_at(people: People, lang: str, path: str):
    citizen = people.page()
    citizen.goto("/public")
    if lang != "zh":
        citizen.click(f"button[value={lang}]")
    citizen.goto(path)
    return citizen


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_callback_with_no_answer_is_refused_and_an_action_address_leads_to_the_case(console, people, lang):
    said = WORDS[lang]
    case_id, _ = handled(console, "东关村路灯坏了一个月没人修")
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto(f"/cases/{case_id}/callback")  # a GET on the action's address
    expect(supervisor).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(supervisor.locator("h1")).to_contain_text(said["case"])
    callback = supervisor.locator("details[data-action=callback]")
    callback.locator("input[name=comment]").fill("电话占线")
    callback.locator("button[type=submit]").click()
    expect(supervisor).to_have_url(re.compile(rf"/cases/{case_id}\?refused="))
    expect(supervisor.locator(".refusal")).to_contain_text(said["reached"])
    expect(supervisor.locator("details[data-action=callback] input[name=comment]")).to_have_value("电话占线")
    shot_in(supervisor, f"{lang}-06-callback-unanswered", "citizen")
    with console.client("supervision", as_staff="supervisor-01") as supervision:
        assert supervision.get(f"/cases/{case_id}").json()["callbacks"] == []  # not recorded as "not reached"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_back_after_sending_the_case_back_says_so_and_a_closed_case_says_until_when(console, people, lang):
    said = WORDS[lang]
    case_id, path = handled(console, "东关村自来水管爆裂停水三天")
    citizen = citizen_at(people, lang, path)
    citizen.select_option("#rating select[name=resolved]", "no")
    citizen.select_option("#rating select[name=satisfaction]", "dissatisfied")
    citizen.click("#rating button.primary")
    expect(citizen.locator("#rated")).to_contain_text(said["went_back"])
    citizen.go_back()
    expect(citizen.locator("#rated")).to_contain_text(said["went_back"])  # their own rating did it
    shot_in(citizen, f"{lang}-07-back-after-sending-back", "citizen")

    other_id, other_path = handled(console, "东关村垃圾堆了三天没人清运")
    with console.client("supervision", as_staff="supervisor-01") as supervision:
        closed = supervision.post(f"/cases/{other_id}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied"})
        assert closed.json()["state"] == "closed", closed.text
    closed_page = citizen_at(people, lang, other_path)
    expect(closed_page.locator("#may-still")).to_contain_text(said["until"])
    expect(closed_page.locator("#may-still")).to_contain_text(re.compile(r"20\d\d"))
    shot_in(closed_page, f"{lang}-08-closed-until", "citizen")
