"""Scoring fed a county's event history: rates as the county reports them, rankings, each penalty and award
rule with ties and the veto, year-end assessment, recomputation, and a rebuild from replayed events."""
import random
import re
from collections import Counter

import pytest

from lianxin.errors import Conflict
from lianxin.events import new_event
from services.scoring.outcomes import reason, year_outcomes
from tests.support.builders import request
from tests.support.scoring import (
    COUNTY,
    DEPARTMENTS,
    MARCH,
    SCHEME,
    TOWNSHIPS,
    case_events,
    feed,
    make_scoring,
    notice,
    staff_get,
)

VERTICAL = next(d.code for d in COUNTY.departments if d.vertical)


@pytest.fixture
def scoring(tmp_path):
    yield make_scoring(tmp_path / "scoring.db")










def line(scores, unit):
    return next(s for s in scores if s["unit"] == unit)


def test_the_closure_rate_is_the_countys_287_of_290(scoring):
    events = []
    for n in range(290):
        events += case_events(n + 1, TOWNSHIPS[0], closed=n < 287)
    feed(scoring, events)
    scores = scoring.get_rankings(staff_get({"period": "2026-03"}))["scores"]
    assert (line(scores, TOWNSHIPS[0])["cases"], line(scores, TOWNSHIPS[0])["closed"]) == (290, 287)
    assert line(scores, TOWNSHIPS[0])["closure_rate"] == 98.97




def history(seed=1):
    """A month for three townships and four departments, with notices and an accountability record."""
    rng, events, n = random.Random(seed), [], 0
    quality = {TOWNSHIPS[0]: 1.0, TOWNSHIPS[1]: 0.8, TOWNSHIPS[2]: 0.3,
               DEPARTMENTS[0]: 1.0, DEPARTMENTS[1]: 0.9, DEPARTMENTS[2]: 0.6, VERTICAL: 0.2}
    for unit, q in quality.items():
        for _ in range(8):
            n += 1
            events += case_events(n, unit, closed=rng.random() < q + 0.1, on_time=rng.random() < q,
                                  satisfied=rng.random() < q)
    events += [notice(1, TOWNSHIPS[2]), notice(2, TOWNSHIPS[2]), notice(3, VERTICAL)]
    return events


def test_units_are_scored_and_ranked_townships_and_departments_apart(scoring):
    feed(scoring, history())
    scores = scoring.get_rankings(staff_get({"period": "2026-03"}))["scores"]
    townships = [s["unit"] for s in scores if s["unit_kind"] == "township"]
    assert townships[0] == TOWNSHIPS[0] and townships[-1] == TOWNSHIPS[2]
    assert [s["rank"] for s in scores if s["unit_kind"] == "department"] == [1, 2, 3, 4]
    worst = line(scores, TOWNSHIPS[2])
    assert worst["notices"] == 2 and worst["score"] < line(scores, TOWNSHIPS[1])["score"]


def test_a_published_assessment_is_never_changed_and_a_recomputation_says_what_moved(scoring):
    feed(scoring, history())
    first = scoring.publish_assessment(_post({"period": "2026-03"}))[1]
    with pytest.raises(Conflict, match="recompute it instead"):
        scoring.publish_assessment(_post({"period": "2026-03"}))
    feed(scoring, case_events(999, TOWNSHIPS[1]))  # a late case of March
    second = scoring.recompute_assessment(request({}, "supervisor-01"), first["assessment_id"])[1]
    assert second["supersedes"] == first["assessment_id"]
    [moved] = [c for c in second["explanation"] if c["unit"] == TOWNSHIPS[1]]
    assert moved["because"]["cases"] == [8, 9]
    assert scoring.get_assessment(staff_get({}), first["assessment_id"])["scores"] == first["scores"]  # untouched


def _post(body):
    return request(body, "supervisor-01")


def test_a_rebuild_from_the_replayed_events_gives_the_same_rankings(scoring, tmp_path):
    events = history()
    feed(scoring, events)
    rebuilt = make_scoring(tmp_path / "rebuilt.db")
    shuffled = events[:]
    random.Random(5).shuffle(shuffled)  # replays come in any order across queues
    feed(rebuilt, shuffled)
    period = staff_get({"period": "2026-03"})
    assert rebuilt.get_rankings(period)["scores"] == scoring.get_rankings(period)["scores"]


