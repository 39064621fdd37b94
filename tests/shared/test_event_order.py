"""Events of different types travel on different queues and may arrive in any order:
the services' read models must end up the same either way."""
from datetime import timedelta
from itertools import permutations

import pytest
from nameko.testing.services import worker_factory

from lianxin.db import Database
from lianxin.events import new_event
from services.intake import models as intake_models
from services.intake import reporting
from services.scoring import models as scoring_models
from services.scoring.service import ScoringService
from services.supervision import models as supervision_models
from services.supervision.service import SupervisionService
from tests.support.case_events import DEADLINE, T0, dispatched, reported


def database(module, tmp_path, name):
    return Database.of_service(module, f"sqlite:///{tmp_path / name}")


def closed(round_):
    return new_event("case.closed", "C00000001", {
        "case_id": "C00000001", "report_id": "R00000001", "unit": "chengguan", "closed_at": T0 + timedelta(days=20),
        "deadline": DEADLINE, "on_time": True, "satisfaction": "satisfied", "round": round_})


def reopened(round_):
    return new_event("case.reopened", "C00000001", {
        "case_id": "C00000001", "report_id": "R00000001", "unit": "chengguan", "reason": "dissatisfied",
        "reopened_at": T0 + timedelta(days=5), "round": round_})


@pytest.fixture
def supervision(tmp_path):
    db = database(supervision_models, tmp_path, "supervision.db")
    service = worker_factory(SupervisionService, uow=db.unit_of_work(), config={"REVIEW_SAMPLE_PERCENT": 0})
    yield service, db
    db.engine.dispose()


def supervised_case(db):
    with db.unit_of_work() as uow:
        return uow.session.get(supervision_models.SupervisedCase, "C00000001")


def test_a_second_round_report_overtaking_its_redispatch_still_awaits_the_callback(supervision):
    service, db = supervision
    service.on_case_dispatched([dispatched()])
    with db.unit_of_work() as uow:  # supervision reopened the case after a bad callback: round 1
        case = uow.session.get(supervision_models.SupervisedCase, "C00000001")
        case.state, case.reopen_count = "in_handling", 1
        uow.commit()
    service.on_case_reported([reported(round_=1, at=T0 + timedelta(days=6))])
    service.on_case_dispatched([dispatched(round_=1, redispatch=True, at=T0 + timedelta(days=5))])
    case = supervised_case(db)
    assert case.state == "awaiting_callback" and case.deadline == T0 + timedelta(days=12)


def test_a_report_from_before_the_reopening_does_not_count(supervision):
    service, db = supervision
    service.on_case_dispatched([dispatched()])
    with db.unit_of_work() as uow:
        uow.session.get(supervision_models.SupervisedCase, "C00000001").reopen_count = 1
        uow.commit()
    service.on_case_reported([reported(round_=0)])  # redelivered late from round 0
    assert supervised_case(db).state == "in_handling"


@pytest.mark.parametrize("order", list(permutations(["dispatched", "reported", "reopened", "closed"])))
def test_scoring_ends_with_the_same_record_whatever_the_order(tmp_path, order):
    db = database(scoring_models, tmp_path, "scoring.db")
    service = worker_factory(ScoringService, uow=db.unit_of_work())
    events = {"dispatched": (service.on_case_dispatched, dispatched()),
              "reported": (service.on_case_reported, reported()),
              "reopened": (service.on_case_reopened, reopened(1)),
              "closed": (service.on_case_closed, closed(1))}
    for name in order:
        handler, event = events[name]
        handler([event])
    with db.unit_of_work() as uow:
        record = uow.session.get(scoring_models.CaseRecord, "C00000001")
        assert (record.closed_at is not None, record.reopen_count, record.received_at) == (True, 1, T0)
    db.engine.dispose()


@pytest.fixture
def intake_report(tmp_path):
    """Intake's database with report R00000001 taken in, as intake keeps it."""
    db = database(intake_models, tmp_path, "intake.db")
    with db.unit_of_work() as uow:
        uow.session.add(intake_models.Report(
            channel="hotline", category="drinking-water", township="chengguan", content="停水三天", received_at=T0,
            received_by_role="operator", received_by="hotline-op-01", updated_at=T0))
        uow.commit()
    yield db
    db.engine.dispose()


def report_status(db):
    with db.unit_of_work() as uow:
        report = uow.session.get(intake_models.Report, 1)
        return report.status, report.case_round


def test_intake_keeps_a_closed_report_closed_when_its_dispatch_is_announced_again(intake_report):
    """A restored dispatch replays: it opens the case again and announces the same dispatch with a new id."""
    follow = {"dispatched": reporting.follow_dispatch, "closed": lambda uow, e: reporting.follow_case(uow, e, "closed")}
    for name, event in [("dispatched", dispatched()), ("closed", closed(0)), ("dispatched", dispatched())]:
        intake_report.unit_of_work().apply([event], follow[name])
    assert report_status(intake_report) == ("closed", 0)


@pytest.mark.parametrize("order", list(permutations(["dispatched", "reopened", "redispatched"])))
def test_intake_shows_the_newest_round_whatever_the_order(intake_report, order):
    events = {"dispatched": (reporting.follow_dispatch, dispatched()),
              "reopened": (lambda uow, e: reporting.follow_case(uow, e, "reopened"), reopened(1)),
              "redispatched": (reporting.follow_dispatch, dispatched(round_=1, redispatch=True))}
    for name in order:
        handler, event = events[name]
        intake_report.unit_of_work().apply([event], handler)
    assert report_status(intake_report) == ("dispatched", 1)
