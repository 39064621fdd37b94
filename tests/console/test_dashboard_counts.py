"""Issue 18's leftovers in Chromium, Chinese and English, over one office: the dashboard shows dispatch's own
count (GET /statistics/days), a case closed today among it; the case page says why a case went back in the
reader's language (case.reopened carries a code); a refusal names the person's role, not its code; each role's
menu leads to pages it may open.
Screenshots in test-artifacts/console/leftovers/ (git-ignored)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianxin.testing import Office, service_databases
from tests.support.browser import chromium, shot, signed_in
from tests.support.reports import SIGNED_REPORT, a_case, close_through_the_office, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
WHY = {"zh": "信访人对办理结果不满意", "en": "the petitioner is dissatisfied with the handling"}
ROLE = {"zh": "承办人", "en": "unit handler"}
LOCAL = {"category": "drinking-water"}  # a local matter: 城关镇 handles the cases of its village


@pytest.fixture(scope="module")
def office(amqp_uri, tmp_path_factory):
    with service_databases("sqlite", tmp_path_factory.mktemp("leftovers")) as urls:
        office = Office(amqp_uri, urls, settings={"supervision": {"review_sample_percent": 0}})
        office.start()
        office.start_console()
        closed, _ = a_case(office, "东关社区自来水停了三天", **LOCAL, reporter={"phone": "13900000001"})
        cases = {"closed": close_through_the_office(office, closed)["case_id"], "reopened": sent_back(office),
                 "open": a_case(office, "西关社区低保被取消没有说明原因", category="subsistence-allowance",
                                village="chengguan-xiguan")[1]}
        with chromium(office.urls["console"]) as people:
            yield office, people, cases
        office.stop()


def sent_back(office) -> str:
    """A case its petitioner found badly handled: back to the unit (case.reopened, cause dissatisfied)."""
    _, case_id = a_case(office, "东关社区自来水管爆了还在漏", **LOCAL, reporter={"phone": "13900000002"})
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case_id}/handling-report", json=SIGNED_REPORT).status_code == 201
    eventually(lambda: supervised(office, case_id, "awaiting_callback"))
    with office.client("supervision") as supervision:
        supervision.post(f"/cases/{case_id}/callbacks", json={
            "reached": True, "resolved": "no", "satisfaction": "dissatisfied", "recorded_by": "op-07"})
    with office.client("dispatch") as dispatch:
        eventually(lambda: any(e["action"] == "reopened" for e in dispatch.get(f"/cases/{case_id}/history").json()
                               ["history"]))
    return case_id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_dashboard_shows_dispatchs_count(office, lang):
    office_, people, _ = office
    with office_.client("dispatch", "supervisor-01") as dispatch:
        counted = dispatch.get("/statistics/days").json()
    [today] = [row for row in counted["days"] if row["unit"] == "chengguan"]
    [now] = [row for row in counted["open"] if row["unit"] == "chengguan"]
    assert (today["new"], today["closed"], now["open"]) == (3, 1, 2)
    page = signed_in(people, "supervisor-01", lang)
    page.goto("/dashboard")
    row = page.locator("#per-unit tr[data-unit=chengguan] td")
    expect(row.nth(1)).to_have_text("2")  # open
    expect(row.nth(2)).to_have_text("3")  # new today
    expect(row.nth(6)).to_have_text("1")  # closed today
    expect(page.locator("[data-figure=closed]")).to_have_text("1")
    # no link that would list every closed case: "closed today" lists the cases closed today, on the board
    expect(page.locator("#today a[href*='state=closed'], #per-unit a[href*='state=closed']")).to_have_count(0)
    page.locator("#per-unit tr[data-unit=chengguan] td").nth(6).locator("a").click()
    expect(page.locator("#cases tbody tr[data-case]")).to_have_count(1)  # the one closed today, of three received
    expect(page.locator("input[name=closed_on]")).not_to_have_value("")
    page.goto("/dashboard")
    expect(page.locator("#today a:has([data-figure=awaiting_callback])")).to_have_attribute(
        "href", "/board?state=reported")
    shot(page, f"{lang}-dashboard", "leftovers")


# one person of each role of the sample county (a unit's handler and head read alike)
EACH_ROLE = ("hotline-op-01", "officer-chengguan-dongguan", "chengguan-handler", "supervisor-01", "li-secretary",
             "inspection-office", "admin")


@pytest.mark.parametrize("code", EACH_ROLE)
def test_every_page_the_menu_offers_opens(office, code):
    """The menu offers only what the role may open: a bureau is not led to the county's figures it may not read
    (it was, to a refusal), nor a unit to the county's figures beside its own unit's counts."""
    _, people, _ = office
    page = signed_in(people, code)
    offered = page.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    refused = {href: answer.status for href in offered if (answer := page.goto(href)).status >= 400}
    assert refused == {}, f"{code} is offered pages it may not open"
    if code in ("inspection-office", "chengguan-handler"):
        assert "/figures" not in offered


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_case_page_says_why_it_went_back(office, lang):
    _, people, cases = office
    page = signed_in(people, "supervisor-01", lang)
    page.goto(f"/cases/{cases['reopened']}")
    expect(page.locator("body")).to_contain_text(WHY[lang])
    shot(page, f"{lang}-reopened", "leftovers")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_refusal_names_the_role(office, lang):
    office_, people, cases = office
    with office_.client("dispatch", "chengguan-handler") as unit:
        refused = unit.post(f"/cases/{cases['open']}/route", json={"unit": "transport", "reason": "x"},
                            headers={"Accept-Language": lang})
    assert refused.status_code == 403 and ROLE[lang] in refused.json()["error"]["message"]
    assert "unit_handler" not in refused.text
