"""Supervision's conscience: callbacks retried up to a cap, notices for overdue and repeatedly reopened
cases, notices and accountability by hand, and the board."""
from datetime import timedelta
from pathlib import Path

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import new_event, parse_event
from lianxin.messaging_tables import outbox
from services.supervision import models
from services.supervision.service import SupervisionService
from tests.test_directory import SAMPLE
from tests.test_event_order import DEADLINE, dispatched, reported
from tests.test_handlers import request

CONFIG = {"CALLBACKS": {"retry_hours": 4, "max_attempts": 3}, "REOPEN_NOTICE_AFTER": 2}
NOT_REACHED = {"reached": False, "recorded_by": "callback-op-01"}
DISSATISFIED = {"reached": True, "resolved": "no", "satisfaction": "dissatisfied", "recorded_by": "callback-op-01"}


@pytest.fixture
def database(tmp_path):
    db = Database(Path(models.__file__).with_name("migrations")).open(f"sqlite:///{tmp_path / 'supervision.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def supervision(database):
    return worker_factory(SupervisionService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                          config=CONFIG, auth=Authenticator(load_credentials(SAMPLE.with_name("staff.yaml"))))


def emitted(database, event_type):
    with database.engine.connect() as conn:
        return [parse_event(r.body) for r in conn.execute(select(outbox.c.body).where(outbox.c.type == event_type))]


def test_a_petitioner_not_reached_is_tried_again_until_the_cap(supervision, database):
    supervision.on_case_dispatched(dispatched())
    supervision.on_case_reported(reported())
    for attempt in (1, 2):
        view = supervision.record_callback(request(NOT_REACHED), "C00000001")[1]
        assert view["state"] == "awaiting_callback", attempt
    with database.unit_of_work() as uow:
        case = uow.session.get(models.SupervisedCase, "C00000001")
        assert case.callback_attempts == 2
        assert case.callback_due_at == case.callbacks[-1].recorded_at + timedelta(hours=4)
    failed = supervision.record_callback(request(NOT_REACHED), "C00000001")[1]
    assert failed["state"] == "callback_failed"
    assert "no callback record that reached the petitioner" in failed["closure_blockers"][0]
    late = supervision.record_callback(request({**NOT_REACHED, "reached": True, "resolved": "yes",
                                                "satisfaction": "satisfied"}), "C00000001")[1]
    assert late["state"] == "closed"  # reached in the end: the case may still close


def test_an_overdue_case_brings_its_unit_one_notice_with_the_evidence(supervision, database):
    overdue = new_event("case.overdue", "C00000001", {
        "case_id": "C00000001", "unit": "chengguan", "stage": "overdue", "deadline": DEADLINE,
        "flagged_at": DEADLINE + timedelta(hours=1)})
    supervision.on_case_overdue(overdue)
    supervision.on_case_overdue(new_event("case.overdue", "C00000001", overdue.data))  # flagged again: same cause
    supervision.on_case_overdue(new_event("case.overdue", "C00000002", {**overdue.data, "case_id": "C00000002",
                                                                      "stage": "near_deadline"}))
    [notice] = emitted(database, "notice.issued")
    assert notice.data["unit"] == "chengguan" and notice.data["evidence"] == ["C00000001"]


def test_a_case_sent_back_twice_brings_a_notice(supervision, database):
    supervision.on_case_dispatched(dispatched())
    for round_ in (0, 1):
        supervision.on_case_reported(reported(round_=round_))
        supervision.record_callback(request(DISSATISFIED), "C00000001")
    [notice] = emitted(database, "notice.issued")
    assert "sent back 2 times" in notice.data["reason"]
    assert len(emitted(database, "case.reopened")) == 2


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_notices_and_accountability_by_hand_and_the_board(office):
    with office.client("supervision", "supervisor-01") as supervisor:
        notice = supervisor.post("/notices", json={
            "unit": "baiyang", "reason": "未按规定时限答复群众，弄虚作假", "evidence": ["C00000007"]})
        assert notice.status_code == 201, notice.text
        assert supervisor.post("/notices", json={"unit": "atlantis", "reason": "查无此单位",
                                                 "evidence": ["C00000007"]}).status_code == 422
        record = supervisor.post("/accountability", json={
            "person": "张某", "post": "村党支部书记", "unit": "baiyang", "measure": "removal",
            "case_id": "C00000007", "reason": "对群众反映问题推诿扯皮"})
        assert record.status_code == 201, record.text
        board = supervisor.get("/board").json()
        listed = supervisor.get("/notices", params={"unit": "baiyang"}).json()["notices"]
    with office.client("supervision", "chengguan-handler") as handler:
        assert handler.post("/notices", json={"unit": "baiyang", "reason": "互相举报",
                                              "evidence": ["C00000007"]}).status_code == 403
    assert board["notices_by_unit"] == {"baiyang": 1} and board["accountability_by_unit"] == {"baiyang": 1}
    assert [n["notice_id"] for n in listed] == [notice.json()["notice_id"]]
