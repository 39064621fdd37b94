"""Why a case went back travels in case.reopened as a code (``cause``) with only the words a person wrote; the
case's history says it in the reader's language. An event published before causes were codes still reads."""
from __future__ import annotations

import typing
from datetime import datetime, timezone

import pytest
from nameko.testing.services import worker_factory

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import CaseReopened, new_event, parse_event
from lianxin.i18n.kept_texts import READER, Reader
from lianxin.vocabulary import REOPEN_CAUSES
from services.dispatch import handling
from services.dispatch.schemas import history_view
from services.dispatch.service import DispatchService
from tests.support.builders import DISPATCH_CONFIG, report_received
from tests.support.county import SAMPLE

REOPENED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
ROUNDS = [  # round, what the event carries besides
    (1, {"cause": "dissatisfied", "reason": ""}),
    (2, {"cause": "review_failed", "reason": "实地复查发现仍未通水", "review_id": "V00000003"}),
    (3, {"cause": "office", "reason": "群众再次来电", "reopened_by": "supervisor-01"}),
    (4, {"reason": "the petitioner is dissatisfied with the handling"}),  # published before causes were codes
]
SAID = {"zh": ["信访人对办理结果不满意", "复核 V00000003 认定办理不到位：实地复查发现仍未通水",
               "由本办（supervisor-01）退回重办：群众再次来电", "信访人对办理结果不满意"],
        "en": ["the petitioner is dissatisfied with the handling",
               "review V00000003 found the handling wanting: 实地复查发现仍未通水",
               "reopened by the office (supervisor-01): 群众再次来电",
               "the petitioner is dissatisfied with the handling"]}


def test_the_contract_names_every_cause_the_office_says():
    assert typing.get_args(typing.get_args(CaseReopened.model_fields["cause"].annotation)[0]) == tuple(REOPEN_CAUSES)


def test_an_event_from_before_causes_still_meets_the_contract():
    before = new_event("case.reopened", "C00000001", {
        "case_id": "C00000001", "report_id": "R00000042", "unit": "chengguan", "round": 1,
        "reason": "the petitioner says the matter is not resolved", "reopened_at": REOPENED_AT.isoformat()})
    assert parse_event(before.to_json()).payload().cause is None
    with pytest.raises(Exception, match="cause"):
        new_event("case.reopened", "C00000001", {**before.data, "cause": "the petitioner was cross"})


@pytest.fixture
def dispatch(tmp_path):
    database = Database.of_service(handling, f"sqlite:///{tmp_path / 'dispatch.db'}")
    worker = worker_factory(DispatchService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                            config=DISPATCH_CONFIG,
                            auth=Authenticator(load_credentials(SAMPLE.with_name("staff.yaml"))))
    yield worker, database
    database.engine.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_history_says_why_in_the_readers_language(dispatch, lang):
    worker, database = dispatch
    worker.on_report_received([report_received()])
    for round_, carried in ROUNDS:
        worker.on_case_reopened([new_event("case.reopened", "C00000001", {
            "case_id": "C00000001", "report_id": "R00000042", "unit": "chengguan", "round": round_,
            "reopened_at": REOPENED_AT.isoformat(), **carried})])
    token = READER.set(Reader(lang))
    try:
        with database.unit_of_work() as uow:
            lines = [e["note"] for e in history_view(handling.get_case(uow, "C00000001")) if e["action"] == "reopened"]
    finally:
        READER.reset(token)
    assert lines == SAID[lang]
