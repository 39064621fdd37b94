"""The fault drill (bench/fault_drill.py): its count catches a loss or a duplicate anywhere, and a small
drill with every fault loses and doubles nothing."""
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from bench import fault_drill
from lianxin.db import Database
from lianxin.messaging_tables import inbox, outbox
from services.dispatch import models as dispatch_models
from services.intake import models as intake_models
from services.notifications import models as notifications_models
from services.scoring import models as scoring_models
from services.supervision import models as supervision_models

SERVICE_MODULES = {"intake": intake_models, "dispatch": dispatch_models, "supervision": supervision_models,
                   "scoring": scoring_models, "notifications": notifications_models}
NOW = datetime(2026, 11, 28, 8, tzinfo=timezone.utc)
REACHABLE = {"chengguan"}  # qingshui's people have no address: notifications tells nobody there
POISONED = [("dispatch", "drill-poison-1-1"), ("scoring", "drill-poison-1-3")]


def clean_office() -> tuple:
    """What the drill finds after two reports went through, the second's case reopened once:
    (tally, what the drill did, the subscriber's event ids, the dead letters)."""
    events = {"intake": {"e1": "report.received", "e2": "report.received"},
              "dispatch": {"e3": "case.dispatched", "e4": "case.dispatched", "e5": "case.dispatched"},
              "supervision": {"e6": "case.closed", "e7": "case.closed", "e8": "case.reopened"}}
    consumers = {service: {} for service in fault_drill.SERVICES}
    for published in events.values():
        for event_id, event_type in published.items():
            for consumer in fault_drill.CATALOGUE[event_type].consumers:
                consumers[consumer][event_id] = event_type
    one, two = Counter(), Counter()
    for what, _, _ in fault_drill.EFFECTS:
        one[what], two[what] = 1, 2
    one["dissatisfied callbacks scored"], two["dissatisfied callbacks scored"] = 0, 1
    found = fault_drill.Tally(
        reports={"R00000001": (None, "closed"), "R00000002": (None, "closed")},
        cases=[("C00000001", "R00000001", "closed", 0, []), ("C00000002", "R00000002", "closed", 1, [])],
        supervised={"C00000001": ("closed", 0), "C00000002": ("closed", 1)},
        scored={"C00000001": (True, 0), "C00000002": (True, 1)},
        effects={"C00000001": one, "C00000002": two},
        outbox={service: events.get(service, {}) for service in fault_drill.SERVICES},
        unpublished={service: 0 for service in fault_drill.SERVICES}, inbox=consumers,
        units={"C00000001": "chengguan", "C00000002": "qingshui"}, told={"C00000001": 1})
    expected = {"report.received": 2, "case.dispatched": 3, "case.closed": 2, "case.reopened": 1}
    seen = {event_id: event_type for published in events.values() for event_id, event_type in published.items()}
    parked = [(service, marker, "undecodable body") for service, marker in POISONED]
    return found, expected, seen, parked


def problems(found, expected, seen, parked, reopened=("C00000002",)) -> list[str]:
    reopen = {case_id: 1 for case_id in reopened}
    return (fault_drill.check_reports(found, {"R00000001", "R00000002"}) + fault_drill.check_states(found, reopen)
            + fault_drill.check_told(found, reopen, REACHABLE)
            + fault_drill.event_table(found, expected, seen)[1]
            + fault_drill.check_messaging(found, {}, parked, POISONED))


def test_a_clean_office_passes_the_count():
    assert problems(*clean_office()) == []


def test_a_second_case_for_one_report_fails_the_count():
    found, *rest = clean_office()
    found.cases.append(("C00000003", "R00000001", "closed", 0, []))
    found.supervised["C00000003"] = ("closed", 0)
    found.scored["C00000003"] = (True, 0)
    found.effects["C00000003"] = found.effects["C00000001"]
    assert problems(found, *rest) == ["1 reports with more than one case, e.g. ['R00000001']"]


def test_a_report_without_its_case_fails_the_count():
    found, *rest = clean_office()
    del found.cases[0], found.supervised["C00000001"], found.scored["C00000001"]
    assert "1 reports without a case, e.g. ['R00000001']" in problems(found, *rest)


def test_an_event_applied_twice_in_effect_fails_the_count():
    found, *rest = clean_office()
    found.effects["C00000001"]["callbacks scored"] = 2  # scoring counted one callback twice
    assert [p for p in problems(found, *rest) if "effect" in p] == [
        "1 cases with another effect than one per round, e.g. [\"C00000001 {'handling reports': 1, 'callbacks': 1, "
        "'callbacks scored': 2, 'dissatisfied callbacks scored': 0}\"]"]


def test_the_count_reads_who_can_be_told_from_the_credentials_file():
    assert fault_drill.reachable_units(fault_drill.harness.REPO_ROOT / "deploy" / "staff.yaml") == {
        "chengguan", "xincheng"}


def test_a_unit_told_twice_of_one_round_or_not_at_all_fails_the_count():
    found, *rest = clean_office()
    found.told["C00000001"] = 2  # one dispatch told twice
    assert problems(found, *rest) == ["1 cases whose unit was told otherwise than once per round, e.g. "
                                      "['C00000001 2']"]
    found.told["C00000001"] = 0
    assert "e.g. ['C00000001 0']" in problems(found, *rest)[0]
    found, *rest = clean_office()
    found.units["C00000002"] = "chengguan"  # a reopened case of a unit that can be told: once per round
    assert problems(found, *rest) == ["1 cases whose unit was told otherwise than once per round, e.g. "
                                      "['C00000002 0']"]


