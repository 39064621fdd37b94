"""The leaders' pages say everything in the reader's words: the accountability measures that veto a unit, the
kinds of notices and assessments, the channels, the outcomes — never the codes the services answer with — and
the rankings page links to the printed assessment of its period. Rendered without an office first; then in
Chromium, in Chinese and English, over an office whose unit was vetoed and whose year was assessed
(screenshots in test-artifacts/console/leaders/, git-ignored)."""
from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from bs4 import BeautifulSoup

from lianxin.assessment_terms import KINDS, MEASURES, OUTCOMES
from lianxin.directory import load_directory
from lianxin.i18n import translations
from lianxin.settings import SAMPLE_DEPLOY
from lianxin.vocabulary import CHANNEL_CODES, COUNTY_TIME
from services.console import figures, pages
from services.console.backend import Backend, BackendError
from services.console.labels import LABELS
from services.console.rendering import fragment
from services.console.session import Visitor
from services.scoring.outcomes import REASONS
from tests.support.browser import ARTIFACTS, signed_in
from tests.support.builders import staff
from tests.support.reports import a_case, close_through_the_office
from tests.support.waiting import eventually

COUNTY = load_directory(SAMPLE_DEPLOY / "county.yaml")
SHOTS = ARTIFACTS / "leaders"
VETOED = {"unit": "chengguan", "unit_kind": "township", "rank": 14, "score": 40.0, "cases": 2, "due": 2, "closed": 1,
          "closure_rate": 50.0, "on_time_rate": 100.0, "satisfaction_rate": 100.0, "notices": 1,
          "vetoed_by": ["party_discipline", "removal"]}
IDLE = {"unit": "baiyang", "unit_kind": "township", "cases": 1, "notices": 0, "vetoed_by": ["removal"]}
PUBLISHED = [{"assessment_id": "A000003", "period": "2026", "kind": "year_end"},
             {"assessment_id": "A000002", "period": "2026", "kind": "regular"}]
# every code the leaders' pages are answered with that a reader must never see as it is
CODES = {*MEASURES, *OUTCOMES, *KINDS, *REASONS, *LABELS["notice_kind"], *CHANNEL_CODES, *COUNTY.units,
         *(c.code for c in COUNTY.categories)}
# codes that are also English words, said as themselves on an English page ("hotline", "web", "criticism")
ENGLISH = {code for code in CODES if re.fullmatch(r"[a-z]+", code) and code not in COUNTY.units}


