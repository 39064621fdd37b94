"""A case as dispatch answers it, for rendering the console's pages without the services."""
from __future__ import annotations

from bs4 import BeautifulSoup

from lianxin.auth import Staff
from lianxin.directory import load_directory
from lianxin.settings import SAMPLE_DEPLOY
from services.console import pages
from services.console.rendering import fragment
from services.console.session import Visitor
from services.console.standing import nothing_to_do, standing

CASE = {"case_id": "C00000001", "report_id": "R00000001", "state": "dispatched", "unit": "chengguan",
        "unit_kind": "township", "category": "housing", "severity": "general", "deadline": None,
        "received_at": "2026-11-02T09:00:00+08:00", "channel": "hotline", "routing_reason": "",
        "township": "chengguan", "village": "chengguan-dongguan", "enterprise": None, "location": "村委会门口",
        "matter": "东关村危房漏雨", "matter_access": "shown", "people_count": 1,
        "dispatched_at": "2026-11-02T09:05:00+08:00",
        "linked_reports": [], "team": {"lead_leader": None, "responsible_person": None, "members": [], "plan": None},
        "extension": {"requested_days": None, "reason": None, "days": None, "approved_by": None},
        "instructions": [], "handling_reports": []}
REPORT = {"report_id": "R00000001", "content": "东关村危房漏雨", "village": "chengguan-dongguan",
          "township": "chengguan", "enterprise": None, "location": None, "reporter": None, "attachments": [],
          "received_at": "2026-11-02T09:00:00+08:00", "channel": "hotline"}
SUPERVISED = {"state": "in_handling", "callbacks": [], "reviews": [], "attachments": []}


def case_file_page(lang: str, person: Staff, **parts) -> BeautifulSoup:
    """The case file (案卷) as ``person`` reads it; ``parts`` replace the case's (case, report, supervised, ...)."""
    directory = load_directory(SAMPLE_DEPLOY / "county.yaml")
    context = {"visitor": Visitor(lang, person, "t"), "names": pages.names(directory), "county": directory,
               "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "case": CASE, "report": REPORT,
               "supervised": SUPERVISED, "history": [], "notices": [], "state": "dispatched", "printed": True,
               "printed_in_notice": False, "people": {}, "error": None, **parts}
    return BeautifulSoup(fragment(lang, "case_file.html", **context), "html.parser")


def case_page(lang: str, person: Staff, **parts) -> BeautifulSoup:
    """The case page as ``person`` reads it; ``parts`` replace the page's (case, report, supervised, ...)."""
    directory = load_directory(SAMPLE_DEPLOY / "county.yaml")
    case, supervised = parts.get("case", CASE), parts.get("supervised", SUPERVISED)
    state = standing(case, supervised)
    context = {"visitor": Visitor(lang, person, "t"), "names": pages.names(directory), "county": directory,
               "path": "/", "form_token": "x", "poll_seconds": 5, "opened_ms": 0, "case": case, "urgency": None,
               "history": [], "report": REPORT, "supervised": supervised, "citizen_link": None, "notices": [],
               "supervision_state": supervised and supervised["state"], "state": state,
               "nothing_to_do": nothing_to_do(state), "done": None, "kept": None, "failed": None, "draft": {},
               "error": None, "people": {}, **parts}
    return BeautifulSoup(fragment(lang, "case.html", **context), "html.parser")
