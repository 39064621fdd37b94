"""Stopping the RabbitMQ node in the middle of the flow loses no event and doubles none."""
import subprocess
import time
from contextlib import contextmanager

import pytest

from lianxin.testing import rabbitmqctl
from tests.support.broker import unpublished
from tests.support.reports import distinct_reports
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.broker_restart]


@contextmanager
def broker_down():
    """The whole RabbitMQ node stopped (every connection drops), and started again whatever happens."""
    rabbitmqctl("stop")
    try:
        yield
    finally:
        subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True)
        eventually(_node_running, timeout=90, interval=1)


def _node_running():
    return subprocess.run(["rabbitmqctl", "-q", "await_startup", "--timeout", "5"],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_reports_taken_while_the_broker_is_down_are_dispatched_once_it_is_back(office):
    reports = iter(distinct_reports(15))

    def submit(n):
        with office.client("intake") as intake:
            return [intake.post("/reports", json=next(reports)).json()["report_id"] for _ in range(n)]

    def dispatched_report_ids():
        with office.client("dispatch") as dispatch:
            return [c["report_id"] for c in dispatch.get("/cases", params={"limit": 200}).json()["cases"]]

    before = submit(5)
    eventually(lambda: len(dispatched_report_ids()) == 5)

    with broker_down():
        during = submit(5)  # intake keeps taking reports: they wait in its outbox, to be sorted
        assert unpublished(office.database_urls["intake"], "report.registered") == 5
    after = submit(5)

    eventually(lambda: len(dispatched_report_ids()) >= 15, timeout=60)
    time.sleep(1.0)  # let any duplicate that was going to arrive arrive
    cases = dispatched_report_ids()
    assert sorted(cases) == sorted(before + during + after)  # every report exactly one case
    assert unpublished(office.database_urls["intake"]) == 0
    assert unpublished(office.database_urls["dispatch"]) == 0
