"""In Chromium, both languages (issue 18): the information officer's take-in form offers their own village and
the officer channel only, a phone number nobody can call is refused by intake naming the field, and the search
box finds the water cuts said in other words; screenshots in test-artifacts/console/intake_form/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lianxin.testing import Office
from tests.support.browser import People, shot, signed_in

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]
WATER_CUT = "村里自来水停水一周，饮水困难。"


@pytest.fixture
def people(browser, amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    everyone = People(browser, office.start_console())
    yield everyone
    everyone.close()
    office.stop()


@pytest.mark.parametrize("lang, refused", [("zh", "电话号码不是有效的手机号码或带区号的固定电话号码"),
                                           ("en", "Phone number is not a mobile number or a landline number")])
def test_the_officer_form_the_phone_rule_and_the_search_in_a_browser(people, lang, refused):
    officer = signed_in(people, "officer-chengguan-dongguan", lang)
    officer.goto("/intake")
    assert officer.locator("#channel option").evaluate_all("os => os.map(o => o.value)") == ["officer"]
    assert officer.locator("#village option").evaluate_all("os => os.map(o => o.value)") == ["chengguan-dongguan"]
    shot(officer, f"officer_form_{lang}", "intake_form")

    operator = signed_in(people, "hotline-op-01", lang)
    operator.goto("/intake")
    operator.fill("#content", WATER_CUT)
    operator.select_option("#village", "chengguan-dongguan")
    operator.evaluate("document.querySelector('#phone').removeAttribute('pattern')")  # as any API client would
    operator.fill("#phone", "12345")
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("main")).to_contain_text(refused)
    shot(operator, f"phone_refused_{lang}", "intake_form")
    operator.fill("#content", WATER_CUT)
    operator.fill("#phone", "0571-87651116")
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("#taken")).to_be_visible()

    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto("/search?q=" + "村里停水")
    expect(supervisor.locator("#reports tr[data-report]")).to_have_count(1)
    shot(supervisor, f"search_{lang}", "intake_form")
