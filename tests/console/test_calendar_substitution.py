"""The reception calendar's substitution in the console (issue 18): offered only once the month is published
(before, it was offered and then refused with a code), and a form sent without a leader ticked or a reason is
said in the person's words (it read 「未完成： Unavailable至少需要 1 项；理由不能为空」)."""
from __future__ import annotations

import pytest

from lianxin.testing import Office
from tests.support.console_forms import console_client, post_form

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]
MONTH = "2026-12"


@pytest.fixture
def console(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    with console_client(office.start_console()) as browser:
        yield browser
    office.stop()


def shown(browser, answer) -> str:
    return browser.get(answer.headers["location"]).text if answer.is_redirect else answer.text


def test_substitution_is_offered_on_a_published_calendar_and_refused_in_words(console):
    assert post_form(console, "/sign-in", {"token": "dev-supervisor-01"}).status_code == 303
    assert "/substitution" not in console.get("/calendar", params={"month": MONTH}).text
    post_form(console, f"/calendar/{MONTH}/publication")
    calendar = console.get("/calendar", params={"month": MONTH}).text
    assert f'action="/calendar/sessions/{MONTH}-15-deputy/substitution"' in calendar
    refused = shown(console, post_form(console, f"/calendar/sessions/{MONTH}-15-deputy/substitution",
                                       {"month": MONTH, "reason": ""}))
    assert "请勾选不能到场的接访领导；请简要说明接访领导不能到场的理由" in refused
    assert "Unavailable" not in refused and "1 项" not in refused
