"""The digests read what they show and no more: the text redacted once (when sorted), no reporter decrypted,
ended periods as stored (issue 20, reads at scale)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lianxin.auth import Staff
from lianxin.db import Database, utcnow
from lianxin.directory import load_directory
from services.intake import digest_records, digest_writing, service
from services.intake.config import IntakeSettings
from services.intake.models import Digest
from services.intake.protection import Encrypted, use_keys
from services.intake.reporting import Intake
from services.intake.schemas import ReportIn
from tests.support.sorting import sort_registered

DIRECTORY = load_directory("deploy/county.yaml")
STORY = "我叫王大山，电话13812345678，村口路灯坏了一个月"


@pytest.fixture
def intake(tmp_path):
    config = IntakeSettings().nameko_config()
    use_keys(config["PII_KEYS"])
    database = Database.of_service(service, f"sqlite:///{tmp_path}/intake.db")
    taker, staff = Intake(DIRECTORY, config), Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
    village = next(iter(DIRECTORY.villages))
    with database.unit_of_work() as uow:
        taker.take_in(uow, ReportIn.model_validate({
            "channel": "hotline", "category": "urban-management", "village": village, "content": STORY,
            "reporter": {"name": "王大山", "phone": "13812345678"}}), staff)
        uow.commit()
    sort_registered(database, taker)  # the text is redacted for sharing once, when intake sorts the report
    yield database
    database.stop()


def test_a_digest_quotes_the_text_redacted_once_and_decrypts_no_reporter(intake, monkeypatch):
    def no_decryption(*_):
        raise AssertionError("a digest decrypted a reporter's personal data it does not show")

    monkeypatch.setattr(Encrypted, "process_result_value", no_decryption)
    today = digest_writing.county_day(utcnow())
    with intake.unit_of_work() as uow:
        digest = digest_records.build(uow, DIRECTORY, "ten-day", today)
        analysis = digest_records.monthly(uow, DIRECTORY, today.strftime("%Y-%m"))
    [item] = [i for section in digest["sections"] for i in section["items"]]
    assert "王大山" not in item["excerpt"] and "13812345678" not in item["excerpt"] and "路灯坏了" in item["excerpt"]
    assert digest["total"] == analysis["total"] == 1


def test_an_ended_period_is_served_as_stored_and_the_current_one_computed(intake):
    today = digest_writing.county_day(utcnow())
    with intake.unit_of_work() as uow:
        produced = digest_records.produce_due(uow, DIRECTORY, today + timedelta(days=40))
        uow.commit()
    assert {row.kind for row in produced} == {"ten-day", "week", "monthly"}
    with intake.unit_of_work() as uow:
        for row in uow.session.query(Digest):
            row.document = {**row.document, "stored": True}
        uow.commit()
    later = today + timedelta(days=40)
    with intake.unit_of_work() as uow:
        ended_month = (later.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        assert digest_records.monthly(uow, DIRECTORY, ended_month).get("stored")
        ended = digest_records.KINDS["ten-day"](later).previous().start
        assert digest_records.build(uow, DIRECTORY, "ten-day", ended).get("stored")
        assert "stored" not in digest_records.build(uow, DIRECTORY, "ten-day", later)
