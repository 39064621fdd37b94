"""Search and lists at the console, in Chromium, in Chinese and English: the header's search box, the board
newest first with sortable columns, page numbers and the total, open cases unless closed ones are asked
for, exports to CSV and XLSX headed in the person's language; and a citizen's wrong codes that lock out
no other citizen. Screenshots in test-artifacts/console/lists/ (git-ignored)."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from lianxin.testing import Office
from services.console.exports import CASE_COLUMNS, REPORT_COLUMNS, table
from services.supervision.links import Links
from tests.support.browser import People, signed_in
from tests.support.browser import shot as shot_in
from tests.support.reports import a_case, close_through_the_office
from tests.support.waiting import eventually

WORDS = {"zh": {"case": "案件", "total": "共", "may_not": "不能", "too_many": "错误", "report": "诉求",
                "unit": "单位", "kind": "类型", "period": "期间应为"},
         "en": {"case": "Case", "total": "Cases:", "may_not": "your role may not", "too_many": "Too many",
                "report": "Report", "unit": "Unit", "kind": "Kind", "period": "a quarter (2026-Q3)"}}

STORIES = ("东关村路灯坏了一个月没人修", "西关社区自来水管爆裂漫到马路上", "南街菜市场门口垃圾堆了三天没人清运",
           "桥头村小学门口大货车开得太快很危险", "北街饭店油烟直排熏得住户不敢开窗")


def shot(page, name: str) -> None:
    shot_in(page, name, "lists")


# --- supervision believes the console, and only the console, about who the citizen is -----------------------

def request_from(address: str, forwarded: str | None = None) -> Request:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Request(EnvironBuilder(path="/", headers=headers, environ_base={"REMOTE_ADDR": address}).get_environ())


def test_only_the_console_names_the_citizen():
    links = Links("a-key-for-tests", failures=3, minutes=10, console="10.0.0.5")
    assert links.client(request_from("10.0.0.5", "198.51.100.7")) == "198.51.100.7"
    assert links.client(request_from("10.0.0.5", "203.0.113.9, 198.51.100.7")) == "198.51.100.7"  # its own entry
    assert links.client(request_from("192.0.2.1", "198.51.100.7")) == "192.0.2.1"  # a direct caller: ignored
    assert links.client(request_from("10.0.0.5")) == "10.0.0.5"
    unset = Links("a-key-for-tests", 3, 10)  # no console named: nobody is believed
    assert unset.client(request_from("10.0.0.5", "198.51.100.7")) == "10.0.0.5"


def test_exports_are_headed_in_the_persons_language_and_run_nothing():
    case = {"case_id": "C00000001", "state": "closed", "unit": "chengguan", "channel": "hotline",
            "township": "=HYPERLINK(\"http://evil\")", "instructions": []}
    zh, en = (table(lang, CASE_COLUMNS, [case], {"chengguan": "城关镇"}) for lang in ("zh", "en"))
    assert zh[0][:3] == ["案件", "状态", "单位"] and en[0][:3] == ["Case", "State", "Unit"]
    assert zh[1][1:3] == ["已办结", "城关镇"] and en[1][1] == "closed"
    assert zh[1][4].startswith("'=")  # a formula a citizen could have written stays text


def test_exports_say_the_marks_of_personal_data_taken_out_in_the_persons_language():
    report = {"report_id": "R00000001", "content": "路灯坏了，请回电〔电话〕，身份证〔身份证号〕"}
    zh, en = (table(lang, REPORT_COLUMNS, [report], {})[1][7] for lang in ("zh", "en"))
    assert zh == report["content"]
    assert en == "路灯坏了，请回电[phone number]，身份证[ID number]"


# --- dispatch's list: sort, page numbers, total, open cases ----------------------------------------------------

@pytest.fixture
def console(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls, settings={"supervision": {"console_proxy": "127.0.0.1",
                                                                       "review_sample_percent": 0}})
    office.start()
    office.start_console(proxy_hops=1)  # the tests' browsers say who they are as a web proxy would
    yield office
    office.stop()


@pytest.fixture
def cases(console) -> list[str]:
    """Five open cases, oldest first (five matters, so none joins another's case)."""
    return [a_case(console, story)[1] for story in STORIES]


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_dispatch_lists_cases_in_the_order_asked_by_page_number_with_the_total(console, cases):
    with console.client("dispatch", as_staff="supervisor-01") as dispatch:
        def listed(**params):
            return dispatch.get("/cases", params={"total": "true", **params})

        newest = listed(sort="-received_at", limit=2, page=1).json()
        assert [c["case_id"] for c in newest["cases"]] == cases[::-1][:2] and newest["total"] == 5
        third = listed(sort="-received_at", limit=2, page=3).json()
        assert [c["case_id"] for c in third["cases"]] == [cases[0]]
        assert [c["case_id"] for c in listed(sort="case_id").json()["cases"]] == cases
        assert listed(open="true").json()["total"] == 5
        assert "total" not in dispatch.get("/cases").json()
        # a page number out of range is a wrong field (422 naming page), as a million and one is
        for wrong, status in (({"sort": "reporter_id"}, 400), ({"page": "0"}, 422), ({"page": "x"}, 400)):
            refused = dispatch.get("/cases", params=wrong, headers={"Accept-Language": "en"})
            assert refused.status_code == status, refused.text
            assert wrong.popitem()[1] in refused.json()["error"]["message"].lower()  # says what is wrong


# --- the console ---------------------------------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_board_sorts_pages_counts_and_exports_and_the_search_box_finds(console, cases, people: People, lang):
    said = WORDS[lang]
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto("/board")
    rows = supervisor.locator("#cases tbody tr[data-case]")
    expect(rows).to_have_count(5)
    assert rows.first.get_attribute("data-case") == cases[-1]  # newest first
    expect(supervisor.locator("#total")).to_contain_text(said["total"])
    expect(supervisor.locator("#total")).to_contain_text("5")
    supervisor.click("a[data-sort=case_id]")  # one click: descending; another: ascending
    supervisor.click("a[data-sort=case_id]")
    expect(rows.first).to_have_attribute("data-case", cases[0])
    shot(supervisor, f"{lang}-01-board-sorted")

    with supervisor.expect_download() as download:
        supervisor.click("a.export[href^='/board.xlsx']")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert sheet["A1"].value == said["case"] and [r[0].value for r in sheet.iter_rows(min_row=2)] == cases
    with supervisor.expect_download() as download:
        supervisor.click("a.export[href^='/board.csv']")
    exported = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert exported[0][0] == said["case"] and [r[0] for r in exported[1:]] == cases

    # the search box: a case number opens the case, a report number its case, words find reports
    supervisor.fill("header input[name=q]", cases[2])
    supervisor.press("header input[name=q]", "Enter")
    expect(supervisor).to_have_url(re.compile(f"/cases/{cases[2]}$"))
    with console.client("dispatch", as_staff="supervisor-01") as dispatch:
        report_id = dispatch.get(f"/cases/{cases[1]}").json()["report_id"]
    supervisor.fill("header input[name=q]", report_id.lower())
    supervisor.press("header input[name=q]", "Enter")
    expect(supervisor).to_have_url(re.compile(f"/cases/{cases[1]}$"))
    supervisor.fill("header input[name=q]", "大货车")
    supervisor.press("header input[name=q]", "Enter")
    expect(supervisor.locator("#reports tbody tr[data-report]")).to_have_count(1)
    expect(supervisor.locator("#reports")).to_contain_text(cases[3])
    shot(supervisor, f"{lang}-02-search-words")

    leader = signed_in(people, "li-secretary", lang)
    leader.goto("/search?q=路灯")
    expect(leader.locator("#search-refused")).to_contain_text(said["may_not"])
    shot(leader, f"{lang}-03-search-not-for-leaders")


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_ten_wrong_codes_from_one_citizen_do_not_lock_out_another(console, people: People, lang):
    _, case_id = a_case(console, "东关村自来水停了三天")
    with console.client("supervision", as_staff="supervisor-01") as supervision:
        # until supervision has heard of the case (404 before), then its link
        secret = eventually(lambda: supervision.get(f"/cases/{case_id}/citizen-link").json().get("path")).split("=")[1]

    def citizen(address: str):
        context = people.browser.new_context(base_url=console.urls["console"],
                                             extra_http_headers={"X-Forwarded-For": address})
        people.contexts.append(context)
        page = context.new_page()
        page.goto("/public")
        if lang != "zh":
            page.click(f"button[value={lang}]")
        return page

    guesser = citizen("198.51.100.7")
    for n in range(10):
        guesser.goto(f"/public?case_id=C0000{n:04d}&secret=guess")
        expect(guesser.locator("#lookup-refused")).to_be_visible()
    guesser.goto(f"/public?case_id={case_id}&secret={secret}")  # the console itself stops this browser now
    expect(guesser.locator(".refusal")).to_contain_text(re.compile(WORDS[lang]["too_many"], re.IGNORECASE))
    shot(guesser, f"{lang}-04-guesser-stopped")

    other = citizen("198.51.100.8")
    other.goto(f"/public?case_id={case_id}&secret={secret}")
    expect(other.locator("#public-case")).to_contain_text(case_id)
    shot(other, f"{lang}-05-other-citizen-opens")


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_dashboard_counts_today_per_unit_and_maps_the_open_cases(console, people: People, lang):
    placed = [a_case(console, story, latitude=34.61, longitude=112.41)[1]
              for story in STORIES[:2]]
    a_case(console, "白杨镇河堤垮了一段", village="baiyang-baiyang")  # no coordinates: no point
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.click("nav a[href='/dashboard']")
    expect(supervisor.locator("[data-figure=new]")).to_have_text("3")
    expect(supervisor.locator("#map g[data-township=chengguan]")).to_have_attribute("data-open", "2")
    expect(supervisor.locator("#map g[data-township=baiyang]")).to_have_attribute("data-open", "1")
    expect(supervisor.locator("#map circle.report")).to_have_count(2)
    expect(supervisor.locator("#trend g[data-day]")).to_have_count(14)
    shot(supervisor, f"{lang}-06-dashboard")
    supervisor.click("#map g[data-township=chengguan]")  # the figure opens the cases behind it
    expect(supervisor.locator("#cases tbody tr[data-case]")).to_have_count(2)
    assert {supervisor.locator("#cases tbody tr[data-case]").nth(n).get_attribute("data-case")
            for n in range(2)} == set(placed)


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_office_in_figures_links_each_number_to_its_cases(console, people: People, lang):
    ids = [a_case(console, story)[1] for story in STORIES[:3]]
    with console.client("dispatch", as_staff="supervisor-01") as dispatch:
        for case_id, leader in ((ids[0], "gao-city-secretary"), (ids[1], "li-secretary")):
            answer = dispatch.post(f"/cases/{case_id}/instructions", json={"leader": leader, "comment": "抓紧办理"})
            assert answer.status_code < 300, answer.text
    leader = signed_in(people, "li-secretary", lang)
    leader.click("nav a[href='/figures']")
    expect(leader.locator("#received a").first).to_have_text("3")
    expect(leader.locator("#instructions a")).to_have_count(3)  # the two instructed, by the city, by the county
    shot(leader, f"{lang}-07-figures")
    leader.emulate_media(media="print")
    shot(leader, f"{lang}-08-figures-printed")
    leader.emulate_media(media="screen")
    leader.locator("#instructions a[href*='level=city']").click()  # the city-instructed cases
    expect(leader.locator("#cases tbody tr[data-case]")).to_have_count(1)
    expect(leader.locator("#cases tbody tr[data-case]")).to_have_attribute("data-case", ids[0])
    answer = leader.goto("/figures?period=2026-13")  # not a period: said so, in the person's language
    assert answer.status == 422
    expect(leader.locator(".refusal")).to_contain_text(WORDS[lang]["period"])


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_board_shows_open_cases_unless_closed_ones_are_asked_for(console, people: People, lang):
    closed_report, closed = a_case(console, "东关村自来水停了三天，家家没水吃",  # a local matter: 城关镇 handles it
                                   reporter={"name": "王五", "phone": "13800138001"})  # who can be called back
    _, still_open = a_case(console, STORIES[3])  # not water: that would be a repeat
    close_through_the_office(console, closed_report)
    supervisor = signed_in(people, "supervisor-01", lang)
    supervisor.goto("/board")
    rows = supervisor.locator("#cases tbody tr[data-case]")
    expect(rows).to_have_count(1)
    expect(rows).to_have_attribute("data-case", still_open)
    supervisor.check("input[name=closed]")
    supervisor.click("form.filters button[type=submit]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-case", still_open)  # newest first
    expect(supervisor.locator(f"tr[data-case={closed}]")).to_be_visible()
    shot(supervisor, f"{lang}-09-board-with-closed")


@pytest.mark.integration
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_operators_list_alerts_and_rankings_export_masked(console, people: People, lang):
    operator = signed_in(people, "hotline-op-01", lang)
    operator.goto("/intake")
    operator.fill("#content", STORIES[2])
    operator.select_option("#township", "chengguan")
    operator.fill("#phone", "13800138000")
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("#taken")).to_be_visible()
    with operator.expect_download() as download:
        operator.click("a.export[href='/intake/today.xlsx']")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == WORDS[lang]["report"] and len(cells) == 2
    assert "138****8000" in " ".join(map(str, cells[1])) and "13800138000" not in " ".join(map(str, cells[1]))
    leader = signed_in(people, "li-secretary", lang)
    for page in ("/alerts", "/rankings"):
        leader.goto(page)
        with leader.expect_download() as download:
            leader.locator("a.export[href*='.csv']").click()
        header = next(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
        assert header[1] == WORDS[lang]["unit" if page == "/rankings" else "kind"], header
