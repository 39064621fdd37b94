"""The header's search box: a case number opens the case, a report number its case (or the report among
the results), a phone number finds the reporter's reports through intake's ``phone=`` (its blind index, so
the number is kept nowhere, ``lianxin.phones`` telling a number in any spelling), words through ``q=``; both
for the roles intake lets search (those that may see the reporter in clear, ``lianxin.permissions.REPORT_ACCESS``);
what was searched is not logged here. A role that reads no reports (a bureau) is told so, whatever it enters."""
from __future__ import annotations

import re

from lianxin.auth import Staff
from lianxin.i18n import N_
from lianxin.permissions import REPORT_ACCESS
from lianxin.phones import is_phone

from .backend import Backend
from .pages import _or_none

CASE_NUMBER = re.compile(r"C\d{1,9}", re.IGNORECASE)
REPORT_NUMBER = re.compile(r"R\d{1,9}", re.IGNORECASE)
SHOWN = 100  # reports a search lists

MAY_NOT = N_("Searching reports by their words finds the people who wrote them, so your role may not: "
             "enter a case or report number instead.")
MAY_NOT_PHONE = N_("Searching reports by a phone number finds the person who called, so your role may not: "
                   "enter a case or report number instead.")


NO_REPORTS = N_("Your role reads no reports or cases, so the search box finds nothing for you: the assessments, "
               "rankings, notices and accountability are on your pages.")


def reads_reports(staff: Staff) -> bool:
    """A bureau reads the office's figures, not its reports (``REPORT_ACCESS`` has no entry for it)."""
    return staff.role in REPORT_ACCESS


def may_search_people(staff: Staff) -> bool:
    return reads_reports(staff) and REPORT_ACCESS[staff.role].release


def found(api: Backend, staff: Staff, q: str) -> dict:
    """What the search box finds: ``opens`` (a page to go to), else ``reports`` or why there are none."""
    q = q.strip()
    result = {"q": q, "opens": None, "reports": [], "refused": None}
    if not q:
        return result
    if not reads_reports(staff):
        return {**result, "refused": NO_REPORTS}
    if CASE_NUMBER.fullmatch(q):
        return {**result, "opens": f"/cases/{q.upper()}"}
    if REPORT_NUMBER.fullmatch(q):
        return _report(api, q.upper(), result)
    by_phone = is_phone(q)
    if not may_search_people(staff):
        return {**result, "refused": MAY_NOT_PHONE if by_phone else MAY_NOT}
    searched = {"phone": q} if by_phone else {"q": q}
    return {**result, "reports": api.get("intake", "/reports", **searched, limit=SHOWN)["reports"]}


def _report(api: Backend, report_id: str, result: dict) -> dict:
    cases = api.get("dispatch", "/cases", report_id=report_id, limit=1)["cases"]
    if cases:
        return {**result, "opens": f"/cases/{cases[0]['case_id']}"}
    report = _or_none(lambda: api.get("intake", f"/reports/{report_id}"), also=403)  # if the person may read it
    if report and report.get("case_id"):  # joined to another report's case
        return {**result, "opens": f"/cases/{report['case_id']}"}
    return {**result, "reports": [report] if report else []}