def test_the_year_end_assessment_combines_the_year_with_the_review_and_carries_the_outcomes(scoring):
    feed(scoring, history())
    scoring.publish_assessment(_post({"period": "2026-03"}))
    scoring.enter_year_end_review(_post_as({"year": 2026, "unit": TOWNSHIPS[0], "score": 50}))
    year = scoring.publish_assessment(_post({"period": "2026", "kind": "year_end"}))[1]
    best = line(year["scores"], TOWNSHIPS[0])
    assert best["score"] == round(0.6 * best["regular_score"] + 0.4 * 50, 2)
    outcomes = scoring.year_outcomes(staff_get({}), "2026")["outcomes"]
    assert {(o["unit"], o["outcome"]) for o in outcomes} >= {(TOWNSHIPS[2], "loses_award_eligibility"),
                                                             (VERTICAL, "loses_award_eligibility")}
    assert all(o["reason"] for o in outcomes)
    html = scoring.get_assessment(staff_get({"format": "html"}), year["assessment_id"]).get_data(as_text=True)
    csv = scoring.get_assessment(staff_get({"format": "csv"}), year["assessment_id"]).get_data(as_text=True)
    assert "<svg" in html and "奖惩结果" in html and csv.splitlines()[0].startswith("name,rank,unit")
    card = scoring.scorecard(staff_get({}), TOWNSHIPS[0])
    assert [h["kind"] for h in card["history"]] == ["regular", "year_end"]


def _post_as(body, as_staff="supervisor-01"):
    return request(body, as_staff)


# --- the county's rules on ranked scorecards ---------------------------------------------------------------

def card(unit, score, rank, notices=0, closed=10, on_time=8, cases=10, vetoed_by=()):
    kind = "township" if unit in TOWNSHIPS else "department"
    return {"unit": unit, "unit_kind": kind, "score": score, "rank": rank, "notices": notices, "closed": closed,
            "closed_on_time": on_time, "cases": cases, "closure_rate": 100 * closed / cases,
            "vetoed_by": list(vetoed_by)}


def outcomes_of(cards, reporting=None, individuals=None):
    results = year_outcomes(COUNTY, cards, reporting or Counter(), individuals or Counter(), SCHEME)
    return {(o["unit"], o["outcome"]): o for o in results}


def test_the_most_noticed_township_and_three_departments_lose_eligibility_ties_included():
    t, d = TOWNSHIPS, DEPARTMENTS
    cards = [card(t[0], 90, 1, notices=2), card(t[1], 80, 2, notices=2), card(t[2], 70, 3, notices=1),
             card(d[0], 90, 1, notices=3), card(d[1], 85, 2, notices=2), card(d[2], 80, 3, notices=1),
             card(d[3], 75, 4, notices=1), card(d[4], 70, 5)]
    out = outcomes_of(cards)
    lost = {u for u, kind in out if kind == "loses_award_eligibility"}
    assert lost == {t[0], t[1], d[0], d[1], d[2], d[3]}  # a tie at the boundary: all of them
    assert (t[2], "advanced_township") in out and (d[4], "advanced_unit") in out


def test_no_notices_means_nobody_is_most_noticed():
    cards = [card(TOWNSHIPS[0], 90, 1), card(TOWNSHIPS[1], 80, 2)]
    assert not [k for k in outcomes_of(cards) if k[1] == "loses_award_eligibility"]


def test_a_vertically_managed_unit_is_reported_to_its_superior():
    out = outcomes_of([card(VERTICAL, 70, 1, notices=2)])
    assert out[(VERTICAL, "loses_award_eligibility")]["report_to_superior"] is True
    assert "reported to its superior" in reason(out[(VERTICAL, "loses_award_eligibility")], "en")
    assert "报其上级主管部门" in reason(out[(VERTICAL, "loses_award_eligibility")], "zh")


def test_under_60_and_last_among_the_rest_brings_an_admonition():
    t = TOWNSHIPS
    cards = [card(t[0], 80, 1), card(t[1], 55, 2), card(t[2], 40, 3, notices=4)]  # the last is most noticed
    out = outcomes_of(cards)
    assert (t[1], "director_and_leader_admonished") in out  # last among the rest
    assert (t[2], "director_and_leader_admonished") not in out
    assert (t[0], "director_and_leader_admonished") not in outcomes_of([card(t[0], 61, 1)])  # 60 or more: no


def test_the_last_three_departments_under_60_are_admonished():
    d = DEPARTMENTS
    cards = [card(d[i], score, i + 1) for i, score in enumerate([90, 80, 59, 58, 70])]
    cards[-1]["rank"], cards[2]["rank"], cards[3]["rank"] = 3, 4, 5
    admonished = {u for u, kind in outcomes_of(cards) if kind == "director_and_leader_admonished"}
    assert admonished == {d[2], d[3]}  # d[4] is among the last three but scored 70


