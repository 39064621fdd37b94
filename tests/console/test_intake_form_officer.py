"""The information officer's take-in form (issue 18 item 3): it offered all 7 channels, 14 townships and 68
villages and refused only after submitting, with the officer's code (「信息员 officer-chengguan-dongguan 只能反映东关
社区的事项」). An officer is offered the officer channel and their own village only; a post for another village is
refused naming the person and the village."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from lianxin.testing import Office
from tests.support.console_forms import console_client, post_form

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]


@pytest.fixture
def console(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    with console_client(office.start_console()) as browser:
        yield browser
    office.stop()


def offered(page: str, select: str) -> list[str]:
    return [o["value"] for o in BeautifulSoup(page, "html.parser").select(f"select#{select} option") if o["value"]]


def test_an_officer_is_offered_their_own_village_and_channel_and_told_who_may_report_what(console):
    assert post_form(console, "/sign-in", {"token": "dev-hotline-op-01"}).status_code == 303
    form = console.get("/intake").text
    assert len(offered(form, "channel")) == 7 and len(offered(form, "township")) == 14
    assert len(offered(form, "village")) > 60
    post_form(console, "/sign-out")

    assert post_form(console, "/sign-in", {"token": "dev-officer-chengguan-dongguan"}).status_code == 303
    form = console.get("/intake").text
    assert offered(form, "channel") == ["officer"]
    assert offered(form, "township") == ["chengguan"] and offered(form, "village") == ["chengguan-dongguan"]
    elsewhere = post_form(console, "/intake", {"channel": "officer", "content": "别村的桥塌了",
                                                "village": "chengguan-xiguan"})
    shown = console.get(elsewhere.headers["location"]).text if elsewhere.is_redirect else elsewhere.text
    assert "信息员张丽只能反映东关社区的事项" in shown and "officer-chengguan-dongguan 只能" not in shown
