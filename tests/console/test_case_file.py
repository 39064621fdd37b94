"""The case file (案卷) in Chromium, in Chinese and in English: one printable document with the report as the
reader may see it, the assignment notice, instructions, handling reports, callbacks, reviews and notices of
one case, in which nothing typed runs. Screenshots and the PDF are kept in test-artifacts/console/file/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, signed_in
from tests.support.reports import a_case
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SHOTS = ARTIFACTS / "file"
SCRIPT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
PARTS = ("#file-report", "#file-notice", "#file-instructions", "#file-handling", "#file-callbacks", "#file-reviews",
         "#file-notices", "#file-history")
WORDS = {"zh": {"title": "案卷", "notice": "交办通知", "instructions": "领导批示", "withheld": "不向您显示",
                "anonymous": "匿名", "system": "系统"},
         "en": {"title": "Case file", "notice": "Assignment notice", "instructions": "Leaders' instructions",
                "withheld": "not shown to you", "anonymous": "anonymous", "system": "the system"}}


def a_whole_case(console) -> str:
    """A case with every part filled, each text carrying a script: instructed, reported, called back,
    reviewed, sent back (and noticed twice), reported again."""
    _, case_id = a_case(console, "东关村自来水管爆裂 " + SCRIPT, category="drinking-water",
                        location="村委会门口 " + SCRIPT,
                        reporter={"name": "王大山", "phone": "13812341234"})
    with console.client("dispatch", "supervisor-01") as office:
        assert office.post(f"/cases/{case_id}/instructions", json={
            "leader": "li-secretary", "comment": "尽快修复 " + SCRIPT}).status_code == 201
    with console.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case_id}/acceptance", json={}).status_code == 200
        assert unit.post(f"/cases/{case_id}/handling-report", json={
            "finding": "substantiated", "actions_taken": "已更换水管，恢复供水 " + SCRIPT, "explanation": SCRIPT,
            "petitioner_opinion": "满意", "responsible_person": "刘建国", "unit_head": "陈志强"}).status_code == 201
    with console.client("supervision", "supervisor-01") as supervision:
        eventually(lambda: supervision.get(f"/cases/{case_id}").json()["state"] == "awaiting_callback")
        assert supervision.post(f"/cases/{case_id}/callbacks", json={
            "reached": True, "resolved": "no", "satisfaction": "dissatisfied",
            "comment": "仍然停水 " + SCRIPT}).status_code == 201
        assert supervision.post("/notices", json={"unit": "chengguan", "kind": "rule_breaking",
                                                  "reason": "推诿 " + SCRIPT, "evidence": [case_id]}).status_code == 201
    with console.client("dispatch", "chengguan-handler") as unit:  # sent back by the dissatisfied callback
        eventually(lambda: unit.get(f"/cases/{case_id}").json()["state"] == "dispatched")
        unit.post(f"/cases/{case_id}/acceptance", json={})
        assert unit.post(f"/cases/{case_id}/handling-report", json={
            "finding": "substantiated", "actions_taken": "重新铺设管道 " + SCRIPT, "explanation": SCRIPT,
            "petitioner_opinion": "满意", "responsible_person": "刘建国", "unit_head": "陈志强"}).status_code == 201
    with console.client("supervision", "supervisor-01") as supervision:
        eventually(lambda: supervision.get(f"/cases/{case_id}").json()["state"] == "awaiting_callback")
        assert supervision.post(f"/cases/{case_id}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "comment": "已通水"}).status_code == 201
        eventually(lambda: supervision.get(f"/cases/{case_id}").json()["state"] == "closed")
        assert supervision.post(f"/cases/{case_id}/review-request",  # the petitioner does not accept it after all
                                json={"reason": "水压仍然不足 " + SCRIPT}).status_code == 201
    return case_id


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_case_file_holds_every_part_in_both_languages_and_nothing_runs(console, people):
    case_id = a_whole_case(console)
    for lang in ("zh", "en"):
        said = WORDS[lang]
        supervisor = signed_in(people, "supervisor-01", lang)
        supervisor.goto(f"/cases/{case_id}")
        expect(supervisor.locator("#callbacks")).to_contain_text("仍然停水")
        SHOTS.mkdir(parents=True, exist_ok=True)
        supervisor.screenshot(path=SHOTS / f"case-page-{lang}.png", full_page=True)
        supervisor.click("#case-file-link")
        expect(supervisor.locator("h1")).to_contain_text(said["title"])
        for part in PARTS:
            expect(supervisor.locator(part)).to_be_visible()
        expect(supervisor.locator("#file-report")).to_contain_text("东关村自来水管爆裂")
        expect(supervisor.locator("#file-report")).not_to_contain_text("13812341234")  # masked as intake shows it
        expect(supervisor.locator("#file-reporter")).not_to_contain_text(said["anonymous"])
        expect(supervisor.locator("#file-history")).to_contain_text(said["system"])  # who acted, in words
        expect(supervisor.locator("#file-notice")).to_contain_text(said["notice"])
        expect(supervisor.locator("#notice-place")).to_contain_text("村委会门口")
        expect(supervisor.locator("#file-instructions")).to_contain_text("尽快修复")
        expect(supervisor.locator("#file-handling")).to_contain_text("已更换水管")
        expect(supervisor.locator("#file-callbacks")).to_contain_text("仍然停水")
        expect(supervisor.locator("#file-reviews li")).to_have_count(1)
        expect(supervisor.locator("#file-notices")).to_contain_text("推诿")
        expect(supervisor.locator("#file-handling")).to_contain_text("<script>window.pwned = 1</script>")  # as text
        assert supervisor.evaluate("window.pwned") is None
        assert supervisor.locator("#case-file script, #case-file img").count() == 0
        expect(supervisor.locator("[data-print]")).to_be_visible()
        supervisor.screenshot(path=SHOTS / f"case-file-{lang}.png", full_page=True)
        if lang == "zh":
            supervisor.pdf(path=SHOTS / "case-file.pdf")

    leader = signed_in(people, "li-secretary", "en")  # a leader reads the file, not the reporter's own data
    leader.goto(f"/cases/{case_id}/file")
    expect(leader.locator("#file-notice")).to_contain_text("东关村自来水管爆裂")
    if leader.locator("#file-report-withheld").count():
        expect(leader.locator("#file-report-withheld")).to_contain_text(WORDS["en"]["withheld"])
    else:  # a named petitioner hidden from the leader, not anonymous (issue 18)
        expect(leader.locator("#file-reporter")).to_contain_text(WORDS["en"]["withheld"])
        expect(leader.locator("#file-reporter")).not_to_contain_text("or anonymous")
    expect(leader.locator("#case-file")).not_to_contain_text("13812341234")
