"""What the reviewer met using the office for a day (issue 13), through the console as a browser asks it:
another unit's case, its assignment notice and case file refused with a page in Chinese (not a 500 and not
the report); a phone number typed in the story not shown on the case page, in search results or in exports;
a bureau told plainly that it searches no reports; exports' times in the county's time."""
from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import datetime

import pytest
from openpyxl import load_workbook

from lianxin.vocabulary import COUNTY_TIME
from services.console.exports import CASE_COLUMNS, REPORT_COLUMNS, exported, table
from tests.support.console_forms import console_client, post_form
from tests.support.reports import a_case

BRIBERY = "举报城关镇城建办主任张某利用职务便利，在东关社区棚户区改造中收受开发商好处费。"
STORY = "东关村路灯坏了一个月没人修，有事请打我电话13912345678联系"


@contextmanager
def signed_in(office, code: str):
    with console_client(office.urls["console"]) as browser:
        assert post_form(browser, "/sign-in", {"token": f"dev-{code}"}).status_code == 303
        yield browser


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_another_unit_is_refused_the_case_its_notice_and_its_file_in_chinese(console):
    _, case_id = a_case(console, BRIBERY, category="official-misconduct")
    for code in ("chengguan-handler", "chengguan-head", "city-management-handler"):
        with signed_in(console, code) as browser:
            for page in (f"/cases/{case_id}", f"/cases/{case_id}/assignment-notice", f"/cases/{case_id}/file"):
                refused = browser.get(page)
                assert refused.status_code == 403, (code, page, refused.status_code)
                assert "不是本单位的案件" in refused.text and "张某" not in refused.text, (code, page)
    with signed_in(console, "discipline-commission-handler") as own:
        assert "张某" in own.get(f"/cases/{case_id}/assignment-notice").text
    with signed_in(console, "li-secretary") as leader:  # reads the case, not what the whistle-blower said
        notice = leader.get(f"/cases/{case_id}/assignment-notice")
        assert notice.status_code == 200 and "张某" not in notice.text and "举报内容不予显示" in notice.text


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_phone_number_in_the_story_is_redacted_on_the_case_page_in_search_and_in_exports(console):
    report_id, case_id = a_case(console, STORY, category="urban-management",
                                reporter={"name": "王大山", "phone": "13912345678"})
    for code in ("supervisor-01", "hotline-op-01"):
        with signed_in(console, code) as browser:
            page = browser.get(f"/cases/{case_id}")
            assert page.status_code == 200 and "东关村路灯坏了" in page.text
            assert "13912345678" not in page.text, code
            found = browser.get("/search", params={"q": "路灯"})
            assert report_id in found.text and "13912345678" not in found.text, code
            for fmt in ("csv", "xlsx"):
                exported_file = browser.get(f"/search.{fmt}", params={"q": "路灯"})
                assert exported_file.status_code == 200 and b"13912345678" not in exported_file.content
                assert report_id.encode() in exported_file.content or fmt == "xlsx"
    with console.client("intake", "supervisor-01") as intake:  # the clear text: a release, with its purpose
        seen = intake.get(f"/reports/{report_id}").json()
        assert seen["content_access"] == "redacted" and "13912345678" not in seen["content"]


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_bureau_is_told_plainly_that_it_searches_no_reports(console):
    a_case(console, "东关村路灯坏了一个月没人修")
    with signed_in(console, "inspection-office") as bureau:
        for q in ("路灯", "13912345678", "R00000001"):
            answer = bureau.get("/search", params={"q": q})
            assert answer.status_code == 200, (q, answer.status_code)
            assert "搜索框不为您查找任何内容" in answer.text and 'id="search-refused"' in answer.text
        assert bureau.get("/search.csv", params={"q": "路灯"}).status_code == 200


def test_exports_write_the_county_s_time_as_date_times_in_excel_and_to_the_minute_in_csv():
    sent = "2026-12-05T08:42:30.491137+00:00"  # 16:42 in the county (UTC+8)
    case = {"case_id": "C00000006", "state": "dispatched", "unit": "chengguan", "channel": "hotline",
            "received_at": sent, "deadline": "2026-12-19T08:42:30+00:00", "instructions": []}
    cells = table("zh", CASE_COLUMNS, [case], {})
    local = datetime.fromisoformat(sent).astimezone(COUNTY_TIME)
    assert cells[1][6] == datetime(2026, 12, 5, 16, 42) == local.replace(tzinfo=None, second=0, microsecond=0)

    sheet = load_workbook(io.BytesIO(exported(cells, "xlsx", "cases").get_data())).active
    received = sheet.cell(row=2, column=7)
    assert received.value == datetime(2026, 12, 5, 16, 42) and received.number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row=2, column=8).value == datetime(2026, 12, 19, 16, 42)

    text = exported(cells, "csv", "cases").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][6:8] == ["2026-12-05 16:42", "2026-12-19 16:42"] and "+00:00" not in text

    report = {"report_id": "R00000007", "received_at": sent, "content": None}  # withheld: an empty cell
    assert table("zh", REPORT_COLUMNS, [report], {})[1][1] == datetime(2026, 12, 5, 16, 42)
