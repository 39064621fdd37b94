"""Supervision follows a batch of case events as one (issue 20): its cases read in one query, what the batch
changes written at its commit, not a look-up and a flush per event; the same case twice in a batch is one."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from lianxin.db import Database
from lianxin.events import new_event
from lianxin.testing import service_databases
from services.supervision import models
from services.supervision.models import SupervisedCase
from tests.support.case_events import dispatched, reported
from tests.support.supervision import supervision_database, supervision_worker


@pytest.fixture
def database(request, tmp_path):
    """SQLite, or PostgreSQL where a test asks for both (the batch's cases are locked there: FOR UPDATE)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        db = supervision_database(tmp_path)
        yield db
        db.engine.dispose()
        return
    with service_databases("postgresql", tmp_path, services=("supervision",)) as urls:
        db = Database.of_service(models, urls["supervision"])
        yield db
        db.engine.dispose()


@pytest.fixture
def supervision(database):
    return supervision_worker(database)


def case_events(kind, count: int, first: int = 1) -> list:
    """``count`` cases' events of one kind, as dispatched() or reported() make them for C00000001."""
    made = []
    for n in range(first, first + count):
        data = {**kind().data, "case_id": f"C{n:08d}", "report_id": f"R{n:08d}"}
        made.append(new_event(kind().type, data["case_id"], data))
    return made


@contextmanager
def statements(database):
    """The SQL statements sent to the database meanwhile (each executemany counts once)."""
    sent = []

    def count(conn, cursor, statement, *args):
        sent.append(statement)
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def on_cases(sent: list[str]) -> list[str]:
    return [s.split()[0] for s in sent if "supervised_cases" in s]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_a_batch_of_dispatched_cases_is_read_once_and_written_at_its_commit(supervision, database):
    with statements(database) as two:
        supervision.on_case_dispatched(case_events(dispatched, 2))
    with statements(database) as twenty:
        supervision.on_case_dispatched(case_events(dispatched, 20, first=3))
    assert on_cases(twenty) == on_cases(two) == ["SELECT", "INSERT"]  # not a SELECT and a flush per case
    assert len(twenty) == len(two)  # the inbox's too: as many statements whatever the batch's size
    with statements(database) as reports:
        supervision.on_case_reported(case_events(reported, 22))
    assert on_cases(reports) == ["SELECT", "UPDATE"]
    with database.unit_of_work() as uow:
        states = uow.session.scalars(select(SupervisedCase.state)).all()
    assert states == ["awaiting_callback"] * 22


def test_a_case_named_twice_in_a_batch_is_one_case_with_the_later_news(supervision, database):
    sent_again = {**dispatched(redispatch=True).data, "unit": "baiyang", "township": "baiyang"}
    supervision.on_case_dispatched([dispatched(), new_event("case.dispatched", "C00000001", sent_again)])
    with database.unit_of_work() as uow:
        [case] = uow.session.scalars(select(SupervisedCase)).all()
    assert case.unit == "baiyang"
