"""Intake's use cases on a SQLite unit of work, without the broker: taking in, correcting, releasing and
erasing a reporter's data (what the service's entrypoints call)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.db import utcnow
from lianxin.errors import Conflict, Invalid, NotAllowed
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from services.intake import personal_data, reporting
from services.intake.models import PersonalDataRelease, ReportCorrection
from services.intake.schemas import CorrectionIn, ReleaseIn, ReportIn
from tests.support.reports import REPORT
from tests.support.sorting import sort_registered

OPERATOR = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
SUPERVISOR = Staff(code="supervisor-01", role="supervisor", token_sha256="1" * 64)
OFFICER = Staff(code="officer-chengguan-dongguan", role="officer", village="chengguan-dongguan", token_sha256="2" * 64)


def take_in(database, intake, report=REPORT, staff=OPERATOR, key=None):
    with database.unit_of_work() as uow:
        taken, created = intake.take_in(uow, ReportIn(**report), staff, key)
        uow.commit()
        report_id = taken.report_id
    sort_registered(database, intake)  # what intake's consumer of report.registered does next
    return report_id, created


def emitted(database) -> list:
    with database.engine.connect() as conn:
        return [parse_event(row.body) for row in conn.execute(select(outbox).order_by(outbox.c.id))]


def test_a_report_taken_in_is_stored_and_announced_without_the_reporters_data(database, intake):
    report_id, created = take_in(database, intake)
    [event] = [e for e in emitted(database) if e.type == "report.received"]
    assert created and event.data["report_id"] == report_id and event.data["township"] == "chengguan"
    body = str(event.data)
    assert all(part not in body for part in REPORT["reporter"].values())
    assert event.data["reporter_id"].startswith("P")  # the pseudonym, never the person


def test_the_same_idempotency_key_takes_nothing_twice(database, intake):
    first = take_in(database, intake, key="row-1")
    again = take_in(database, intake, key="row-1")
    assert again == (first[0], False)
    assert len([e for e in emitted(database) if e.type == "report.received"]) == 1


def test_a_place_outside_the_county_is_refused_before_anything_is_written(database, intake):
    with pytest.raises(Invalid) as refused:
        take_in(database, intake, {**REPORT, "village": "atlantis"})
    assert "village" in str(refused.value.details)
    assert emitted(database) == []


def test_an_information_officer_reports_for_their_own_village_only(database, intake):
    report_id, _ = take_in(database, intake, {**REPORT, "channel": "hotline"}, OFFICER)
    with database.unit_of_work() as uow:
        assert reporting.get_report(uow, report_id).channel == "officer"  # the green channel
    with pytest.raises(NotAllowed):
        take_in(database, intake, {**REPORT, "village": "chengguan-xiguan"}, OFFICER)


def test_a_correction_keeps_before_after_reason_and_who(database, intake):
    report_id, _ = take_in(database, intake)
    with database.unit_of_work() as uow:
        report = reporting.get_report(uow, report_id)
        intake.correct(uow, report, CorrectionIn(people_count=3, reason="三人同来"), SUPERVISOR)
        uow.commit()
    with database.unit_of_work() as uow:
        [correction] = uow.session.scalars(select(ReportCorrection))
        assert (correction.field, correction.before, correction.after) == ("people_count", "1", "3")
        assert (correction.corrected_by, correction.reason) == ("supervisor-01", "三人同来")
        assert reporting.get_report(uow, report_id).people_count == 3


def test_a_release_gives_the_data_in_clear_and_is_logged(database, intake):
    report_id, _ = take_in(database, intake)
    with database.unit_of_work() as uow:
        released = personal_data.release(uow, reporting.get_report(uow, report_id), ReleaseIn(purpose="回访核实情况"),
                                         SUPERVISOR, utcnow())
        uow.commit()
    assert released["reporter"]["phone"] == REPORT["reporter"]["phone"]
    with database.unit_of_work() as uow:
        [logged] = uow.session.scalars(select(PersonalDataRelease))
        assert (logged.released_to, logged.purpose, logged.kind) == ("supervisor-01", "回访核实情况", "release")


def test_erasure_waits_for_the_closed_case_and_the_retention_period(database, intake):
    report_id, _ = take_in(database, intake)
    wanted = personal_data.ErasureIn(report_id=report_id, reason="本人申请删除")
    with database.unit_of_work() as uow, pytest.raises(Conflict, match="every report is closed"):
        personal_data.erase(uow, wanted, SUPERVISOR, utcnow(), 30)
    with database.unit_of_work() as uow:
        report = reporting.get_report(uow, report_id)
        report.status, report.updated_at = "closed", utcnow() - timedelta(days=31)
        uow.commit()
    with database.unit_of_work() as uow:
        personal_data.erase(uow, wanted, SUPERVISOR, utcnow(), 30)
        uow.commit()
    with database.unit_of_work() as uow:
        report = reporting.get_report(uow, report_id)
        assert not report.has_reporter and report.reporter_id  # the pseudonym stays
        with pytest.raises(Conflict, match="already erased"):
            personal_data.erase(uow, wanted, SUPERVISOR, utcnow(), 30)
