"""Migration 0011: the reviews left open on a round their case had already left (a dissatisfied callback's
review "for the record", a sample review of a case since sent back) are set aside, and only they."""
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lianxin.db import make_engine

MIGRATIONS = Path(__file__).parents[2] / "services" / "supervision" / "migrations"
CASES = [("C00000006", 1, "closed"), ("C00000007", 0, "closed"), ("C00000008", 0, "awaiting_callback")]
REVIEWS = [  # (case, trigger, round, outcome)
    ("C00000006", "dissatisfied", 0, None),  # RV000001: the reviewer's RV000003 — left behind
    ("C00000006", "sample", 0, "upheld"),  # concluded: stays as it was
    ("C00000007", "requested", 0, None),  # asked for after closure: can still send the case back
    ("C00000008", "sample", 0, None),  # holds up the closing of its case
]


def alembic(url: str, revision: str, direction=command.upgrade) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        direction(config, revision)
    engine.dispose()


def run(url: str, sql: str, rows=None):
    engine = make_engine(url)
    with engine.begin() as connection:
        found = connection.execute(sa.text(sql), rows or {})
        answer = found.all() if found.returns_rows else None
    engine.dispose()
    return answer


def test_only_the_open_reviews_of_a_round_left_behind_are_set_aside_and_back_on_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    alembic(url, "0010")
    for case_id, round_, state in CASES:
        run(url, "INSERT INTO supervised_cases (case_id, report_id, unit, state, deadline, reopen_count, "
                 "callback_attempts) VALUES (:c, 'R1', 'chengguan', :s, '2026-12-01 00:00:00', :r, 0)",
            {"c": case_id, "s": state, "r": round_})
    for case_id, trigger, round_, outcome in REVIEWS:
        run(url, "INSERT INTO reviews (case_id, level, trigger, reason, round, opened_at, due_at, outcome, findings)"
                 " VALUES (:c, 1, :t, '', :r, '2026-11-20 00:00:00', '2026-12-20 00:00:00', :o, '')",
            {"c": case_id, "t": trigger, "r": round_, "o": outcome})
    alembic(url, "head")
    after = run(url, "SELECT outcome, concluded_by FROM reviews ORDER BY id")
    assert after == [("superseded", "system"), ("upheld", None), (None, None), (None, None)]
    alembic(url, "0010", command.downgrade)
    assert [o for (o,) in run(url, "SELECT outcome FROM reviews ORDER BY id")] == ["upheld" if o else None
                                                                                 for *_, o in REVIEWS]
