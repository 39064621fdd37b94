"""Every page of the console in Chinese and in English, over an office with cases in every state, and no
untranslated text on any: no English word on a Chinese page, no Chinese phrase on an English page — beyond
codes, numbers and the county's proper names (the directory's) and what people typed themselves — and none of the
directory's codes where its names belong; the supervisor's pages, and each other role's own (operator, officer,
unit, leader, bureau, administrator, the petitioner's link).
Screenshots are kept in test-artifacts/console/languages/ (git-ignored)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from lianxin.directory import load_directory
from tests.support.browser import ARTIFACTS, signed_in
from tests.support.county import SAMPLE
from tests.support.reports import SIGNED_REPORT, case_of, close_through_the_office, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SHOTS = ARTIFACTS / "languages"
# what the people of this test type themselves (their words stay as written, in any language)
TYPED = {"东关社区三十户人家自来水停了一个星期，没人来修。", "西关社区危房漏雨快塌了", "两家为宅基地边界争执不下",
         "城关镇东关社区低保被取消没有说明原因", "东关社区老房子墙体开裂", "村里的道路塌了一段",
         "不归我们管，应由交通部门处理",
         "道路养护归交通局", "需要第三方鉴定",
         "无", "危房", *(value for value in SIGNED_REPORT.values() if isinstance(value, str))}
# pages that still show text in the other language, and why: checked to still do so (remove once they do not)
NOT_YET: dict[str, str] = {}  # none left
# English a Chinese page may show: names of formats, standards and the product, units of measure
LATIN = {"Lianxin", "English", "CSV", "XLSX", "Excel", "PDF", "JSON", "SMS", "API", "HTML", "Open", "GeoReport", "UTC",
         "ISO", "JPEG", "PNG", "WebP", "HEIC", "MiB", "KB", "MB", "Markdown", "markdown", "html", "csv", "xlsx", "json",
         "Bearer", "SHA", "OpenAPI", "Ctrl", "Enter", "中文", "连心桥"}  # and the language and product names
# staff and unit codes, record numbers, addresses, a name masked (王**)
CODE = re.compile(r"\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b|\b[A-Z]{1,3}\d{4,}\b|https?://\S+|/\S*[?]\S+|[\u3400-\u9fff]\*+")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
CHINESE_PHRASE = re.compile(r"[\u3400-\u9fff]+")


def proper_names() -> set[str]:
    """The county's names (units, villages, subjects, leaders and their titles, the county and city)."""
    county = load_directory(SAMPLE)
    names = {county.county.name, county.county.city, *(c.name for c in county.categories),
             *(x.name for x in county.departments), *(e.name for e in county.enterprises),
             *(o.name for o in county.officers), *(x for leader in county.leaders for x in (leader.name, leader.title))}
    for township in county.townships:
        names |= {township.name, *(v.name for v in township.villages)}
    return names


def office_in_every_state(console) -> dict[str, str]:
    """Cases dispatched (a group of 30: major, with an alert), accepted, returned and routed on, reported with
    nothing done (reviewed), with an extension asked, and closed; their case numbers by state."""
    def taken(content, **report):
        with console.client("intake") as intake:
            answer = intake.post("/reports", json={"channel": "hotline", "village": "chengguan-dongguan",
                                                   "content": content, **report})
        return eventually(lambda: case_of(console, answer.json()["report_id"]))["case_id"]

    cases = {"major": taken("东关社区三十户人家自来水停了一个星期，没人来修。", category="drinking-water",
                            people_count=30),
             "accepted": taken("西关社区危房漏雨快塌了", village="chengguan-xiguan", category="housing"),
             "routed": taken("村里的道路塌了一段", village="chengguan-xiguan", category="land-dispute"),
             "reviewed": taken("两家为宅基地边界争执不下", category="homestead-dispute"),
             "extension": taken("城关镇东关社区低保被取消没有说明原因", category="subsistence-allowance")}
    with console.client("dispatch", "chengguan-handler") as unit:
        for state in ("accepted", "reviewed", "extension"):
            assert unit.post(f"/cases/{cases[state]}/acceptance", json={}).status_code == 200
        returned = unit.post(f"/cases/{cases['routed']}/return", json={"reason": "不归我们管，应由交通部门处理"})
        assert returned.status_code == 200
        assert unit.post(f"/cases/{cases['reviewed']}/handling-report",
                         json={**SIGNED_REPORT, "actions_taken": "无"}).status_code == 201
        assert unit.post(f"/cases/{cases['extension']}/extension-request",
                         json={"days": 10, "reason": "需要第三方鉴定"}).status_code == 200
    with console.client("dispatch", "supervisor-01") as desk:
        routed = desk.post(f"/cases/{cases['routed']}/route", json={"unit": "transport", "reason": "道路养护归交通局"})
        assert routed.status_code == 200, routed.text
    eventually(lambda: supervised(console, cases["reviewed"], "awaiting_callback"))
    with console.client("intake") as intake:
        closed = intake.post("/reports", json={"channel": "hotline", "village": "chengguan-dongguan",
                                               "content": "东关社区老房子墙体开裂", "category": "housing",
                                               "reporter": {"name": "王大山", "phone": "13812341234"}}).json()
    cases["closed"] = close_through_the_office(console, closed["report_id"])["case_id"]
    return cases


