"""Every list of supervision pages one way (issue 15): ``?limit=&after=``, the rows and ``next_after``, the
same refusals of a bad page; each in its own order, the watch list the most urgent follow-up first."""
from datetime import timedelta

import pytest

from lianxin.db import Database, utcnow
from lianxin.testing import service_databases
from services.supervision import models
from tests.support.case_events import PETITIONER, dispatched
from tests.support.paging import every_page, refuses_bad_pages
from tests.support.supervision import office_request, supervision_database, supervision_worker

SUPERVISOR = "supervisor-01"


@pytest.fixture
def database(request, tmp_path):
    """Supervision's database: SQLite, or PostgreSQL where a test asks for both (a list read first by a column
    of its own compares rows, which each dialect writes its own way)."""
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


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
def test_the_watch_list_pages_the_most_urgent_follow_up_first(supervision):
    for days in (9, 3, 6, 3):  # entries W000001..W000004; two fall due the same day: the number decides
        supervision.add_to_watch_list(office_request({
            "reporter_id": PETITIONER, "lead_leader": "he-deputy-social", "help_team": ["民政局 王"],
            "reason": "反映低保问题十余年", "follow_up_days": days}))
    assert every_page(supervision.list_watch_list, "watch_list", "entry_id", SUPERVISOR) == [
        "W000002", "W000004", "W000003", "W000001"]
    refuses_bad_pages(supervision.list_watch_list, SUPERVISOR)


def test_notices_and_accountability_page_newest_first(supervision):
    for case_id in ("C00000001", "C00000002", "C00000003"):
        supervision.issue_notice(office_request({"unit": "qingshui", "kind": "rule_breaking",
                                                 "reason": "未按规定时限反馈办理情况", "evidence": [case_id]}))
        supervision.hold_to_account(office_request({"person": "李某", "unit": "qingshui", "measure": "admonition",
                                                    "case_id": case_id, "reason": "对群众反映的问题推诿拖延"}))
    assert every_page(supervision.list_notices, "notices", "notice_id", SUPERVISOR, unit="qingshui") == [
        "N000003", "N000002", "N000001"]
    assert every_page(supervision.list_accountability, "accountability", "record_id", SUPERVISOR) == [
        "AC000003", "AC000002", "AC000001"]
    for read in (supervision.list_notices, supervision.list_accountability):
        refuses_bad_pages(read, SUPERVISOR)


def test_reviews_and_a_petitioners_cases_page_in_their_order(supervision, database):
    supervision.on_case_dispatched([dispatched()])
    opened = utcnow()
    with database.unit_of_work() as uow:
        uow.session.add_all(models.Review(case_id="C00000001", level=1, trigger="sample", reason="抽查", round=0,
                                          opened_at=opened + timedelta(minutes=n), findings="",
                                          due_at=opened + timedelta(days=30, minutes=n)) for n in range(3))
        uow.commit()
    assert every_page(supervision.list_reviews, "reviews", "review_id", SUPERVISOR, open="true") == [
        "RV000001", "RV000002", "RV000003"]
    refuses_bad_pages(supervision.list_reviews, SUPERVISOR)

    history = every_page(lambda request: supervision.petitioner_history(request, PETITIONER), "cases", "case_id",
                         SUPERVISOR)
    assert history == ["C00000001"]
    refuses_bad_pages(lambda request: supervision.petitioner_history(request, PETITIONER), SUPERVISOR,
                      bad_after=None)  # a case id is compared as text: any text is a place to start after
