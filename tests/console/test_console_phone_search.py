"""The header's search box sends a phone number, typed any way, to intake's search by phone (its blind index):
an operator finds the caller's reports, a leader is told why not; in Chromium, in Chinese and English.
Screenshots in test-artifacts/console/lists/ (git-ignored)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, People, signed_in
from tests.support.reports import a_case

SHOTS = ARTIFACTS / "lists"
MAY_NOT = {"zh": "按电话号码搜索", "en": "by a phone number"}


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_phone_number_in_the_search_box_finds_the_callers_reports(console, people: People, lang):
    mine, _ = a_case(console, "东关村低保被取消了", reporter={"name": "赵四海", "phone": "13712345678"})
    a_case(console, "西关社区自来水停了", reporter={"name": "钱五", "phone": "13912345678"})
    operator = signed_in(people, "hotline-op-02", lang)
    for typed in ("137 1234 5678", "+86-137-1234-5678", "１３７１２３４５６７８"):
        operator.fill("header input[name=q]", typed)
        operator.press("header input[name=q]", "Enter")
        expect(operator.locator("#reports tbody tr[data-report]")).to_have_count(1)
        expect(operator.locator(f"#reports tr[data-report={mine}]")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    operator.screenshot(path=SHOTS / f"{lang}-04-search-phone.png", full_page=True)
    with console.client("intake", "supervisor-01") as intake:
        log = intake.get("/personal-data-releases", params={"released_to": "hotline-op-02", "kind": "search"})
    assert {r["purpose"] for r in log.json()["releases"]} == {"search by phone=137****5678"}

    leader = signed_in(people, "li-secretary", lang)
    leader.goto("/search?q=137-1234-5678")
    expect(leader.locator("#search-refused")).to_contain_text(MAY_NOT[lang])
