"""bench.seed writes rows the services themselves read back: the reads benchmark measures the real office."""
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from bench.seed import drop_databases, seed
from lianxin.db import Database
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from services.dispatch import service as dispatch_service
from services.dispatch.models import Case, CaseEvent
from services.intake import service as intake_service
from services.intake.config import IntakeSettings
from services.intake.models import Report
from services.intake.protection import pseudonym
from services.scoring import service as scoring_service
from services.scoring.models import CaseRecord
from services.supervision import service as supervision_service
from services.supervision.models import SupervisedCase

pytestmark = pytest.mark.integration  # needs PostgreSQL


@pytest.fixture(scope="module")
def seeded():
    prefix = f"lianxin_bench_test_{uuid.uuid4().hex[:8]}"
    urls = seed(reports=400, years=1.0, replay_days=400, prefix=prefix, seed_value=7)
    databases = {name: Database.of_service(module, urls[name]) for name, module in (
        ("intake", intake_service), ("dispatch", dispatch_service), ("supervision", supervision_service),
        ("scoring", scoring_service))}
    try:
        yield databases
    finally:
        for database in databases.values():
            database.stop()
        drop_databases(prefix)


def rows(database, query):
    with database.sessions() as session:
        return list(session.scalars(query))


def test_personal_data_is_sealed_as_intake_seals_it(seeded):
    reports = rows(seeded["intake"], select(Report).where(Report.reporter_phone.is_not(None)))
    assert len(reports) > 200  # 70 % of 400 have a reporter
    key = IntakeSettings().pseudonym_key
    for report in reports:
        assert report.reporter_phone.startswith("1") and len(report.reporter_phone) == 11
        assert report.reporter_id == pseudonym(key, report.reporter_id_number, report.reporter_phone,
                                               report.reporter_name, report.reporter_address)
    with seeded["intake"].engine.connect() as raw:
        stored = raw.execute(text("SELECT reporter_phone FROM reports WHERE reporter_phone IS NOT NULL")).scalars()
        assert not any(value.startswith("1") for value in stored)  # ciphertext at rest, never the number


def test_every_report_has_one_case_everywhere(seeded):
    reports = rows(seeded["intake"], select(Report))
    cases = rows(seeded["dispatch"], select(Case))
    assert len(reports) == 400
    opened = [r for r in reports if r.duplicate_of is None]
    assert sorted(c.report_id for c in cases) == sorted(r.report_id for r in opened)
    assert {r.case_id for r in reports} == {c.case_id for c in cases}
    supervised = {c.case_id: c for c in rows(seeded["supervision"], select(SupervisedCase))}
    records = {c.case_id: c for c in rows(seeded["scoring"], select(CaseRecord))}
    assert set(supervised) == set(records) == {c.case_id for c in cases}
    for case in cases:
        assert (case.state == "closed") == (supervised[case.case_id].state == "closed") \
            == (records[case.case_id].closed_at is not None)


def test_history_follows_each_case(seeded):
    history = rows(seeded["dispatch"], select(CaseEvent).order_by(CaseEvent.id))
    by_case = {}
    for event in history:
        by_case.setdefault(event.case_pk, []).append(event)
    for case in rows(seeded["dispatch"], select(Case)):
        moves = by_case[case.id]
        assert moves[0].action == "dispatch" and moves[-1].to_state == case.state
        assert [m.at for m in moves] == sorted(m.at for m in moves)


def test_outboxes_hold_events_the_contract_accepts(seeded):
    kinds = Counter()
    for name in ("intake", "dispatch", "supervision"):
        with seeded[name].engine.connect() as conn:
            for body, published in conn.execute(select(outbox.c.body, outbox.c.published_at)):
                assert published is not None
                kinds[parse_event(body).type] += 1
    assert kinds["report.received"] == 400 - sum(1 for r in rows(seeded["intake"], select(Report))
                                                 if r.duplicate_of is not None)
    assert kinds["case.dispatched"] == kinds["report.received"]
    assert kinds["case.closed"] > 0 and kinds["callback.recorded"] >= kinds["case.closed"]


def test_new_rows_get_fresh_numbers(seeded):
    with seeded["dispatch"].engine.connect() as conn:
        highest = conn.execute(select(func.max(Case.id))).scalar()
        assert conn.execute(text("SELECT nextval(pg_get_serial_sequence('cases', 'id'))")).scalar() == highest + 1
