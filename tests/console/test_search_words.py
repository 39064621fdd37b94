"""The header's search box finds reports by words as staff type them (issue 18 item 2): "村里停水", "停水了",
"停水 饮水" and "自来水没有了" found nothing though reports read 「村里自来水停水一周，饮水困难。」, and what was
found came oldest first. Now each finds them, the newest first, and the export masks the reporter's address after
the village."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from lianxin.testing import Office
from tests.support.console_forms import console_client, post_form

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]
WATER_CUT = "村里自来水停水一周，饮水困难。"


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    office.console_url = office.start_console()
    yield office
    office.stop()


def test_the_search_box_finds_the_water_cuts_in_other_words_newest_first(office):
    with office.client("intake", "hotline-op-01") as intake:
        taken = [intake.post("/reports", json={
            "channel": "hotline", "village": "shihe-hekou", "content": WATER_CUT,
            "reporter": {"name": "王五", "phone": "13812345678", "address": "河口村三组15号"}}).json()["report_id"]
            for _ in range(3)]
        intake.post("/reports", json={"channel": "hotline", "village": "shihe-hekou", "content": "路灯坏了"})
    with console_client(office.console_url) as browser:
        assert post_form(browser, "/sign-in", {"token": "dev-supervisor-01"}).status_code == 303
        for words in ("村里停水", "停水了", "停水 饮水", "自来水没有了"):
            page = BeautifulSoup(browser.get("/search", params={"q": words}).text, "html.parser")
            assert [row["data-report"] for row in page.select("#reports tr[data-report]")] == taken[::-1], words
        exported = browser.get("/search.csv", params={"q": "停水"}).text
        assert exported.count("河口村…") == 3 and "三组" not in exported
