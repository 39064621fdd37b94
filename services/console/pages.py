"""What each page shows: read from the services as the person signed in, shaped for the templates.

No rule of the office is decided here; filters and states are passed to the services as they are.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import get_args

from werkzeug.wrappers import Response

from lianxin.auth import Staff
from lianxin.directory import Directory
from lianxin.events import NoticeKind
from lianxin.http import MAX_PAGE
from lianxin.i18n import DEFAULT_LANGUAGE, N_, said
from lianxin.notify.templates import CHANNEL_WORDS, STATUS_WORDS, TEMPLATES
from lianxin.vocabulary import COUNTY_TIME, UNITS

from . import labels
from .actions import may
from .backend import Backend, BackendError
from .labels import LABELS
from .uploads import passed_on

log = logging.getLogger(__name__)
ACTORS = frozenset(LABELS["actor"])  # who acts on a case and is no member of staff (the system, the petitioner)

NEAR_DEADLINE = timedelta(hours=24)  # what the board shows as near its deadline (as dispatch's default flag)
BOARD_FILTERS = ("unit", "state", "overdue", "leader", "level", "channel", "lead_leader", "category", "township")
OPEN_STATES = ("dispatched", "accepted", "returned")
BOARD_SORTS = ("case_id", "state", "unit", "category", "channel", "received_at", "deadline")  # dispatch sorts by these
BOARD_PAGE = 50


def county_now() -> datetime:
    return datetime.now(COUNTY_TIME)


def epoch_ms(moment: datetime | str) -> int:
    """A moment as milliseconds since the epoch, as the pages' scripts compare them."""
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return int(moment.timestamp() * 1000)


def day_start(day: date) -> str:
    return datetime.combine(day, time(), COUNTY_TIME).isoformat()