def test_one_vote_veto_takes_a_unit_out_of_the_awards():
    t = TOWNSHIPS
    cards = [card(t[0], 95, 2, vetoed_by=["removal"]), card(t[1], 80, 1)]
    out = outcomes_of(cards)
    assert (t[0], "one_vote_veto") in out and "(removal from post)" in reason(out[(t[0], "one_vote_veto")], "en")
    assert (t[1], "advanced_township") in out and (t[0], "advanced_township") not in out


def test_awards_follow_their_criteria_with_ties_broken_by_the_ranking_rule():
    t, d = TOWNSHIPS, DEPARTMENTS
    cards = [card(t[0], 90, 1, closed=10, on_time=9), card(t[1], 85, 2, closed=10, on_time=10),
             card(d[0], 88, 1), card(d[1], 87, 2), card(d[2], 86, 3), card(d[3], 85, 4),
             card(t[2], 70, 3, closed=3, on_time=3, cases=3)]  # too few cases for best handling
    out = outcomes_of(cards, reporting=Counter({t[1]: 12, t[0]: 12, t[2]: 3}),
                      individuals=Counter({("刘建国", t[0]): 7, ("王芳", t[1]): 7}))
    assert {u for u, k in out if k == "advanced_unit"} == {d[0], d[1], d[2]}
    assert (t[1], "best_handling") in out  # 10 of 10 on time
    assert (min(t[0], t[1]), "best_reporting") in out  # a tie on reports: the code first
    individual = next(o for (u, k), o in out.items() if k == "advanced_individual")
    assert individual["person"] == "刘建国"  # a tie on cases: the name first


# --- in the reader's language -------------------------------------------------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def vetoed(n: int, unit: str, at=MARCH):
    return ("on_accountability_recorded", new_event("accountability.recorded", f"AR{n:06d}", {
        "record_id": f"AR{n:06d}", "person": "赵某", "unit": unit, "measure": "removal", "case_id": "C00000001",
        "reason": "失职", "recorded_at": at}))


def year_end_2026(scoring) -> dict:
    """A year-end assessment with penalties of each kind (most noticed, vertical, veto) and awards."""
    feed(scoring, history() + [vetoed(1, TOWNSHIPS[1])])
    return scoring.publish_assessment(_post({"period": "2026", "kind": "year_end"}))[1]


def outcome_rows(html: str) -> list[list[str]]:
    from bs4 import BeautifulSoup
    page = BeautifulSoup(html, "html.parser")
    return [[td.get_text() for td in tr.find_all("td")] for tr in page.select("tr.outcome")]


def test_outcomes_keep_codes_and_numbers_and_are_said_in_the_language_asked_for(scoring):
    year = year_end_2026(scoring)
    kept = year["outcomes"]
    assert {o["reason_code"] for o in kept} >= {"most_noticed_township", "most_noticed_vertical", "vetoed",
                                               "first_township", "top_department", "most_satisfied_closures"}
    vetoing = next(o for o in kept if o["outcome"] == "one_vote_veto")
    assert vetoing["reason_values"] == {"measures": ["removal"]}
    english = scoring.year_outcomes(staff_get({}, lang="en"), "2026")["outcomes"]
    chinese = scoring.year_outcomes(staff_get({}, lang="zh-CN,zh;q=0.9"), "2026")["outcomes"]
    assert scoring.year_outcomes(staff_get({}), "2026")["outcomes"] == chinese  # Chinese unless English is asked for
    said = {o["reason_code"]: o["reason"] for o in english}
    assert said["vetoed"] == "accountability (removal from post) vetoes the unit: it cannot be rated well this year"
    assert said["most_noticed_township"] == "notices of criticism this year: 2, the most of any township"
    for o in chinese:
        assert CHINESE.search(o["reason"]) and not LATIN_WORD.search(o["reason"]), o["reason"]
    assert {o["reason_code"]: o["reason"] for o in chinese}["vetoed"] == "责任追究（免职）一票否决：本年度不得评先评优"


