"""Scoring's list of assessments pages as every list does (issue 15): ``?limit=&after=``, newest first, with
``next_after`` and the same refusals of a bad page, whatever ``period`` it is cut to."""
import pytest
from nameko.testing.services import worker_factory

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from services.scoring import models
from services.scoring.assessment import Scheme
from services.scoring.service import ScoringService
from tests.support.builders import request
from tests.support.county import SAMPLE
from tests.support.paging import every_page, refuses_bad_pages

SCHEME = Scheme(closure=0.4, timeliness=0.3, satisfaction=0.3, per_notice=5, per_accountability=3, cap=30,
                veto=("removal", "party_discipline"), year_end_regular_share=0.6, best_handling_min_cases=5)
LEADER = "li-secretary"


@pytest.fixture
def scoring(tmp_path):
    database = Database.of_service(models, f"sqlite:///{tmp_path / 'scoring.db'}")
    staff = Authenticator(load_credentials(SAMPLE.with_name("staff.yaml")))
    yield worker_factory(ScoringService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                         config={"SCHEME": SCHEME}, auth=staff)
    database.engine.dispose()


def test_assessments_page_newest_first_and_a_period_at_a_time(scoring):
    for period in ("2026-01", "2026-02", "2026-03"):
        scoring.publish_assessment(request({"period": period}, "supervisor-01"))
    scoring.recompute_assessment(request({}, "supervisor-01"), "A000002")  # A000004 supersedes it
    assert every_page(scoring.list_assessments, "assessments", "assessment_id", LEADER) == [
        "A000004", "A000003", "A000002", "A000001"]
    assert every_page(scoring.list_assessments, "assessments", "assessment_id", LEADER, period="2026-02") == [
        "A000004", "A000002"]
    refuses_bad_pages(scoring.list_assessments, LEADER)