def test_a_case_left_open_or_in_another_round_fails_the_count():
    found, *rest = clean_office()
    found.scored["C00000001"] = (False, 0)
    assert "1 cases not closed in scoring, e.g. ['C00000001']" in problems(found, *rest)
    assert any("another round" in p for p in problems(*clean_office(), reopened=()))


def test_an_event_published_twice_or_never_delivered_fails_the_count():
    found, expected, seen, parked = clean_office()
    found.outbox["supervision"]["e9"] = "case.closed"  # a second closing of the same case
    assert problems(found, expected, seen, parked) == [
        "case.closed: the drill caused 2, supervision's outbox holds 3",
        "case.closed: the subscriber lacks 1 of the published and has 0 never published",
        "case.closed: intake's inbox lacks 1 of the published and has 0 never published",
        "case.closed: dispatch's inbox lacks 1 of the published and has 0 never published",
        "case.closed: scoring's inbox lacks 1 of the published and has 0 never published"]
    found.outbox["supervision"].pop("e9")
    del found.inbox["notifications"]["e8"]  # notifications never heard of the reopening
    assert problems(found, expected, seen, parked) == [
        "case.reopened: notifications's inbox lacks 1 of the published and has 0 never published"]


def test_dead_letters_must_be_exactly_the_poisoned_ones_each_with_its_reason():
    found, expected, seen, parked = clean_office()
    assert problems(found, expected, seen, parked[:1]) == [
        "poisoned messages not dead-lettered: [('scoring', 'drill-poison-1-3')]"]
    assert problems(found, expected, seen, parked + [("intake", None, "boom")]) == [
        "dead letters the drill did not poison (or parked twice): [('intake', None)]"]
    assert problems(found, expected, seen, [(s, m, None) for s, m, _ in parked]) == [
        "dead letters without an x-lianxin-reason: [('dispatch', 'drill-poison-1-1'), "
        "('scoring', 'drill-poison-1-3')]"]


def test_the_poison_markers_are_found_in_every_poisoned_body():
    assert [(s, fault_drill.marker_of(body)) for s, _, body in fault_drill.poisons(3)] == [
        ("dispatch", "drill-poison-3-1"), ("supervision", "drill-poison-3-2"), ("scoring", "drill-poison-3-3"),
        ("intake", "drill-poison-3-4")]


def test_the_count_reads_each_service_database_and_finds_an_unpublished_outbox_row(tmp_path):
    databases = {name: f"sqlite:///{tmp_path / name}.db" for name in fault_drill.SERVICES}
    for name, module in SERVICE_MODULES.items():
        Database.of_service(module, databases[name]).stop()
    assert fault_drill.tally(databases) == fault_drill.Tally(
        outbox={s: {} for s in databases}, unpublished={s: 0 for s in databases}, inbox={s: {} for s in databases})
    assert set(databases) == set(SERVICE_MODULES)  # every service the events pass through, accounts not

    database = Database.of_service(dispatch_models, databases["dispatch"])
    with database.engine.begin() as conn:  # dispatch wrote a closing it never published; scoring applied it
        conn.execute(insert(outbox).values(event_id="e1", type="case.accepted", body="{}", created_at=NOW))
    database.stop()
    database = Database.of_service(scoring_models, databases["scoring"])
    with database.engine.begin() as conn:
        conn.execute(insert(inbox).values(event_id="e1", type="case.accepted", applied_at=NOW))
    database.stop()

    found = fault_drill.tally(databases)
    assert found.unpublished == {"intake": 0, "dispatch": 1, "supervision": 0, "scoring": 0, "notifications": 0}
    assert fault_drill.check_messaging(found, {}, [], []) == ["dispatch: 1 outbox rows unpublished"]
    assert fault_drill.event_table(found, {}, {})[1] == [
        "case.accepted: the subscriber lacks 1 of the published and has 0 never published"]


@pytest.mark.integration
@pytest.mark.broker_restart
def test_a_small_drill_with_every_fault_loses_and_doubles_nothing():
    """RabbitMQ restarts, each service is killed with SIGKILL, PostgreSQL restarts: all 150 reports end closed."""
    outcome = fault_drill.drill(reports=150, rate=5, faults=True, settle_timeout=150)
    assert outcome.problems == []
    assert outcome.expected["report.received"] == len(outcome.found.reports) == 150
    assert outcome.expected["case.closed"] == len(outcome.found.cases) > 0
    assert outcome.expected["case.reopened"] > 0  # the reopen path was taken


def test_the_office_is_not_settled_while_notifications_has_yet_to_apply_a_dispatch(tmp_path):
    databases = {name: f"sqlite:///{tmp_path / name}.db" for name in fault_drill.SERVICES}
    for name, module in SERVICE_MODULES.items():
        Database.of_service(module, databases[name]).stop()
    database = Database.of_service(dispatch_models, databases["dispatch"])
    with database.engine.begin() as conn:
        conn.execute(insert(outbox).values(event_id="e1", type="case.dispatched", body="{}", created_at=NOW))
    database.stop()
    for service in ("intake", "supervision", "scoring"):  # all but notifications have it: the cases look settled
        database = Database.of_service(SERVICE_MODULES[service], databases[service])
        with database.engine.begin() as conn:
            conn.execute(insert(inbox).values(event_id="e1", type="case.dispatched", applied_at=NOW))
        database.stop()
    assert fault_drill.consumers_behind(databases) == ["notifications case.dispatched"]