def test_the_printed_assessment_is_in_the_readers_language_reasons_included(scoring):
    year = year_end_2026(scoring)
    chinese = scoring.get_assessment(staff_get({"format": "html"}), year["assessment_id"]).get_data(as_text=True)
    in_english = staff_get({"format": "html"}, lang="en")
    english = scoring.get_assessment(in_english, year["assessment_id"]).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and "乡镇（街道）排名" in chinese and "奖惩结果" in chinese
    assert '<html lang="en">' in english and "Township rankings" in english
    assert "Penalties and awards decided" in english
    rows = outcome_rows(chinese)
    assert len(rows) == len(year["outcomes"]) and ["一票否决" in row[1] for row in rows].count(True) == 1
    for _, label, why in rows:  # nothing of the penalties and awards stays in English on the Chinese page
        assert not LATIN_WORD.search(label + why), (label, why)
    labels_en = {row[1] for row in outcome_rows(english)}
    assert {"one-vote veto", "loses award eligibility", "advanced township"} <= labels_en
    assert any("notices of criticism this year" in row[2] for row in outcome_rows(english))


@pytest.mark.parametrize("lang, words", [(None, "免职"), ("en", "removal from post")])
def test_the_printed_assessment_names_the_measures_that_veto_a_unit(scoring, lang, words):
    from bs4 import BeautifulSoup

    year = year_end_2026(scoring)
    printed = scoring.get_assessment(staff_get({"format": "html"}, lang=lang), year["assessment_id"])
    html = printed.get_data(as_text=True)
    vetoes = {cell.find_parent("tr").find_all("td")[1].get_text(): cell.get_text()
              for cell in BeautifulSoup(html, "html.parser").select("td.veto") if cell.get_text()}
    assert vetoes == {COUNTY.units[TOWNSHIPS[1]].name_in(lang or "zh"): words}  # the unit named in that language too


def test_what_people_wrote_is_printed_as_text_never_as_markup(scoring):
    markup = "<script>alert(1)</script>"
    events = [e for n in range(6) for e in case_events(n + 1, TOWNSHIPS[0], person=markup)]
    feed(scoring, events)
    year = scoring.publish_assessment(_post({"period": "2026", "kind": "year_end"}))[1]
    html = scoring.get_assessment(staff_get({"format": "html"}), year["assessment_id"]).get_data(as_text=True)
    assert markup not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the advanced individual's name
    assert "<script" not in html


def test_an_assessment_published_with_english_reasons_still_shows(scoring):
    """Prose that migration 0004 could not read back into a code (none of the forms written before) is shown
    as it was."""
    from services.scoring.models import Assessment

    old = {"unit": TOWNSHIPS[0], "outcome": "advanced_township", "reason": "first-ranked township (95.20)"}
    with scoring.uow as uow:
        uow.session.add(Assessment(period="2025", kind="year_end", published_at=MARCH, scores=[], outcomes=[old],
                                   without_cases=[], explanation=[]))
        uow.commit()
    shown = scoring.year_outcomes(staff_get({}), "2025")["outcomes"]
    assert shown == [old]
    html = scoring.get_assessment(staff_get({"format": "html"}), "A000001").get_data(as_text=True)
    assert outcome_rows(html) == [[COUNTY.units[TOWNSHIPS[0]].name, "先进乡镇", "first-ranked township (95.20)"]]


def test_a_wrong_period_is_refused_in_the_persons_words(scoring):
    from lianxin.errors import Invalid, Refused

    for params, zh, en in [({}, "请填写期间", "Period is required"),
                           ({"period": "0000"}, "期间超出本办留存记录的年份范围",
                            "Period falls outside the years the office keeps records of")]:
        with pytest.raises(Refused) as refused:
            scoring.get_rankings(staff_get(params))
        assert refused.value.said_in("zh")[0] == zh and refused.value.said_in("en")[0] == en
    with pytest.raises(Invalid) as refused:
        scoring.publish_assessment(_post({"period": "2026-11", "kind": "year_end"}))
    assert refused.value.said_in("zh")[0] == "期间须为年度（YYYY）：年终考核按整年进行"
    scoring.publish_assessment(_post({"period": "2026-11"}))
    with pytest.raises(Conflict) as refused:
        scoring.publish_assessment(_post({"period": "2026-11"}))
    assert refused.value.said_in("zh")[0].startswith("2026-11（日常考核）已发布为 A000001")


def test_every_accountability_measure_and_outcome_has_its_words():
    from typing import get_args

    from lianxin.assessment_terms import MEASURES, OUTCOMES
    from lianxin.events import AccountabilityRecorded
    from lianxin.i18n import translations
    from services.scoring.outcomes import REASONS

    assert set(MEASURES) == set(get_args(AccountabilityRecorded.model_fields["measure"].annotation))
    zh = translations("zh").gettext
    for words in (*MEASURES.values(), *OUTCOMES.values(), *REASONS.values()):
        assert zh(words) != words, words
