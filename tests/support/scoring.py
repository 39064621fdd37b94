"""Scoring fed by hand for the fast tests: its worker over a SQLite file, the county's units, one case's events
from dispatch to closure, a notice, and a staff member's GET."""
from datetime import datetime, timedelta, timezone

from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import new_event
from services.scoring import models
from services.scoring.assessment import Scheme
from services.scoring.service import ScoringService
from tests.support.county import CREDENTIALS, SAMPLE

COUNTY = load_directory(SAMPLE)
TOWNSHIPS = [t.code for t in COUNTY.townships]
DEPARTMENTS = [d.code for d in COUNTY.departments]
SCHEME = Scheme(closure=0.4, timeliness=0.3, satisfaction=0.3, per_notice=5, per_accountability=3, cap=30,
                veto=("removal", "party_discipline"), year_end_regular_share=0.6, best_handling_min_cases=5)
CONFIG = {"SCHEME": SCHEME}
MARCH = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def make_scoring(path):
    db = Database.of_service(models, f"sqlite:///{path}")
    return worker_factory(ScoringService, uow=db.unit_of_work(), directory=COUNTY, config=CONFIG,
                          auth=Authenticator(load_credentials(CREDENTIALS)))


def case_events(n: int, unit: str, closed=True, on_time=True, satisfied=True, at=MARCH, person="刘建国"):
    """The events of one case, handler name first: dispatched, reported, called back, closed."""
    case_id = f"C{n:08d}"
    kind = "township" if unit in TOWNSHIPS else "department"
    events = [("on_case_dispatched", new_event("case.dispatched", case_id, {
        "case_id": case_id, "report_id": f"R{n:08d}", "unit": unit, "unit_kind": kind, "category": "other",
        "severity": "general", "deadline": at + timedelta(days=7), "routing_reason": "test", "received_at": at,
        "dispatched_at": at}))]
    if closed:
        reported_at = at + timedelta(days=3 if on_time else 9)
        events += [
            ("on_case_reported", new_event("case.reported", case_id, {
                "case_id": case_id, "report_id": f"R{n:08d}", "unit": unit, "finding": "substantiated",
                "actions_taken": "已经解决", "responsible_person": person, "unit_head": "陈",
                "reported_at": reported_at,
                "deadline": at + timedelta(days=7), "on_time": on_time})),
            ("on_callback_recorded", new_event("callback.recorded", case_id, {
                "callback_id": f"CB{n:08d}", "case_id": case_id, "unit": unit, "reached": True,
                "resolved": "yes" if satisfied else "no",
                "satisfaction": "satisfied" if satisfied else "dissatisfied", "recorded_by": "op",
                "recorded_at": reported_at + timedelta(days=1)})),
            ("on_case_closed", new_event("case.closed", case_id, {
                "case_id": case_id, "report_id": f"R{n:08d}", "unit": unit,
                "closed_at": reported_at + timedelta(days=1), "deadline": at + timedelta(days=7), "on_time": on_time,
                "satisfaction": "satisfied" if satisfied else "dissatisfied"}))]
    return events


def notice(n: int, unit: str, at=MARCH):
    return ("on_notice_issued", new_event("notice.issued", f"N{n:06d}", {
        "notice_id": f"N{n:06d}", "unit": unit, "reason": "overdue", "evidence": [], "issued_at": at}))


def feed(scoring, events):
    for handler, event in events:
        getattr(scoring, handler)([event])


def staff_get(params, as_staff="supervisor-01", lang=None):
    """A staff member's GET with these query parameters, in ``lang`` if given."""
    language = {"Accept-Language": lang} if lang else {}
    return EnvironBuilder(method="GET", query_string=params,
                          headers={"Authorization": f"Bearer dev-{as_staff}", **language}).get_request()