def parsed_day(text: str | None, lang: str) -> date | None:
    """A day the board was asked for; a bad one is refused in the person's language."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise BackendError("console", 400, "bad_request", said(
            N_("%(text)s is not a day: write it as year-month-day, e.g. 2026-11-02"), lang, {"text": text})) from None


def nested(form) -> dict:
    """A posted form as a JSON body: ``reporter.phone`` nests, empty fields are left out (absent)."""
    body: dict = {}
    for key, value in form.items():
        if key.startswith("_") or (isinstance(value, str) and not value.strip()):
            continue
        *parents, leaf = key.split(".")
        target = body
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return body


# --- the hotline operator -------------------------------------------------------------------------------

def intake(api: Backend, staff: Staff, taken: str | None, directory: Directory | None = None) -> dict:
    today = county_now().date()
    reports = api.get("intake", "/reports", received_by=staff.code, received_from=day_start(today), limit=200)
    return {"today": reports["reports"], **confirmation(api, staff, taken, directory)}


def confirmation(api: Backend, staff: Staff, taken: str | None, directory: Directory | None = None) -> dict:
    """What the operator or officer reads out and must see at once about a report just taken in: the early
    warnings it raised (a group petition among them), the petitioner's lookup code, and once dispatch made it a
    case, its number and, where the person may read the case, whether it is major and why. What a role may not
    read (an officer the case, a leader the petitioner's link) is left out, not refused."""
    if not taken:
        return {"taken": None, "raised": [], "taken_case": None, "lookup": None, "major_because": None}
    report = api.get("intake", f"/reports/{taken}")
    raised = [a for a in api.get("intake", "/alerts", limit=20)["alerts"] if taken in a["report_ids"]]
    case_id = report.get("case_id")
    taken_case = None
    if case_id and may(staff, "dispatch", "GET", "/cases/{case_id}"):
        taken_case = _or_none(lambda: api.get("dispatch", f"/cases/{case_id}"), also=403)
    # the code the petitioner is texted: intake knows it before any case, and says whom it shows it to
    link = _or_none(lambda: api.get("intake", f"/reports/{taken}/citizen-link"), also=403)
    return {"taken": report, "raised": raised, "taken_case": taken_case, "lookup": link and link["lookup_code"],
            "major_because": major_because(taken_case, directory)}


def major_because(case: dict | None, directory: Directory | None) -> str | None:
    """Why dispatch handles a case as major: its category is a major matter ("category"), or else the number of
    people involved made it one ("people"); None for a general case or one the person may not read."""
    if not case or case["severity"] != "major":
        return None
    entry = directory and directory.category_by_code.get(case["category"])
    return "category" if entry and entry.severity == "major" else "people"


# --- the case board and a case ----------------------------------------------------------------------------

def board(api: Backend, staff: Staff, args, limit: int = BOARD_PAGE) -> dict:
    """A page of the board: newest first unless another column is chosen, open cases unless closed ones
    are asked for (or a state is chosen), with the total and the page numbers."""
    asked = board_filters(staff, args)
    number = page_number(args.get("page"))
    found = api.get("dispatch", "/cases", **_case_query(asked, api.lang), page=number, limit=limit, total="true")
    now = county_now()
    return {"cases": [{**case, "urgency": urgency(case, now)} for case in found["cases"]],
            "total": found["total"], "page": number, "pages": max(1, -(-found["total"] // limit)),
            "filters": asked, "sorts": BOARD_SORTS}


def board_rows(api: Backend, staff: Staff, args) -> list[dict]:
    """Every case the board's filters find, in its order (for export)."""
    query, rows, number = _case_query(board_filters(staff, args), api.lang), [], 1
    while True:
        found = api.get("dispatch", "/cases", **query, page=number, limit=MAX_PAGE)
        now = county_now()
        rows += [{**case, "urgency": urgency(case, now)} for case in found["cases"]]
        if len(found["cases"]) < MAX_PAGE:
            return rows
        number += 1


def board_filters(staff: Staff, args) -> dict:
    """What the board was asked for, as its links carry it."""
    asked = {name: args.get(name, "") for name in BOARD_FILTERS}
    if staff.role in UNITS:
        asked["unit"] = staff.unit  # a unit's people work on their own unit's cases
    sort = args.get("sort", "")
    asked["sort"] = sort if sort.lstrip("-") in BOARD_SORTS else "-received_at"
    asked["closed"] = "true" if args.get("closed") == "true" else ""
    asked["from"], asked["to"] = args.get("from", ""), args.get("to", "")
    asked["closed_on"] = args.get("closed_on", "")  # the dashboard's "closed today" links here
    return asked


def _case_query(asked: dict, lang: str) -> dict:
    received_from, received_to = parsed_day(asked["from"], lang), parsed_day(asked["to"], lang)
    closed_on = parsed_day(asked["closed_on"], lang)
    return {**{name: asked[name] for name in BOARD_FILTERS}, "sort": asked["sort"],
            "open": None if asked["closed"] or asked["state"] or closed_on else "true",
            "received_from": received_from and day_start(received_from),
            "received_to": received_to and day_start(received_to + timedelta(days=1)),
            "closed_from": closed_on and day_start(closed_on),
            "closed_to": closed_on and day_start(closed_on + timedelta(days=1))}


def page_number(text: str | None) -> int:
    """The page asked for; anything but a page number is the first page."""
    return int(text) if text and text.isdigit() and int(text) > 0 else 1


def urgency(case: dict, now: datetime) -> str | None:
    """How the board marks a case: overdue, near its deadline, or neither."""
    if case["state"] not in OPEN_STATES or not case["deadline"]:
        return None
    deadline = datetime.fromisoformat(case["deadline"])
    if case["overdue"] or deadline < now:
        return "overdue"
    return "near" if deadline - now < NEAR_DEADLINE else None


def case(api: Backend, staff: Staff, case_id: str) -> dict:
    parts = case_parts(api, case_id)
    sent = messages(api, case_id)
    return {**parts, "urgency": urgency(parts["case"], county_now()),
            "citizen_links": citizen_links(api, staff, parts["case"]), "notice_kinds": get_args(NoticeKind),
            "supervision_state": parts["supervised"]["state"] if parts["supervised"] else None,
            **sent, "people": people_named(api, acting_people(parts, sent))}


def citizen_links(api: Backend, staff: Staff, found: dict) -> list[dict]:
    """The link of each report of the case, with its own lookup code (intake's): an operator calling a repeat
    caller reads out that caller's code, never the first caller's. A report intake does not show the person is
    left out."""
    if not may(staff, "intake", "GET", "/reports/{report_id}/citizen-link"):
        return []
    links = (_or_none(lambda r=report_id: api.get("intake", f"/reports/{r}/citizen-link"), also=403)
             for report_id in (found["report_id"], *found.get("linked_reports", [])))
    return [link for link in links if link]


def acting_people(parts: dict, sent: dict | None = None) -> set[str]:
    """Who acted on the case or was told of it (staff codes, and the actors that are no person)."""
    supervised = parts["supervised"] or {}
    return ({h["by"] for h in parts["history"]} | {r["submitted_by"] for r in parts["case"]["handling_reports"]}
            | {c["recorded_by"] for c in supervised.get("callbacks", [])}
            | {d["recipient"] for d in (sent or {}).get("staff_messages") or []}) - {None, ""}


def people_named(api: Backend, codes) -> dict[str, str]:
    """Staff code -> display name, as accounts knows its people, read once for a whole page; a person accounts
    does not know (a development token, the system) keeps their code, and the page does not wait on accounts."""
    codes = sorted(set(codes) - ACTORS)
    if not codes:
        return {}
    try:
        found = api.get("accounts", "/people", user_name=codes)["people"]
    except (BackendError, KeyError, TypeError) as failed:
        log.info("staff names not read from accounts: %s", failed)
        return {}
    return {p["user_name"]: p["display_name"] for p in found if p.get("display_name")}


def case_file(api: Backend, case_id: str) -> dict:
    """The case file (案卷) for the archive: every part of the case, and who acted on it by name."""
    parts = case_parts(api, case_id)
    return {**parts, "people": people_named(api, acting_people(parts))}


def case_parts(api: Backend, case_id: str) -> dict:
    """Every part of one case, each as its service shows it to this reader (the report only where intake lets
    them read it): for the case page and the case file."""
    found = api.get("dispatch", f"/cases/{case_id}")
    # not there until supervision hears the case was dispatched; a unit the case was just routed to may read it at
    # dispatch before supervision heard of the move (403 there): the page shows what is known
    supervised = _or_none(lambda: api.get("supervision", f"/cases/{case_id}"), also=403)
    notices = api.get("supervision", "/notices", unit=found["unit"], limit=200)["notices"]
    return {
        "case": found, "supervised": supervised,
        "history": api.get("dispatch", f"/cases/{case_id}/history")["history"],
        "report": _or_none(lambda: api.get("intake", f"/reports/{found['report_id']}"), also=403),
        "notices": [n for n in notices if case_id in n["evidence"]],
    }


def messages(api: Backend, case_id: str) -> dict:
    """What was sent about the case: to staff (notifications; a unit sees its own time's), and to the
    petitioners (intake: sent or failed, never the number). None where the person's role may not see it,
    or the service does not answer: the case page does not wait on its messages."""
    def heard(service: str, path: str):
        try:
            return api.get(service, path, case_id=case_id)["deliveries"]
        except BackendError:
            return None
    return {"staff_messages": heard("notifications", "/deliveries"),
            "citizen_messages": heard("intake", "/citizen-deliveries"),
            "message_words": {"about": {code: t.about for code, t in TEMPLATES.items()},
                              "channel": CHANNEL_WORDS, "status": STATUS_WORDS}}


def my_channels(api: Backend) -> dict:
    return api.get("notifications", "/me/channels")


def my_messages(api: Backend) -> dict:
    """The messages sent to the person and how each went (a failed one names why); None if not answered."""
    try:
        sent = api.get("notifications", "/me/deliveries")["deliveries"]
    except BackendError:
        sent = None
    return {"my_messages": sent, "message_words": {"about": {code: t.about for code, t in TEMPLATES.items()},
                                                   "channel": CHANNEL_WORDS, "status": STATUS_WORDS}}


def _or_none(read, also: int = 404):
    """What ``read`` answers; None where it is not there (404), or (``also=403``) not the person's to see."""
    try:
        return read()
    except BackendError as refused:
        if refused.status in (404, also):
            return None
        raise


# --- the administrator -------------------------------------------------------------------------------------

def audit(api: Backend, subject: str | None, after: str | None) -> dict:
    """The audit log's entries, and the names of the people who acted and were acted on."""
    entries = api.get("accounts", "/audit-log", subject=subject, after=after)["entries"]
    return {"entries": entries, "subject": subject or "",
            "people": people_named(api, {e["actor"] for e in entries} | {e["subject"] for e in entries})}


# --- the leaders ------------------------------------------------------------------------------------------

def rankings(api: Backend, period: str) -> dict:
    """The ranked units of each kind, and the county's other units, listed as without cases."""
    answer = api.get("scoring", "/rankings", period=period)
    by_kind = {kind: ([s for s in answer["scores"] if s["unit_kind"] == kind],
                      [s for s in answer.get("without_cases", []) if s["unit_kind"] == kind])
               for kind in ("township", "department")}
    return {"period": period, "townships": by_kind["township"][0], "departments": by_kind["department"][0],
            "idle_townships": by_kind["township"][1], "idle_departments": by_kind["department"][1],
            "published": published(api, period)}


def published(api: Backend, period: str) -> list[dict]:
    """The period's current assessments, one of each kind (scoring lists a recomputation before what it
    supersedes), for the leaders to print."""
    newest = {}
    for assessment in api.every("scoring", "/assessments", "assessments", period=period):
        newest.setdefault(assessment["kind"], assessment)
    return list(newest.values())


def printed_assessment(api: Backend, assessment_id: str) -> Response:
    """Scoring's printed assessment (its own document, in the person's language), passed on as it came."""
    return passed_on(api.raw("scoring", f"/assessments/{assessment_id}", params={"format": "html"}))


def this_month() -> str:
    return county_now().strftime("%Y-%m")


def names(directory: Directory, lang: str = DEFAULT_LANGUAGE) -> dict:
    """Code -> name of every unit, village, category and leader in the reader's language, for the templates."""
    return labels.names(directory, lang)
