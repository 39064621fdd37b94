"""Assessments published when outcomes' reasons were English prose: migration 0004 reads them back into codes
and numbers, so they too are said in the reader's language; downgrading writes the same English back."""
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database, make_engine
from lianxin.directory import load_directory
from services.scoring import models
from services.scoring.assessment import Scheme
from services.scoring.service import ScoringService
from tests.support.county import CREDENTIALS, SAMPLE

COUNTY = load_directory(SAMPLE)
MIGRATIONS = Path(models.__file__).with_name("migrations")
# as services/scoring/outcomes.py wrote them before (the units are the sample county's)
WRITTEN = [
    {"unit": "qingshui", "outcome": "loses_award_eligibility", "report_to_superior": False,
     "reason": "2 notices of criticism: among the township with the most notices this year"},
    {"unit": "eco-env", "outcome": "loses_award_eligibility", "report_to_superior": True,
     "reason": "1 notices of criticism: among the 3 county departments with the most notices this year; "
               "vertically managed: reported to its superior"},
    {"unit": "xincheng", "outcome": "one_vote_veto",
     "reason": "accountability (party_discipline, removal) vetoes the unit: it cannot be rated well this year"},
    {"unit": "baiyang", "outcome": "director_and_leader_admonished",
     "reason": "scored 52.00 (under 60) and ranked 13 of 14, among the last: its office director and the leader "
               "in charge are criticised and put under a one-year admonition"},
    {"unit": "chengguan", "outcome": "advanced_township", "reason": "first-ranked township (95.20)"},
    {"unit": "chengguan", "outcome": "advanced_individual", "person": "刘建国",
     "reason": "刘建国 signed 7 cases closed to the petitioner's satisfaction"},
    {"unit": "chengguan", "outcome": "best_handling", "reason": "written by hand, in no known form"},
]


def alembic(url: str, revision: str, direction=command.upgrade) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        direction(config, revision)
    engine.dispose()


def stored(url: str) -> list[dict]:
    engine = make_engine(url)
    with engine.connect() as connection:
        [outcomes] = connection.execute(sa.text("SELECT outcomes FROM assessments")).scalars()
    engine.dispose()
    return outcomes if isinstance(outcomes, list) else json.loads(outcomes)  # SQLite answers the JSON as text


def test_english_prose_becomes_codes_said_in_either_language_and_goes_back_on_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'scoring.db'}"
    alembic(url, "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(models.Assessment.__table__.insert().values(
            period="2025", kind="year_end", published_at=datetime(2026, 1, 5, tzinfo=timezone.utc), scores=[],
            without_cases=[], outcomes=WRITTEN, explanation=[]))
    engine.dispose()
    alembic(url, "head")

    kept = stored(url)
    assert [o.get("reason_code") for o in kept] == [
        "most_noticed_township", "most_noticed_vertical", "vetoed", "under_pass_mark_and_last", "first_township",
        "most_satisfied_closures", None]
    assert kept[3]["reason_values"] == {"score": 52.0, "pass_mark": 60, "rank": 13, "of": 14}
    assert kept[2]["reason_values"] == {"measures": ["party_discipline", "removal"]}
    assert all("reason" not in o for o in kept[:-1]) and kept[-1] == WRITTEN[-1]  # unknown prose stays

    scoring = worker_factory(ScoringService, uow=Database.of_service(models, url).unit_of_work(), directory=COUNTY,
                             config={"SCHEME": Scheme()}, auth=Authenticator(load_credentials(CREDENTIALS)))
    chinese = [o["reason"] for o in scoring.year_outcomes(_get(), "2025")["outcomes"]]
    english = [o["reason"] for o in scoring.year_outcomes(_get("en"), "2025")["outcomes"]]
    assert chinese[3] == ("得分 52.00（不足 60 分），在 14 个单位中排名第 13，居末位："
                          "对其办公室主任和分管领导进行批评并诫勉一年")
    assert chinese[2] == "责任追究（党纪处分；免职）一票否决：本年度不得评先评优"
    assert english[4] == "first-ranked township (95.20)"

    alembic(url, "0003", command.downgrade)
    assert stored(url) == WRITTEN


def _get(lang=None):
    headers = {"Authorization": "Bearer dev-supervisor-01", **({"Accept-Language": lang} if lang else {})}
    return EnvironBuilder(method="GET", headers=headers).get_request()