def directory_codes() -> set[str]:
    """The county's codes a page names, never shows: villages, subjects, leaders, enterprises and units written as
    codes are (``water-resources``), and the townships' pinyin; a code that is also an English word (``court``,
    ``petition``) an English page may say, and a Chinese page is held to no English words anyway."""
    county = load_directory(SAMPLE)
    codes = {*county.units, *county.villages, *(c.code for c in county.categories), *(x.code for x in county.leaders),
             *(e.code for e in county.enterprises)}
    return {code for code in codes if "-" in code} | {t.code for t in county.townships}


def codes_shown(text: str, codes: set[str]) -> set[str]:
    """The directory's codes a page shows as words (not inside a longer code, a path or an address)."""
    words = set(re.findall(r"(?<![\w/.-])[a-z0-9]+(?:-[a-z0-9]+)*(?![\w/.-])", text))
    return words & codes


def untranslated(text: str, lang: str, allowed: set[str]) -> set[str]:
    """What on a page is not in its language: English words on a Chinese page, Chinese on an English one."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    text = CODE.sub(" ", text)
    if lang == "zh":
        return set(ENGLISH_WORD.findall(text)) - LATIN
    return set(CHINESE_PHRASE.findall(text)) - LATIN


def pages(cases: dict[str, str]) -> list[str]:
    every_case = [f"/cases/{case_id}" for case_id in cases.values()]
    documents = [f"/cases/{cases['major']}/assignment-notice", f"/cases/{cases['closed']}/file"]
    return ["/board", "/board?state=closed", "/dashboard", "/search?q=危房", "/alerts", "/digest", "/analysis",
            "/calendar", "/rankings", "/figures", "/units/chengguan", "/outcomes", "/me/notifications",
            "/audit", "/password", *every_case, *documents]


def other_roles(cases: dict[str, str]) -> dict[str, list[str]]:
    """What the other roles read, where it differs from the supervisor's pages (their own forms and words)."""
    own = cases["accepted"]
    return {"hotline-op-01": ["/intake"], "officer-chengguan-dongguan": ["/intake"],
            "chengguan-handler": ["/board", f"/cases/{own}", f"/cases/{cases['extension']}",
                                  f"/cases/{own}/assignment-notice", f"/cases/{own}/file", "/me/notifications"],
            "li-secretary": ["/alerts", f"/cases/{cases['major']}", "/rankings"],
            "inspection-office": ["/rankings", "/outcomes"], "admin": ["/staff", "/api-tokens"]}


def citizen(people, lang: str) -> Page:
    page = people.page()
    page.goto("/public")
    if lang != "zh":
        page.click(f"button[value={lang}]")
    return page


def citizens_link(console, case_id: str) -> str:
    with console.client("supervision", "hotline-op-01") as supervision:
        return supervision.get(f"/cases/{case_id}/citizen-link").json()["path"]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_every_page_speaks_the_persons_language_only(console, people):
    cases = office_in_every_state(console)
    county = load_directory(SAMPLE)
    people_names = {x.name for x in county.leaders} | {o.name for o in county.officers}  # as accounts know them
    allowed_in = {"zh": proper_names() | TYPED | {"王大山", "admin"},  # a user name, as the staff list shows it
                  "en": people_names | TYPED | {"王大山", "admin"}}  # the county's names are said in English
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for lang in ("zh", "en"):
        allowed = allowed_in[lang]
        supervisor = signed_in(people, "supervisor-01", lang)
        visits = [*(("supervisor-01", supervisor, path) for path in pages(cases)),
                  *((code, signed_in(people, code, lang), path) for code, paths in other_roles(cases).items()
                    for path in paths),
                  *(("citizen", citizen(people, lang), path)
                    for path in ("/sign-in", "/public", citizens_link(console, cases["closed"])))]
        for who, page, path in visits:
            for where, words in _visit(page, path, lang, allowed, who).items():
                found.setdefault(where, set()).update(words)
    not_yet = {where for where in found if where.split(" ", 1)[1] in NOT_YET}
    assert not_yet == {f"en {path}" for path in NOT_YET}, "a page in NOT_YET is translated now: take it out"
    found = {where: words for where, words in found.items() if where not in not_yet}
    listed = "\n".join(f"{where}: {sorted(words)}" for where, words in found.items())
    assert found == {}, f"untranslated text:\n{listed}"


def _visit(page: Page, path: str, lang: str, allowed: set[str], who: str) -> dict[str, set[str]]:
    answer = page.goto(path)
    assert answer is not None and answer.status < 500, (path, answer and answer.status)
    name = re.sub(r"[^A-Za-z0-9]+", "_", path.split("?secret=")[0]).strip("_") or "home"
    mine = "" if who == "supervisor-01" else f"{who}_"  # the supervisor's pages keep their names
    page.screenshot(path=SHOTS / f"{lang}_{mine}{name}.png", full_page=True)
    text = page.locator("body").inner_text()
    for own in page.locator(".who").all_inner_texts():  # the person's own user name, beside their name, by design
        text = text.replace(own, " ")
    words = untranslated(text, lang, allowed) | codes_shown(text, directory_codes())
    return {f"{lang} {path}": words} if words else {}
