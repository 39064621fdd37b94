"""The rankings export lists every unit the rankings page lists — townships, then county departments, each ranked
first and then those with no case due, said so in words — with the one-vote veto named by its accountability
measures, all in the reader's language. Scoring's real answer (its worker over SQLite) goes through the console's
export, and the XLSX is opened with openpyxl, the library that writes it."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from lianxin.events import new_event
from lianxin.vocabulary import COUNTY_TIME
from services.console import exports, pages
from services.console.rendering import fragment
from services.console.session import Visitor
from tests.support.builders import staff
from tests.support.scoring import COUNTY, DEPARTMENTS, TOWNSHIPS, case_events, feed, make_scoring, notice, staff_get

CLOSED, FRESH, NOTICED, VETOED = TOWNSHIPS[0], TOWNSHIPS[1], TOWNSHIPS[2], DEPARTMENTS[0]
LATE = "education"  # 县教育局, the reviewer's: an overdue case with a notice, nothing closed
SIGNED_BY = "刘建国"  # the responsible person who signed the handling reports: not a figure of the rankings
WORDS = {
    "zh": {"header": ["#", "单位", "类型", "得分", "案件数", "应办结案件", "已办结", "办结率", "按时办结率", "满意度",
                      "通报", "一票否决"],
           "not_ranked": "本期无应办结案件，不参与排名", "veto": "党纪处分、免职", "township": "乡镇",
           "department": "县直部门"},
    "en": {"header": ["#", "Unit", "Kind", "Score", "Cases", "Cases due", "Closed", "Closure rate", "On time",
                      "Satisfaction", "Notices", "Veto"],
           "not_ranked": "No case due in this period: not ranked", "veto": "Party discipline, removal from post",
           "township": "township", "department": "county department"},
}


def overdue(n: int, unit: str, at: datetime):
    """Dispatch's word that case ``n`` passed its deadline unconcluded."""
    return ("on_case_overdue", new_event("case.overdue", f"C{n:08d}", {
        "case_id": f"C{n:08d}", "unit": unit, "stage": "overdue", "deadline": at, "flagged_at": at}))


def held_to_account(n: int, unit: str, measure: str, at: datetime):
    return ("on_accountability_recorded", new_event("accountability.recorded", f"AR{n:06d}", {
        "record_id": f"AR{n:06d}", "person": "赵某", "unit": unit, "measure": measure, "case_id": "C00000001",
        "reason": "失职", "recorded_at": at}))


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> dict:
    """This month's live rankings: a township that closed its case, one whose only case came in a minute ago
    (nothing due), one with a notice only, a department closing its case under a two-measure veto, and one
    whose only case went overdue unconcluded, with a notice for it."""
    scoring = make_scoring(tmp_path_factory.mktemp("scoring") / "scoring.db")
    now = datetime.now(timezone.utc) - timedelta(minutes=1)
    feed(scoring, case_events(1, CLOSED, at=now, person=SIGNED_BY) + case_events(2, FRESH, closed=False, at=now)
         + case_events(3, VETOED, at=now, person=SIGNED_BY) + [notice(1, NOTICED, at=now)]
         + [held_to_account(1, VETOED, "removal", now), held_to_account(2, VETOED, "party_discipline", now)]
         + case_events(4, LATE, closed=False, at=now) + [overdue(4, LATE, now), notice(2, LATE, at=now)])
    return scoring.get_rankings(staff_get({"period": now.astimezone(COUNTY_TIME).strftime("%Y-%m")}))


def exported(answer: dict, lang: str, fmt: str) -> list[list]:
    """The export as a person takes it away, read back: XLSX through openpyxl, CSV as Excel reads it."""
    cells = exports.table(lang, exports.SCORE_COLUMNS, exports.rankings(answer), pages.names(COUNTY))
    body = exports.exported(cells, fmt, "rankings").get_data()
    if fmt == "xlsx":
        return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_unit_the_page_lists_is_exported_the_idle_ones_said_so_in_words(answer, lang, fmt):
    header, *rows = exported(answer, lang, fmt)
    words = WORDS[lang]
    assert header == words["header"]
    by_name = {row[1]: row for row in rows}
    assert len(rows) == len(COUNTY.units) and set(by_name) == {unit.name for unit in COUNTY.units.values()}
    kinds = [row[2] for row in rows]
    assert kinds == sorted(kinds, key=[words["township"], words["department"]].index)  # townships first

    closed, fresh = by_name[COUNTY.units[CLOSED].name], by_name[COUNTY.units[FRESH].name]
    assert [str(cell) for cell in closed[:2]] == ["1", COUNTY.units[CLOSED].name]
    assert fresh[0] == "—" and fresh[3] == words["not_ranked"]  # received a case, none due: not ranked with a 0
    assert [str(cell) for cell in fresh[4:6]] == ["1", "0"]
    noticed = by_name[COUNTY.units[NOTICED].name]
    assert noticed[3] == words["not_ranked"] and str(noticed[10]) == "1"  # its notice shown, no score
    assert [row[0] for row in rows].count("—") == len(COUNTY.units) - 3


def test_a_unit_holding_an_overdue_case_with_a_notice_is_ranked_not_listed_as_without_cases(answer):
    [late] = [s for s in answer["scores"] if s["unit"] == LATE]
    assert (late["cases"], late["due"], late["closed"], late["closure_rate"], late["notices"]) == (1, 1, 0, 0.0, 1)
    assert LATE not in {s["unit"] for s in answer["without_cases"]}
    assert late["rank"] == 1  # the vetoed department ranks after it, whatever its score


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_rankings_page_ranks_the_late_unit_and_lists_the_fresh_one_as_not_ranked(answer, lang):
    kinds = {kind: [s for s in answer["scores"] if s["unit_kind"] == kind] for kind in ("township", "department")}
    idle = {kind: [s for s in answer["without_cases"] if s["unit_kind"] == kind] for kind in ("township", "department")}
    shown = BeautifulSoup(fragment(lang, "rankings.html", visitor=Visitor(lang, staff("leader"), "t"),
                                   names=pages.names(COUNTY), path="/", form_token="x", poll_seconds=5, opened_ms=0,
                                   error=None, period=answer["period"], published=[], townships=kinds["township"],
                                   departments=kinds["department"], idle_townships=idle["township"],
                                   idle_departments=idle["department"]), "html.parser")
    late, fresh = shown.select_one(f"tr[data-unit={LATE}]"), shown.select_one(f"tr[data-unit={FRESH}]")
    assert late.select_one("td").text == "1" and "no-cases" not in (late.get("class") or [])
    assert fresh.select_one("td.not-ranked").text == WORDS[lang]["not_ranked"]
    assert fresh.select_one("td[data-figure=cases]").text == "1"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_veto_is_named_by_its_measures_in_the_readers_words_and_no_code_or_person_shows(answer, lang):
    header, *rows = exported(answer, lang, "xlsx")
    vetoed = next(row for row in rows if row[1] == COUNTY.units[VETOED].name)
    assert vetoed[header.index(WORDS[lang]["header"][-1])] == WORDS[lang]["veto"]
    assert [row for row in rows if row[-1]] == [vetoed]
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    codes = {*COUNTY.units, "removal", "party_discipline", "township", "department"} - (
        {"township", "department", "removal"} if lang == "en" else set())  # in English words too ("removal from post")
    shown = set(re.findall(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", text)) & codes
    assert shown == set() and SIGNED_BY not in text