def page(lang: str, template: str, **context) -> BeautifulSoup:
    base = {"visitor": Visitor(lang, staff("leader"), "t"), "names": pages.names(COUNTY), "county": COUNTY,
            "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "error": None}
    return BeautifulSoup(fragment(lang, template, **base, **context), "html.parser")


def rankings(lang: str, published=PUBLISHED) -> BeautifulSoup:
    return page(lang, "rankings.html", period="2026", townships=[VETOED], departments=[], idle_townships=[IDLE],
                idle_departments=[], published=published)


def raw_codes(text: str, lang: str) -> set[str]:
    """The codes ``text`` shows as they are (on an English page, those not also English words)."""
    shown = set(re.findall(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*", text))
    return (shown & CODES) - (ENGLISH if lang == "en" else set())


@pytest.mark.parametrize("lang, vetoed, idle", [("zh", "党纪处分、免职", "免职"),
                                                ("en", "Party discipline, removal from post", "removal from post")])
def test_the_rankings_name_the_measures_that_veto_a_unit(lang, vetoed, idle):
    shown = rankings(lang)
    assert shown.select_one("tr[data-unit=chengguan] td:last-child").text == vetoed
    assert shown.select_one("tr[data-unit=baiyang] td:last-child").text == idle
    assert raw_codes(shown.select_one("#rankings").text, lang) == set()


@pytest.mark.parametrize("lang, words", [("zh", ["年终考核 A000003", "日常考核 A000002"]),
                                         ("en", ["year-end assessment A000003", "regular assessment A000002"])])
def test_the_rankings_link_to_the_printed_assessments_of_their_period(lang, words):
    links = rankings(lang).select("#published a.printed-assessment")
    assert [a["href"] for a in links] == ["/assessments/A000003", "/assessments/A000002"]
    assert [a.text for a in links] == words
    assert not rankings(lang, published=[]).select("#published a")


@pytest.mark.parametrize("lang, not_ranked, due", [("zh", "本期无应办结案件，不参与排名", "应办结案件"),
                                                   ("en", "No case due in this period: not ranked", "Cases due")])
def test_a_unit_with_no_case_due_is_listed_with_its_cases_but_not_ranked(lang, not_ranked, due):
    shown = rankings(lang)
    headers = [th.text for th in shown.select_one("#rankings table").select("thead th")]
    assert due in headers
    idle = shown.select_one("tr[data-unit=baiyang]")
    assert idle.select_one("td.not-ranked").text == not_ranked and "本期无案件" not in shown.text
    assert idle.select_one("td[data-figure=cases]").text == "1" and idle.select_one("td[data-figure=due]").text == "0"
    ranked = shown.select_one("tr[data-unit=chengguan]")
    assert ranked.select_one("td[data-figure=due]").text == "2"
    assert len(ranked.select("td")) == len(idle.select("td")) + 3 == len(headers)  # four empty cells joined in one


# --- the office in figures ---------------------------------------------------------------------------------------

COUNTY_FIGURES = {"cases": 4, "due": 3, "accepted": 4, "closed": 2, "closed_on_time": 1, "called_back": 1,
                  "overdue": 1, "reopened": 0, "satisfied": 1, "dissatisfied": 0, "answered": 1, "resolved": 1,
                  "notices": 1, "accountability": 1, "closure_rate": 66.67, "on_time_rate": 50.0,
                  "callback_rate": 50.0, "response_rate": 100.0, "resolution_rate": 100.0, "satisfaction_rate": 100.0}
SCORES = [  # what the units' own rates would have averaged to: 80 % reached, 70 % satisfied
    {"unit": "chengguan", "closed": 2, "response_rate": 80.0, "satisfaction_rate": 70.0}]


def listed_case(n: int, channel: str, category: str, state: str = "accepted", instructions=()) -> dict:
    return {"case_id": f"C{n:08d}", "channel": channel, "category": category, "state": state,
            "instructions": [{"leader": "li-secretary", "level": "county", "instructed_at": at} for at in instructions]}


INSTRUCTED = [listed_case(2, "hotline", "housing", "closed", ["2026-11-03T09:00:00+08:00"]),  # in the month
              listed_case(6, "web", "housing", "accepted", ["2026-11-28T09:00:00+08:00"]),  # came in in October
              listed_case(7, "web", "housing", "accepted", ["2026-10-28T09:00:00+08:00"])]  # instructed before


class Office:
    """What the services answer the figures page of 2026-11: four cases from five reports (one a repeat), one
    review, a notice on 城关镇 and accountability on 县教育局, which had no notice."""

    lang = "zh"
    ANSWERS = {
        ("dispatch", "/cases"): {"cases": [listed_case(1, "hotline", "drinking-water", "closed"),
                                           listed_case(2, "hotline", "housing", "closed"),
                                           listed_case(3, "web", "housing"),
                                           listed_case(4, "visit", "drinking-water")]},
        ("dispatch", "/statistics/instructions"): {"instructed": 1, "by_city_leaders": 0, "by_county_leaders": 1,
                                                   "closed": 1, "in_progress": 0, "closure_rate": 100.0},
        ("scoring", "/rankings"): {"scores": SCORES, "without_cases": [], "county": COUNTY_FIGURES},
        ("scoring", "/outcomes/2026"): None,
    }
    LISTS = {
        ("intake", "/reports"): [{"report_id": f"R{n:08d}", "channel": channel, "category": category,
                                  "status": status, "case_id": f"C{n:08d}"} for n, channel, category, status in (
            (1, "hotline", "drinking-water", "dispatched"), (2, "hotline", "housing", "dispatched"),
            (3, "web", "housing", "dispatched"), (4, "visit", "drinking-water", "dispatched"),
            (5, "hotline", "drinking-water", "linked"))],
        ("supervision", "/reviews"): [{"review_id": "V1", "case_id": "C00000002", "outcome": None,
                                       "opened_at": "2026-11-20T10:00:00+08:00"}],
        ("supervision", "/notices"): [{"notice_id": "N000001", "unit": "chengguan", "evidence": ["C00000001"]}],
        ("supervision", "/accountability"): [{"record_id": "AR000001", "unit": "education", "case_id": "C00000003"}],
        ("scoring", "/assessments"): [],
    }

    def __init__(self):
        self.asked = []

    def get(self, service, path, **params):
        self.asked.append((service, path))
        if (service, path) == ("scoring", "/outcomes/2026"):
            raise BackendError("scoring", 404, "not_found", "none")
        if (service, path) == ("dispatch", "/cases") and "level" in params:  # the instructed cases, whenever received
            return {"cases": [c for c in INSTRUCTED if params["level"] == "county" and params["page"] == 1]}
        return self.ANSWERS[(service, path)]

    def every(self, service, path, listed, **params):
        self.asked.append((service, path))
        return self.LISTS[(service, path)]


def figures_page(lang: str) -> BeautifulSoup:
    return page(lang, "figures.html", **figures.office_figures(Office(), "2026-11"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_county_rates_are_scorings_county_figures_not_an_average_of_the_units(lang):
    shown = figures_page(lang)
    rates = {row["data-rate"]: row for row in shown.select("#rates tbody tr")}
    assert [th.text for th in shown.select("#rates thead th")] == (
        ["指标", "计数", "基数", "比率"] if lang == "zh" else ["Measure", "Counted", "Over", "Rate"])
    assert rates["callback"].select_one("td[data-rate]").text == "50%"  # 1 of 2 closed cases, not 80 %
    assert rates["satisfaction"].select_one("td[data-rate]").text == "100%"  # the one callback reaching them
    assert rates["on_time"].select_one("td[data-rate]").text == "50%"
    assert [td.text for td in rates["closure"].select("td")[1:]] == (  # 2 closed of the 3 due
        ["2", "应办结案件 3", "66.67%"] if lang == "zh" else ["2", "cases due 3", "66.67%"])
    for row in rates.values():  # each rate links to the period's closed cases, which it counts or counts over
        assert row.select_one("a")["href"] == "/board?from=2026-11-01&to=2026-11-30&closed=true&state=closed"
        assert row.select_one("a").text == ("100%" if row is rates["satisfaction"] else "2")  # over callbacks


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reports_are_intakes_and_the_cases_they_opened_dispatchs(lang):
    shown = figures_page(lang)
    assert shown.select_one("[data-figure=reports]").text == "5"  # the repeat is a report of its own
    assert shown.select_one("[data-figure=cases] a").text == "4"
    hotline = shown.select_one("#by-channel tr[data-channel=hotline]").select("td")
    assert [td.text for td in hotline[1:]] == ["3", "2"]
    assert hotline[2].select_one("a")["href"].endswith("channel=hotline")
    water = shown.select_one("#by-category tr[data-category=drinking-water]").select("td")
    assert [td.text for td in water[1:]] == ["3", "2"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_unit_noticed_or_held_to_account_is_listed_with_the_cases_behind_it(lang):
    shown = figures_page(lang)
    units = {row["data-unit"]: row for row in shown.select("#notices tbody tr")}
    assert set(units) == {"chengguan", "education"}  # accountability without a notice is listed too
    education = units["education"]
    assert education.select_one("[data-figure=notices]").text.strip() == "0"
    assert [a["href"] for a in education.select("[data-figure=accountability] a")] == ["/cases/C00000003"]
    chengguan = units["chengguan"].select("[data-figure=notices] a")
    assert [a["href"] for a in chengguan] == ["/units/chengguan#notices", "/cases/C00000001"]
    assert shown.select_one("#reviews strong a")["href"] == "#reviewed-cases"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_instructed_figures_link_to_the_cases_instructed_in_the_period(lang):
    shown = figures_page(lang)
    assert [a["href"] for a in shown.select("#instructions a")] == [
        "#instructed-cases", "/board?from=2026-11-01&to=2026-11-30&closed=true&level=city",
        "/board?from=2026-11-01&to=2026-11-30&closed=true&level=county", "#instructed-closed"]
    assert [a.text for a in shown.select("#instructed-cases a")] == ["C00000002", "C00000006"]
    assert [a.text for a in shown.select("#instructed-closed a")] == ["C00000002"]
    assert [a.text for a in shown.select("#reviewed-cases a")] == ["C00000002"]


ROLES_OFFERED = {"operator": True, "officer": False, "unit_handler": False, "unit_head": False,
                 "supervisor": True, "leader": True, "bureau": False, "administrator": True}


@pytest.mark.parametrize("role, offered", ROLES_OFFERED.items())
def test_the_menu_offers_the_county_figures_only_to_roles_that_may_open_them(role, offered):
    person = staff(role, "chengguan" if role in ("unit_handler", "unit_head") else None)
    assert figures.offered(person) is offered
    menu = BeautifulSoup(fragment("zh", "base.html", visitor=Visitor("zh", person, "t"), names={}, path="/",
                                  form_token="x", poll_seconds=5, opened_ms=0), "html.parser").select("nav a")
    hrefs = [a["href"] for a in menu]
    assert ("/figures" in hrefs) is offered
    if role == "bureau":  # a bureau reads the warnings, rankings and the year's penalties and awards, not the cases
        assert hrefs == ["/alerts", "/rankings", "/outcomes"]
    if not offered:
        with pytest.raises(BackendError) as refused:
            figures.office_figures(Office(), "2026-11", person)
        assert refused.value.status == 403 and "无权查看" in refused.value.message


class Scoring:
    """Scoring's list of assessments, newest first, as the console reads it page by page."""

    def __init__(self, listed):
        self.listed, self.asked = listed, []

    def every(self, service, path, listed, **params):
        self.asked.append((service, path, params))
        return self.listed


def test_the_current_assessment_of_each_kind_is_linked_not_what_a_recomputation_superseded():
    recomputed = {"assessment_id": "A000004", "period": "2026", "kind": "regular"}
    scoring = Scoring([recomputed, *PUBLISHED])
    assert [a["assessment_id"] for a in pages.published(scoring, "2026")] == ["A000004", "A000003"]
    assert scoring.asked == [("scoring", "/assessments", {"period": "2026"})]


@pytest.mark.parametrize("lang, overdue, ruled", [("zh", "逾期未办结", "违反规定"),
                                                  ("en", "passed its deadline unconcluded", "breaking the rules")])
def test_the_scorecard_says_each_notice_and_veto_in_the_readers_words(lang, overdue, ruled):
    notices = [{"notice_id": "N000001", "unit": "chengguan", "kind": "overdue", "evidence": ["C00000001"],
                "reason": "case C00000001 passed its deadline of 2026-11-09 unconcluded",
                "issued_at": "2026-11-10T09:00:00+08:00"},
               {"notice_id": "N000002", "unit": "chengguan", "kind": "rule_breaking", "evidence": ["C00000002"],
                "reason": "未按规定时限签收", "issued_at": "2026-11-11T09:00:00+08:00"}]
    card = {"unit": "chengguan", "name": "城关镇", "history": [
        {"assessment_id": "A000002", "period": "2026-11", "kind": "regular", "rank": 3, "score": 88.5, "cases": 4,
         "closure_rate": 100.0, "on_time_rate": 75.0, "satisfaction_rate": 100.0, "notices": 2,
         "vetoed_by": ["administrative_discipline"]}]}
    shown = page(lang, "scorecard.html", scorecard=card, notices=notices)
    items = shown.select("#notices li")
    assert overdue in items[0].text and "passed its deadline of" not in items[0].text
    assert ruled in items[1].text and "未按规定时限签收" in items[1].text  # the office's own words, as written
    assert items[0].select_one("a")["href"] == "/cases/C00000001"
    assert shown.select_one("#scorecard a.printed-assessment")["href"] == "/assessments/A000002"
    assert raw_codes(shown.select_one("#scorecard").text, lang) == set()  # the veto by its measure's name


def test_an_english_digest_names_the_channels_in_english():
    counts = {"by_category": [], "by_township": [],
              "by_channel": [{"code": "hotline", "name": "群工热线", "count": 3},
                             {"code": "officer", "name": "信息直报", "count": 1}]}
    digest = {"kind": "ten-day", "year": 2026, "issue": 33, "period": {"start": "2026-11-21", "end": "2026-11-30"},
              "total": 4, "duplicates": 0, "alerts": [], "patterns": [], "sections": [], "counts": counts,
              "changes": {"total": {"previous": 2}, "by_category": []}}
    text = page("en", "digest.html", digest=digest).select_one("#digest").text
    assert "hotline" in text and "information officer" in text and "群工热线" not in text


def test_an_english_digest_names_the_county_in_english_and_quotes_no_confidential_report():
    """The digest intake keeps names the county in Chinese: the page says its subjects, places and leaders by
    their codes in the reader's language, and never quotes what a whistle-blower said."""
    item = {"report_id": "R00000001", "received_at": "2026-11-22T09:00:00+08:00", "channel": "hotline",
            "category": "drinking-water", "category_name": "饮水难", "township": "chengguan", "township_name": "城关镇",
            "village": "chengguan-dongguan", "village_name": "东关社区", "excerpt": "东关社区停水三天，请拨〔电话〕"}
    secret = {**item, "report_id": "R00000002", "category": "official-misconduct", "category_name": "干部违法违纪",
              "excerpt": "张某吃拿卡要"}
    sections = [{"key": "li-secretary", "heading": "李明 县委书记", "count": 2, "leaders": [],
                 "items": [item, secret]}]
    counts = {"by_category": [{"code": "drinking-water", "name": "饮水难", "count": 1}],
              "by_township": [{"code": "chengguan", "name": "城关镇", "count": 2}], "by_channel": []}
    digest = {"kind": "ten-day", "year": 2026, "issue": 33, "period": {"start": "2026-11-21", "end": "2026-11-30"},
              "total": 2, "duplicates": 0, "alerts": [], "sections": sections, "counts": counts,
              "patterns": [{"category": "drinking-water", "category_name": "饮水难", "township": "chengguan",
                            "township_name": "城关镇", "count": 3}],
              "changes": {"total": {"previous": 2}, "by_category": []}}
    english = BeautifulSoup(fragment("en", "digest.html", **{
        "visitor": Visitor("en", staff("leader"), "t"), "names": pages.names(COUNTY, "en"),
        "county": COUNTY.read_in("en"), "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0,
        "error": None, "digest": digest}), "html.parser").select_one("#digest").text
    for said in ("Drinking Water", "Chengguan Town", "Dongguan Community", "Li Ming", "[phone number]"):
        assert said in english
    assert not re.search(r"[\u4e00-\u9fff]", english.replace("东关社区停水三天，请拨", "")), english  # as written
    assert "吃拿卡要" not in english and "not quoted" in english


# --- in Chromium, over an office -------------------------------------------------------------------------------

def vetoed_and_assessed(office) -> dict:
    """Chengguan with a closed case, a notice and a vetoing accountability record; this month's and this year's
    assessments published (the year's outcomes name the veto)."""
    now = datetime.now(COUNTY_TIME)
    report_id, case_id = a_case(office, "东关社区老房子漏雨，墙体开裂", category="housing",
                                  reporter={"name": "王大山", "phone": "13812341234"})
    close_through_the_office(office, report_id)
    with office.client("supervision", "supervisor-01") as supervision:
        noticed = supervision.post("/notices", json={"unit": "chengguan", "kind": "rule_breaking",
                                                     "reason": "未按规定时限签收交办件", "evidence": [case_id]})
        assert noticed.status_code == 201, noticed.text
        held = supervision.post("/accountability", json={
            "person": "张某", "post": "副镇长", "unit": "chengguan", "measure": "party_discipline",
            "case_id": case_id, "reason": "敷衍塞责，群众反映强烈"})
        assert held.status_code == 201, held.text
    with office.client("scoring", "supervisor-01") as scoring:
        def vetoed():
            scores = scoring.get("/rankings", params={"period": now.strftime("%Y-%m")}).json()["scores"]
            return any(s["unit"] == "chengguan" and s["vetoed_by"] == ["party_discipline"] for s in scores)
        eventually(vetoed)
        month = scoring.post("/assessments", json={"period": now.strftime("%Y-%m"), "kind": "regular"})
        year = scoring.post("/assessments", json={"period": str(now.year), "kind": "year_end"})
        assert month.status_code == year.status_code == 201, (month.text, year.text)
    return {"case": case_id, "today": now.date().isoformat(), "month": now.strftime("%Y-%m"), "year": str(now.year),
            "assessment": month.json()["assessment_id"], "year_end": year.json()["assessment_id"]}


LEADERS_PAGES = {"zh": {"veto": "党纪处分", "outcome": "一票否决", "title": "群众工作考核"},
                 "en": {"veto": "Party discipline", "outcome": "one-vote veto", "title": "Masses work assessment"}}


def printed_for(office, lang: str, assessment_id: str):
    """What the console passes on for the printed assessment, read as a leader in ``lang``."""
    with httpx.Client(base_url=office.urls["scoring"]) as scoring:
        return pages.printed_assessment(Backend({"scoring": scoring}, "dev-li-secretary", lang=lang), assessment_id)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_leader_reads_the_veto_the_outcomes_and_the_notices_in_their_language(console, people):
    office = vetoed_and_assessed(console)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang, words in LEADERS_PAGES.items():
        leader = signed_in(people, "li-secretary", lang)
        leader.goto(f"/rankings?period={office['month']}")
        assert leader.locator("tr[data-unit=chengguan] td").last.inner_text() == words["veto"]
        printable = leader.locator("#published a.printed-assessment")
        assert printable.get_attribute("href") == f"/assessments/{office['assessment']}"
        printed = printed_for(console, lang, office["assessment"])
        assert words["title"] in printed.get_data(as_text=True) and words["veto"] in printed.get_data(as_text=True)
        assert "default-src 'none'" in printed.headers["Content-Security-Policy"]  # scoring's document as it came
        leader.goto(f"/figures?period={office['year']}")
        assert leader.locator("#published a.printed-assessment").get_attribute("href") == (
            f"/assessments/{office['year_end']}")
        leader.goto(f"/outcomes?year={office['year']}")
        assert words["outcome"] in leader.locator("main").inner_text()
        assert words["veto"] in leader.locator("main").inner_text()  # the reason names the measure too
        shown = {}
        for path in (f"/rankings?period={office['month']}", f"/rankings?period={office['year']}",
                     f"/outcomes?year={office['year']}", "/units/chengguan", f"/figures?period={office['year']}",
                     f"/digest?date={office['today']}", f"/digest?kind=week&date={office['today']}", "/analysis"):
            leader.goto(path)
            leader.screenshot(path=SHOTS / f"{lang}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}.png",
                              full_page=True)
            if found := raw_codes(leader.locator("main").inner_text(), lang):
                shown[f"{lang} {path}"] = found
        assert shown == {}, f"raw codes on the leaders' pages: {shown}"


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_rankings_open_the_printed_assessment_of_their_period(console, people):
    office = vetoed_and_assessed(console)
    for lang, title in (("zh", "群众工作考核"), ("en", "Masses work assessment")):
        leader = signed_in(people, "li-secretary", lang)
        leader.goto(f"/rankings?period={office['month']}")
        leader.locator("#published a.printed-assessment").click()
        assert title in leader.locator("h1").inner_text() and office["assessment"] in leader.title()


@pytest.mark.parametrize("lang, title, step", [("zh", "无权查看", "无法办理"),
                                               ("en", "Not yours to see", "Not possible")])
def test_a_page_refused_is_not_yours_to_see_and_a_step_refused_is_not_possible(lang, title, step):
    def heading(status: int, read_only: bool) -> str:
        refused = BackendError("console", status, "refused", "…")
        shown = BeautifulSoup(fragment(lang, "refused.html", visitor=Visitor(lang), path="/", form_token="x",
                                       error=refused, read_only=read_only), "html.parser")
        assert shown.title.text.startswith(shown.h1.text)
        return shown.h1.text

    assert (heading(403, True), heading(403, False), heading(404, True)) == (title, step, step)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_unit_that_types_the_figures_address_is_refused(console, people):
    for lang, title in (("zh", "无权查看"), ("en", "Not yours to see")):
        handler = signed_in(people, "chengguan-handler", lang)
        opened = handler.goto("/figures?period=2026")
        assert opened.status == 403 and handler.locator("h1").inner_text() == title
        assert handler.locator("#figures").count() == 0
        assert translations(lang).gettext(figures.NOT_OFFERED) in handler.locator(".refusal").inner_text()
        handler.screenshot(path=SHOTS / f"{lang}_figures_refused_to_a_unit.png", full_page=True)
