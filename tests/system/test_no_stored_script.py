"""No stored script (issue 13, item 3): what citizens and staff type reaches HTML documents and pages only
as text. Script, event-handler, ``javascript:`` and ``data:`` payloads go in through every text field that
an HTML or Markdown output shows, and every output is parsed for anything live."""
from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from tests.support.console_forms import console_client, post_form
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

PAYLOAD = ('<script>alert(document.cookie)</script> <img src=x onerror=alert(1)> [点此](javascript:alert(2)) '
           '![图](data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==) <a href="javascript:alert(4)">看</a> '
           '<svg onload=alert(5)> <iframe src="data:text/html,x"></iframe> <javascript:alert(6)>')
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
OWN_SCRIPTS = {"/static/console.js", "/static/photos.js"}  # the console's own scripts, served from its static folder


class LiveParts(HTMLParser):
    """What in a page could run: script elements (but the console's own), on… attributes, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and values.get("src") not in OWN_SCRIPTS:
            self.found.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            scheme = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_parts(page: str) -> list[str]:
    parser = LiveParts()
    parser.feed(page)
    return parser.found


def html_of(answer: httpx.Response) -> str:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html"), answer.headers
    assert "default-src 'none'" in answer.headers["content-security-policy"] or \
        "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    return answer.text


def test_the_parser_finds_what_would_run():
    assert len(live_parts(f"<p>{PAYLOAD}</p>")) >= 5
    assert live_parts('<script src="/static/console.js"></script><p>&lt;script&gt;</p><a href="/cases">x</a>') == []


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_nothing_typed_by_a_citizen_or_staff_comes_out_live(office):
    console = office.start_console()
    with office.client("intake") as intake:
        open311 = intake.post("/open311/v2/requests.json", data={
            "api_key": "lianxin-web-portal", "service_code": "drinking-water", "address_id": "chengguan-dongguan",
            "description": PAYLOAD, "address_string": PAYLOAD})
        assert open311.status_code in (200, 201), open311.text
        typed = intake.post("/reports", json={"channel": "hotline", "village": "chengguan-xiguan",
                                              "category": "housing", "content": "西关危房漏雨 " + PAYLOAD,
                                              "location": PAYLOAD, "reporter": {"phone": "13900002222"}})
        assert typed.status_code == 201, typed.text
        report_ids = [typed.json()["report_id"], open311.json()[0]["service_request_id"]]
    with office.client("dispatch", "supervisor-01") as dispatch:
        cases = [eventually(lambda r=r: dispatch.get("/cases", params={"report_id": r}).json()["cases"])[0]
                 for r in report_ids]
        first, second = cases[0]["case_id"], cases[1]["case_id"]
        assert dispatch.post(f"/cases/{first}/instructions", json={"leader": "li-secretary",
                                                                   "comment": PAYLOAD}).status_code == 201
        assert dispatch.put(f"/cases/{first}/team", json={"responsible_person": "刘建国", "plan": PAYLOAD,
                                                          "members": [PAYLOAD[:100]]}).status_code == 200
        assert dispatch.post(f"/cases/{second}/route", json={"unit": "health", "reason": PAYLOAD}).status_code == 200
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{first}/acceptance", json={}).status_code == 200
        assert unit.post(f"/cases/{first}/extension-request", json={"days": 5, "reason": PAYLOAD}).status_code == 200
        assert unit.post(f"/cases/{first}/handling-report", json={
            "finding": "substantiated", "actions_taken": PAYLOAD, "explanation": PAYLOAD,
            "petitioner_opinion": PAYLOAD, "responsible_person": "刘建国", "unit_head": "陈主任"}).status_code == 201
    with office.client("supervision", "supervisor-01") as supervision:
        eventually(lambda: supervision.get(f"/cases/{first}").status_code == 200 and
                   supervision.get(f"/cases/{first}").json()["state"] != "in_handling")
        assert supervision.post(f"/cases/{first}/callbacks", json={
            "reached": True, "resolved": "no", "satisfaction": "dissatisfied", "comment": PAYLOAD}).status_code == 201
        assert supervision.post("/notices", json={"unit": "chengguan", "kind": "rule_breaking",
                                                  "reason": PAYLOAD,
                                                  "evidence": [first]}).status_code == 201

    pages = {}
    with office.client("dispatch", "supervisor-01") as dispatch:
        for case_id in (first, second):
            pages[f"notice {case_id}"] = html_of(dispatch.get(f"/cases/{case_id}/assignment-notice",
                                                              params={"format": "html"}))
    with office.client("intake", "li-secretary") as intake:
        day = typed.json()["received_at"][:10]
        pages["ten-day digest"] = html_of(intake.get("/digests/ten-day", params={"date": day, "format": "html"}))
        pages["weekly digest"] = html_of(intake.get("/digests/week", params={"date": day, "format": "html"}))
        pages["monthly analysis"] = html_of(intake.get(f"/analyses/monthly/{day[:7]}", params={"format": "html"}))
        pages["calendar"] = html_of(intake.get(f"/reception/calendar/{day[:7]}", params={"format": "html"}))
    with console_client(console) as browser:  # signs in as the console's form does: its origin, its form token
        assert post_form(browser, "/sign-in", {"token": "dev-supervisor-01"}).status_code == 303
        for path in (f"/cases/{first}", f"/cases/{second}", f"/cases/{first}/assignment-notice", "/board",
                     "/units/chengguan", "/alerts"):
            pages[f"console {path}"] = html_of(browser.get(path))
        browser.cookies.clear()
        assert post_form(browser, "/sign-in", {"token": "dev-li-secretary"}).status_code == 303
        pages["console digest"] = html_of(browser.get("/digest", params={"date": day}))
    assert "alert(document.cookie)" in pages[f"notice {first}"]  # the words are there, as text
    assert "alert(4)" in pages[f"console /cases/{first}"]
    assert {name: found for name, page in pages.items() if (found := live_parts(page))} == {}
