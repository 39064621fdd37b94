"""Which actions the console offers a person: those the permission matrix gives their role.

The matrix is read from the services' own OpenAPI descriptions (``lianxin.permissions``), the same one
the services enforce, so the console never shows a button its service would refuse for the role. The
states below only keep pages uncluttered (no "accept" on a closed case); the services still decide.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lianxin.auth import Staff
from lianxin.i18n import N_
from lianxin.permissions import matrix

OPEN = ("dispatched", "accepted")


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    service: str
    method: str
    path: str
    states: tuple[str, ...] = ()  # the case states (dispatch's, or supervision's) it makes sense in
    own_unit: bool = False  # a unit's people act on their own unit's cases only

    def route(self, **values) -> str:
        return self.path.format(**values)


ACTIONS = {a.name: a for a in [
    Action("accept", N_("Accept"), "dispatch", "POST", "/cases/{case_id}/acceptance", ("dispatched",), True),
    Action("give_back", N_("Return to the office"), "dispatch", "POST", "/cases/{case_id}/return", OPEN, True),
    Action("request_extension", N_("Request an extension"), "dispatch", "POST", "/cases/{case_id}/extension-request",
           OPEN, True),
    Action("report", N_("Submit the handling report"), "dispatch", "POST", "/cases/{case_id}/handling-report", OPEN,
           True),
    Action("route", N_("Route to another unit"), "dispatch", "POST", "/cases/{case_id}/route",
           (*OPEN, "returned")),
    Action("approve_extension", N_("Approve the extension"), "dispatch", "POST", "/cases/{case_id}/extension",
           (*OPEN, "returned")),
    Action("instruct", N_("Record a leader's instruction"), "dispatch", "POST", "/cases/{case_id}/instructions"),
    Action("callback", N_("Record a callback"), "supervision", "POST", "/cases/{case_id}/callbacks",
           ("awaiting_callback", "callback_failed")),
    Action("close", N_("Close the case"), "supervision", "POST", "/cases/{case_id}/closure",
           ("awaiting_callback", "callback_failed")),
    Action("request_review", N_("Take a request for review"), "supervision", "POST",
           "/cases/{case_id}/review-request", ("awaiting_callback", "closed")),
    Action("reopen", N_("Send back to the unit"), "supervision", "POST", "/cases/{case_id}/reopening",
           ("awaiting_callback", "callback_failed", "closed")),
    Action("conclude_review", N_("Conclude the review"), "supervision", "POST", "/reviews/{review_id}/conclusion"),
    Action("notice", N_("Issue a notice of criticism"), "supervision", "POST", "/notices"),
    Action("substitute", N_("Substitute the leader"), "intake", "POST",
           "/reception/sessions/{session_id}/substitution"),
    Action("publish_calendar", N_("Publish the calendar"), "intake", "POST",
           "/reception/calendar/{month}/publication"),
    Action("take_in", N_("Take in a report"), "intake", "POST", "/reports"),
]}

# the pages of the console, and the service route each one reads
PAGES = {
    "intake": ("intake", "POST", "/reports"),
    "board": ("dispatch", "GET", "/cases"),
    "digest": ("intake", "GET", "/digests/{kind}"),
    "analysis": ("intake", "GET", "/analyses/monthly/{month}"),
    "alerts": ("intake", "GET", "/alerts"),
    "calendar": ("intake", "GET", "/reception/sessions/{session_id}"),
    "rankings": ("scoring", "GET", "/rankings"),
    "staff": ("accounts", "GET", "/accounts"),
    "api_tokens": ("accounts", "GET", "/api-tokens"),
    "audit": ("accounts", "GET", "/audit-log"),
}


@cache
def roles_for(service: str, method: str, path: str) -> frozenset[str] | None:
    """The roles the matrix lets call a route; None for an open route."""
    for row_service, row_method, row_path, roles in matrix():
        if (row_service, row_method, row_path) == (service, method, path):
            return None if roles is None else frozenset(roles)
    raise KeyError(f"{method} {path} is not a route of {service}")


def may(staff: Staff | None, service: str, method: str, path: str) -> bool:
    roles = roles_for(service, method, path)
    return roles is None or (staff is not None and staff.role in roles)


def may_see(staff: Staff | None, page: str) -> bool:
    return may(staff, *PAGES[page])


def offered(staff: Staff, name: str, state: str | None = None, unit: str | None = None) -> bool:
    """Whether the page offers ``staff`` the action on a case in ``state`` undertaken by ``unit``."""
    action = ACTIONS[name]
    if not may(staff, action.service, action.method, action.path):
        return False
    if action.states and state not in action.states:
        return False
    return not (action.own_unit and staff.unit != unit)
