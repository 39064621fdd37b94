"""The citizen's page and the office's answer forms in Chromium, in Chinese and in English (issue 18, items 3-5):
nothing is chosen for the citizen, so a forgotten answer is refused in their language with what they chose kept; a
dissatisfied rating says it was recorded and that the case went back to its unit, also after Back; a request for a
review is said accepted with the day of its answer, also on a fresh load, and not offered again; a review's
conclusion with no outcome chosen comes back refused at the case's own address. Screenshots are kept in
test-artifacts/console/citizen/ (git-ignored)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import People, signed_in
from tests.support.browser import shot as shot_in
from tests.support.reports import a_case
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

WORDS = {
    "zh": {"resolved": "解决", "thanks": "谢谢", "went_back": "退回承办单位重新办理",
           "accepted": "您的复查申请已受理，将于",
           "closed": "已办结", "outcome": re.compile("结论|结果")},  # the form's label; the field's name (fields.py)
    "en": {"resolved": "resolved", "thanks": "Thank you", "went_back": "went back to the unit",
           "accepted": "Your request for a review was accepted; the office will answer it in writing by",
           "closed": "closed", "outcome": re.compile("outcome", re.IGNORECASE)},
}


def shot(page: Page, name: str) -> None:
    shot_in(page, name, "citizen")


def handled(office, content: str, anonymous: bool = False) -> tuple[str, str]:
    """A case of chengguan's handled and waiting for its callback: (case id, the petitioner's page)."""
    reporter = {} if anonymous else {"reporter": {"phone": "1390000" + str(len(content)).zfill(4)}}
    _, case_id = a_case(office, content, **reporter)
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


def citizen_at(people: People, lang: str, path: str) -> Page:
    citizen = people.page()
    citizen.goto("/public")
    if lang != "zh":
        citizen.click(f"button[value={lang}]")
    citizen.goto(path)
    return citizen


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_forgotten_answer_is_refused_and_a_dissatisfied_one_sends_the_case_back(console, people, lang):
    said = WORDS[lang]
    case_id, path = handled(console, "东关村自来水管爆裂停水三天")
    citizen = citizen_at(people, lang, path)
    rating = citizen.locator("#rating")
    for name in ("resolved", "satisfaction"):
        expect(rating.locator(f"select[name={name}]")).to_have_value("")  # nothing answered for them
    rating.locator("select[name=satisfaction]").select_option("dissatisfied")
    rating.locator("textarea[name=comment]").fill("还是没水")
    rating.locator("button.primary").click()
    expect(citizen).to_have_url(re.compile(r"refused="))
    expect(citizen.locator(".refusal")).to_contain_text(said["resolved"], ignore_case=True)
    expect(citizen.locator("#rating select[name=satisfaction]")).to_have_value("dissatisfied")  # kept
    expect(citizen.locator("#rating textarea[name=comment]")).to_have_value("还是没水")
    shot(citizen, f"{lang}-01-forgotten-answer")
    with console.client("supervision", as_staff="supervisor-01") as supervision:
        assert supervision.get(f"/cases/{case_id}").json()["callbacks"] == []  # nothing recorded

    citizen.goto(path)
    citizen.select_option("#rating select[name=resolved]", "no")
    citizen.select_option("#rating select[name=satisfaction]", "dissatisfied")
    citizen.click("#rating button.primary")
    expect(citizen.locator("#rated")).to_contain_text(said["thanks"])
    expect(citizen.locator("#rated")).to_contain_text(said["went_back"])
    shot(citizen, f"{lang}-02-sent-back")
    citizen.go_back()  # the address that had the form, asked again: their rating and where the case went
    expect(citizen.locator("#rated")).to_contain_text(said["went_back"])
    expect(citizen.locator("#rating")).to_have_count(0)
    shot(citizen, f"{lang}-03-sent-back-after-back")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_review_asked_for_is_said_accepted_with_its_day_and_not_offered_again(console, people, lang):
    said = WORDS[lang]
    case_id, path = handled(console, "东关村路灯坏了一个月没人修")
    with console.client("supervision", as_staff="supervisor-01") as supervision:  # the office's callback closes it
        answered = supervision.post(f"/cases/{case_id}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied"})
        assert answered.status_code < 300 and answered.json()["state"] == "closed", answered.text
    citizen = citizen_at(people, lang, path)
    expect(citizen.locator("#public-state")).to_contain_text(said["closed"])
    citizen.fill("#review-request textarea[name=reason]", "路灯又坏了，维修只管了两天")
    citizen.click("#review-request button.primary")
    expect(citizen.locator("#review-accepted")).to_be_visible()
    fresh = citizen_at(people, lang, path)  # days later, from the message's link
    expect(fresh.locator("#review-accepted")).to_contain_text(said["accepted"])
    expect(fresh.locator("#review-accepted")).to_contain_text(re.compile(r"20\d\d"))  # the day it is answered by
    expect(fresh.locator("#review-request")).to_have_count(0)
    shot(fresh, f"{lang}-04-review-accepted")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_conclusion_with_no_outcome_chosen_comes_back_refused_at_the_case(console, people, lang):
    said = WORDS[lang]
    case_id, _ = handled(console, "东关村垃圾堆了半个月没人清运", anonymous=True)
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto(f"/cases/{case_id}")
    supervisor.locator("details[data-action=callback] button[type=submit]").click()  # nobody to call back
    review = supervisor.locator("details[data-action=conclude_review]")
    review.locator("summary").click()
    expect(review.locator("select[name=outcome]")).to_have_value("")
    review.locator("textarea[name=findings]").fill("现场核实垃圾已清运")
    review.locator("button[type=submit]").click()
    expect(supervisor).to_have_url(re.compile(rf"/cases/{case_id}\?refused="))
    expect(supervisor.locator(".refusal")).to_contain_text(said["outcome"])
    review = supervisor.locator("details[data-action=conclude_review]")
    expect(review).to_have_attribute("open", "")
    expect(review.locator("textarea[name=findings]")).to_have_value("现场核实垃圾已清运")
    shot(supervisor, f"{lang}-05-conclusion-refused")
    with console.client("supervision", as_staff="supervisor-01") as supervision:
        assert all(r["outcome"] is None for r in supervision.get(f"/cases/{case_id}").json()["reviews"])
