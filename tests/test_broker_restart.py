"""Stopping the RabbitMQ node in the middle of the flow loses no event and doubles none."""
import subprocess
import time

import pytest
from sqlalchemy import create_engine, func, select

from lianxin.messaging_tables import outbox
from tests.conftest import rabbitmqctl
from tests.test_end_to_end import REPORT
from tests.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.broker_restart]


def stop_broker():
    rabbitmqctl("stop")  # the whole node: every connection drops


def start_broker():
    subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True)
    eventually(_node_running, timeout=90, interval=1)


def _node_running():
    return subprocess.run(["rabbitmqctl", "-q", "await_startup", "--timeout", "5"],
                          capture_output=True).returncode == 0


def unpublished(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            waiting = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return conn.execute(waiting).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_reports_taken_while_the_broker_is_down_are_dispatched_once_it_is_back(office):
    def submit(n):
        with office.client("intake") as intake:
            return [intake.post("/reports", json={**REPORT, "content": f"{REPORT['content']} #{i}"}).json()["report_id"]
                    for i in range(n)]

    def dispatched_report_ids():
        with office.client("dispatch") as dispatch:
            return [c["report_id"] for c in dispatch.get("/cases", params={"limit": 200}).json()["cases"]]

    before = submit(5)
    eventually(lambda: len(dispatched_report_ids()) == 5)

    stop_broker()
    during = submit(5)  # intake keeps taking reports: they wait in its outbox
    assert unpublished(office.database_urls["intake"]) == 5
    start_broker()
    after = submit(5)

    eventually(lambda: len(dispatched_report_ids()) >= 15, timeout=60)
    time.sleep(1.0)  # let any duplicate that was going to arrive arrive
    cases = dispatched_report_ids()
    assert sorted(cases) == sorted(before + during + after)  # every report exactly one case
    assert unpublished(office.database_urls["intake"]) == 0
    assert unpublished(office.database_urls["dispatch"]) == 0
