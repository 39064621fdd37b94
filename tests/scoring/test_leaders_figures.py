"""Leaders' figures mean what they say: every unit of the county is in the rankings, those without cases
listed as such (never ranked last with a 0), in the live rankings, the published assessment, its event and
its documents."""
import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from nameko.testing.services import worker_factory
from sqlalchemy import select

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.events import new_event, parse_event
from lianxin.messaging_tables import outbox
from lianxin.vocabulary import COUNTY_TIME
from services.scoring import models, records, report
from services.scoring import service as scoring_api
from services.scoring.records import get
from services.scoring.service import ScoringService
from tests.support.builders import request, staff
from tests.support.county import CREDENTIALS
from tests.support.digest import county_time
from tests.support.digest import report as reported
from tests.support.scoring import CONFIG, COUNTY, DEPARTMENTS, TOWNSHIPS, case_events, feed, notice, staff_get

BUSY, NOTICED_ONLY = TOWNSHIPS[0], TOWNSHIPS[1]


@pytest.fixture
def database(tmp_path):
    db = Database.of_service(models, f"sqlite:///{tmp_path / 'scoring.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def scoring(database):
    return worker_factory(ScoringService, uow=database.unit_of_work(), directory=COUNTY, config=CONFIG,
                          auth=Authenticator(load_credentials(CREDENTIALS)))


def march(scoring):
    feed(scoring, case_events(1, BUSY) + case_events(2, BUSY, closed=False) + case_events(3, DEPARTMENTS[0])
         + [notice(1, NOTICED_ONLY)])


def test_every_township_appears_and_units_without_cases_are_not_ranked(scoring):
    march(scoring)
    answer = scoring.get_rankings(staff_get({"period": "2026-03"}))
    ranked = {s["unit"] for s in answer["scores"]}
    idle = {s["unit"]: s for s in answer["without_cases"]}
    assert ranked == {BUSY, DEPARTMENTS[0]}
    assert ranked | set(idle) == set(COUNTY.units) and not ranked & set(idle)  # each unit once
    assert [s["unit"] for s in answer["without_cases"] if s["unit_kind"] == "township"] == TOWNSHIPS[1:]
    assert idle[NOTICED_ONLY] == {"unit": NOTICED_ONLY, "unit_kind": "township", "cases": 0, "notices": 1,
                                  "accountability": 0, "vetoed_by": []}  # its notice shown, not a score of 0
    assert all("score" not in s and "rank" not in s for s in answer["without_cases"])


# --- a closure rate counts against the cases that were due (应办结) ------------------------------------------------

def fresh(n: int, unit: str, closed=False):
    """A case received a minute ago (its deadline a week away), and the month it counts in."""
    at = datetime.now(timezone.utc) - timedelta(minutes=1)
    return case_events(n, unit, closed=closed, at=at), at.astimezone(COUNTY_TIME).strftime("%Y-%m")


def test_a_unit_whose_only_case_is_fresh_is_not_ranked_last_with_a_closure_rate_of_0(scoring, database):
    events, month = fresh(1, BUSY)
    feed(scoring, events + fresh(2, TOWNSHIPS[2], closed=True)[0] + fresh(3, TOWNSHIPS[2])[0])
    answer = scoring.get_rankings(staff_get({"period": month}))
    assert [s["unit"] for s in answer["scores"]] == [TOWNSHIPS[2]]
    done = answer["scores"][0]
    assert (done["cases"], done["due"], done["closed"], done["closure_rate"]) == (2, 1, 1, 100.0)  # 1 of 1 due
    idle = {s["unit"]: s for s in answer["without_cases"]}
    assert idle[BUSY]["cases"] == 1 and "score" not in idle[BUSY]  # received, nothing due yet: not ranked
    a_week_on = datetime.now(timezone.utc) + timedelta(days=8)  # its deadline passed, still open: it counts
    with database.unit_of_work() as uow:
        later = records.rankings(uow, COUNTY, month, CONFIG["SCHEME"], as_of=a_week_on)
    assert {s["unit"]: s["closure_rate"] for s in later.scores} == {BUSY: 0.0, TOWNSHIPS[2]: 50.0}
    assert BUSY not in {s["unit"] for s in later.without_cases}


def test_an_open_case_marked_overdue_is_due_whatever_its_deadline_says(scoring):
    events, month = fresh(1, BUSY)
    now = datetime.now(timezone.utc)
    overdue = new_event("case.overdue", "C00000001", {"case_id": "C00000001", "unit": BUSY, "stage": "overdue",
                                                     "deadline": now, "flagged_at": now})
    feed(scoring, events + [("on_case_overdue", overdue)])
    [line] = scoring.get_rankings(staff_get({"period": month}))["scores"]
    assert (line["unit"], line["due"], line["closure_rate"]) == (BUSY, 1, 0.0)


# --- the county's own figures --------------------------------------------------------------------------------------

def test_the_live_rankings_carry_the_countys_figures_added_up_never_averaged(scoring):
    march(scoring)
    first_call = case_events(4, DEPARTMENTS[1])[:2]  # dispatched and reported
    again = new_event("callback.recorded", "C00000004", {
        "callback_id": "CB-again", "case_id": "C00000004", "unit": DEPARTMENTS[1], "reached": True, "resolved": "no",
        "satisfaction": "dissatisfied", "recorded_by": "op", "recorded_at": first_call[1][1].data["reported_at"]})
    feed(scoring, case_events(4, DEPARTMENTS[1]) + [("on_callback_recorded", again)])  # called twice, closed
    answer = scoring.get_rankings(staff_get({"period": "2026-03"}))
    county = answer["county"]
    listed = answer["scores"] + answer["without_cases"]
    assert county["cases"] == sum(s["cases"] for s in listed) == 4
    assert (county["due"], county["closed"], county["closed_on_time"], county["called_back"]) == (4, 3, 3, 3)
    assert county["notices"] == sum(s["notices"] for s in listed) == 1
    assert (county["closure_rate"], county["on_time_rate"], county["callback_rate"]) == (75.0, 100.0, 100.0)
    units = [s["satisfaction_rate"] for s in answer["scores"]]
    assert sorted(units) == [50.0, 100.0, 100.0]  # the units' rates: 1 of 2 callbacks satisfied, 1 of 1, 1 of 1
    assert county["satisfaction_rate"] == 75.0  # 3 satisfied of 4 callbacks that reached the petitioner
    documented = yaml.safe_load(Path(scoring_api.__file__).with_name("openapi.yaml").read_text())
    figures = documented["components"]["schemas"]["CountyFigures"]
    assert set(county) == set(figures["properties"]) == set(figures["required"])


def test_the_assessment_its_event_and_documents_list_the_units_without_cases(scoring, database):
    march(scoring)
    status, published = scoring.publish_assessment(request({"period": "2026-03"}, "supervisor-01"))
    assert status == 201
    assert {s["unit"] for s in published["scores"]} == {BUSY, DEPARTMENTS[0]}
    assert len(published["without_cases"]) == len(COUNTY.units) - 2

    with database.engine.connect() as conn:
        [body] = conn.execute(select(outbox.c.body).where(outbox.c.type == "assessment.published")).scalars()
    event = parse_event(body).data
    assert [s["unit"] for s in event["scores"]] == [BUSY, DEPARTMENTS[0]]
    assert set(event["without_cases"]) == set(COUNTY.units) - {BUSY, DEPARTMENTS[0]}

    with database.unit_of_work() as uow:
        assessment = get(uow, published["assessment_id"])
        rows = list(csv.DictReader(io.StringIO(report.as_csv(COUNTY, assessment))))
        html, english = report.as_html(COUNTY, assessment), report.as_html(COUNTY, assessment, "en")
    by_name = {r["name"]: r for r in rows}
    idle = by_name[COUNTY.units[NOTICED_ONLY].name]
    assert (idle["standing"], idle["rank"], idle["score"], idle["notices"]) == ("no cases", "", "", "1")
    assert by_name[COUNTY.units[BUSY].name]["rank"] == "1"
    assert len(rows) == len(COUNTY.units)
    for township in COUNTY.townships:
        assert township.name in html
    assert html.count("本期无应办结案件，不参与排名") == len(COUNTY.units) - 2  # Chinese unless English is asked for
    assert english.count("No case due in this period: not ranked") == len(COUNTY.units) - 2
    assert "<thead>" in html
    # the English page names the county and its units in English; the CSV, for machines, keeps the Chinese
    assert "Masses work assessment of Lianxin County" in english and "连心县" in html
    for township in COUNTY.townships:
        assert township.name_in("en") in english and township.name not in english
    assert COUNTY.units[BUSY].name_in("en") not in by_name


def test_a_units_scorecard_names_it_in_the_readers_language(scoring):
    from lianxin.i18n.kept_texts import READER, Reader, directory_names

    for lang in ("zh", "en"):
        token = READER.set(Reader(lang, directory_names(COUNTY, lang)))
        try:
            card = scoring.scorecard(staff_get({}), TOWNSHIPS[0])
        finally:
            READER.reset(token)
        assert card["name"] == COUNTY.units[TOWNSHIPS[0]].name_in(lang)
    assert COUNTY.units[TOWNSHIPS[0]].name_in("en") != COUNTY.units[TOWNSHIPS[0]].name


@pytest.mark.parametrize("lang, words", [("zh", "本期无应办结案件"), ("en", "No case due in this period")])
def test_the_rankings_page_lists_every_township_the_idle_ones_unranked(scoring, lang, words):
    from bs4 import BeautifulSoup

    from services.console import pages
    from services.console.rendering import fragment
    from services.console.session import Visitor

    march(scoring)
    answer = scoring.get_rankings(staff_get({"period": "2026-03"}))

    class Scoring:
        def get(self, service, path, **params):
            return answer

        def every(self, service, path, listed, **params):
            return []  # no assessment of the period published

    context = {"visitor": Visitor(lang, staff("leader"), "t"), "names": pages.names(COUNTY), "county": COUNTY,
               "path": "/rankings", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "error": None,
               **pages.rankings(Scoring(), "2026-03")}
    page = BeautifulSoup(fragment(lang, "rankings.html", **context), "html.parser")
    listed = [row["data-unit"] for row in page.select("tr[data-unit]")]
    assert sorted(listed) == sorted(COUNTY.units)
    idle = page.select_one(f"tr.no-cases[data-unit={NOTICED_ONLY}]")
    assert words in idle.text and idle.select("td")[0].text == "—"
    assert not page.select(f"tr.no-cases[data-unit={BUSY}]")


# --- the monthly analysis compares equal periods ------------------------------------------------------------------

def test_a_month_to_date_is_compared_with_the_same_days_of_the_month_before():
    from services.intake.digest_writing import findings_said, monthly_analysis, to_markdown

    def water(month, days, township="baiyang"):
        return [reported(month * 100 + day, "drinking-water", township, county_time(2026, month, day))
                for day in days]

    months = {"2026-09": water(9, range(1, 29)), "2026-10": water(10, [1, 2, 3, 20, 25, 30]),
              "2026-11": water(11, [1, 2, 3, 4])}  # 4 November: the month has just begun
    partial = monthly_analysis(COUNTY, months, "2026-11", through_day=4)
    assert partial["change"]["previous"] == 3 and partial["change"]["current"] == 4  # 1-4 October, not all of it
    assert partial["trends"][0]["counts"] == [4, 3, 4]
    assert partial["through_day"] == 4 and partial["label"] == "2026年11月1日至4日"
    assert "上月同期（1日至4日）" in findings_said(partial["findings"], "zh")
    markdown = to_markdown(partial)
    assert "| 类别 | 本月 | 上月同期 | 增减 | 幅度 | 主要乡镇 |" in markdown
    assert "| 类别 | 9月1-4日 | 10月1-4日 | 11月1-4日 | 走势 |" in markdown

    whole = monthly_analysis(COUNTY, months, "2026-11")  # an ended month: whole months
    assert whole["change"]["previous"] == 6 and whole["through_day"] is None
    every_table_has_a_header = [line for line in to_markdown(whole).splitlines() if line.startswith("| ---")]
    assert len(every_table_has_a_header) == 3


@pytest.mark.parametrize("lang, last", [("zh", "上月同期"), ("en", "same days last month")])
def test_the_analysis_page_has_a_header_on_every_table(lang, last):
    from bs4 import BeautifulSoup

    from services.console import pages
    from services.console.rendering import fragment
    from services.console.session import Visitor
    from services.intake.digest_writing import monthly_analysis

    months = {"2026-10": [reported(1, "drinking-water", "baiyang", county_time(2026, 10, 2))],
              "2026-11": [reported(2, "housing", "gaoping", county_time(2026, 11, 1))]}
    analysis = monthly_analysis(COUNTY, months, "2026-11", through_day=4)
    context = {"visitor": Visitor(lang, staff("leader"), "t"), "names": pages.names(COUNTY), "county": COUNTY,
               "path": "/analysis", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "error": None,
               "analysis": analysis}
    page = BeautifulSoup(fragment(lang, "analysis.html", **context), "html.parser")
    tables = page.select("#analysis table")
    assert len(tables) == 3
    for table in tables:
        heads = [th.text.strip() for th in table.select("thead th")]
        assert heads and all(heads), heads
        assert len(heads) == len(table.select("tbody tr")[0].select("td"))
    assert last in tables[0].select("thead th")[2].text


# --- the assignment notice gives the exact place, without personal data ---------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_assignment_notice_gives_the_village_and_the_place_as_written_without_personal_data(office):
    from tests.support.reports import case_of
    from tests.support.waiting import eventually

    reporter = {"name": "王大山", "phone": "13812341234", "address": "东关村三组12号"}
    with office.client("intake") as intake:
        at_the_gate = intake.post("/reports", json={
            "channel": "hotline", "village": "chengguan-dongguan", "category": "drinking-water",
            "content": "村委会门口的自来水管爆了，水流了一地", "reporter": reporter,
            "location": "东关村村委会门口，王大山家斜对面，电话13812341234"}).json()
        at_home = intake.post("/reports", json={
            "channel": "hotline", "village": "chengguan-xiguan", "category": "housing",
            "content": "我家房子漏雨，墙也裂了", "reporter": {**reporter, "phone": "13812345678",
                                                      "address": "西关村五组3号"},
            "location": "西关村五组3号"}).json()
    with office.client("dispatch") as dispatch:
        gate = eventually(lambda: case_of(office, at_the_gate["report_id"]))
        home = eventually(lambda: case_of(office, at_home["report_id"]))
        gate_notice = dispatch.get(f"/cases/{gate['case_id']}/assignment-notice").text
        home_notice = dispatch.get(f"/cases/{home['case_id']}/assignment-notice").text
    place = next(line for line in gate_notice.splitlines() if line.startswith("| 地点"))
    assert f"城关镇{COUNTY.villages['chengguan-dongguan'][1].name}，东关村村委会门口" in place and "斜对面" in place
    for personal in ("王大山", "13812341234", "三组12号"):
        assert personal not in gate_notice
    home_place = next(line for line in home_notice.splitlines() if line.startswith("| 地点"))
    # the reporter's own address stays in intake
    assert f"城关镇{COUNTY.villages['chengguan-xiguan'][1].name}" in home_place and "五组3号" not in home_notice
