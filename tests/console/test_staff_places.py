"""The administrator chooses a person's unit, village or enterprise by name from the county file, never types a
code; the village list follows the township chosen (or the township unit). In Chromium, Chinese and English;
screenshots in test-artifacts/console/staff/ (git-ignored)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lianxin.testing import Office, service_databases
from tests.support.browser import chromium, shot, signed_in

pytestmark = pytest.mark.integration
ADD = "form[action='/staff']"
WORDS = {"zh": {"unit": "城关镇", "village": "东关社区", "role": "信息员"},
         "en": {"unit": "Chengguan Town", "village": "Dongguan Community", "role": "information officer"}}


@pytest.fixture(scope="module")
def people(amqp_uri, tmp_path_factory):
    """Accounts and the console alone: the staff page asks nothing else."""
    with service_databases("sqlite", tmp_path_factory.mktemp("staff"), services=("accounts",)) as urls:
        office = Office(amqp_uri, urls)
        office.start("accounts")
        with chromium(office.start_console()) as everyone:
            yield everyone
        office.stop()


def administrator(people, lang: str) -> Page:
    page = signed_in(people, "admin", lang)
    page.goto("/staff")
    return page


def shown_villages(page: Page, form: str) -> set[str]:
    return set(page.locator(f"{form} select[name=village] optgroup:not([disabled]) option").evaluate_all(
        "options => options.map(o => o.value)"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_places_are_chosen_by_name_and_the_villages_follow_the_township(people, lang):
    page = administrator(people, lang)
    assert page.locator(f"{ADD} input[name=unit], {ADD} input[name=village]").count() == 0  # no typed codes
    expect(page.locator(f"{ADD} select[name=unit] option[value=chengguan]")).to_have_text(WORDS[lang]["unit"])
    page.select_option(f"{ADD} select[name=_township]", "baiyang")
    assert shown_villages(page, ADD) and all(v.startswith("baiyang-") for v in shown_villages(page, ADD))
    page.select_option(f"{ADD} select[name=unit]", "chengguan")  # a township's unit: its villages
    expect(page.locator(f"{ADD} select[name=_township]")).to_have_value("chengguan")
    assert "chengguan-dongguan" in shown_villages(page, ADD) and "baiyang-baiyang" not in shown_villages(page, ADD)

    user = f"officer-{lang}"
    page.fill(f"{ADD} input[name=user_name]", user)
    page.fill(f"{ADD} input[name=display_name]", "赵信息")
    page.select_option(f"{ADD} select[name=role]", "officer")
    page.select_option(f"{ADD} select[name=village]", "chengguan-dongguan")
    page.click(f"{ADD} button[type=submit]")
    row = page.locator(f"#account-{user}")
    expect(row.locator("td").nth(2)).to_have_text(WORDS[lang]["role"])
    said = WORDS[lang]
    expect(row.locator("td").nth(3)).to_have_text(f"{said['unit']} · {said['village']}")  # by name, in their language
    shot(page, f"{lang}-staff-places", "staff")

    page.goto("/staff")  # the person's row offers the same choice, their village chosen and its township shown
    change = f"#account-{user} form[action$='/change']"
    expect(page.locator(f"{change} select[name=village]")).to_have_value("chengguan-dongguan")
    expect(page.locator(f"{change} select[name=_township]")).to_have_value("chengguan")
    assert "baiyang-baiyang" not in shown_villages(page, change)
