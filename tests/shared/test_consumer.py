"""The contract consumer on the real broker: retries with backoff, dead letters after the last attempt,
and events that wait for a consumer that has not started yet."""
from datetime import datetime, timezone
from urllib.parse import unquote

import pika
import pytest
from nameko.containers import ServiceContainer

from lianxin.events import CATALOGUE, new_event
from lianxin.messaging import event_consumer, is_transient
from lianxin.testing import Office, broker_vhost, rabbitmqctl
from tests.support.broker import drain, unpublished
from tests.support.reports import distinct_reports
from tests.support.sorting import announced
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ATTEMPTS = []


class FlakyScoring:
    """Stands in for scoring: fails on the first two deliveries of each event, then applies it."""
    name = "scoring"

    @event_consumer("case.accepted", max_attempts=5)
    def on_case_accepted(self, events):
        for event in events:
            ATTEMPTS.append(event.id)
            if event.data["accepted_by"] == "always-fails":
                raise ValueError("this handler cannot apply the event")
            if ATTEMPTS.count(event.id) < 3:
                raise RuntimeError("not yet")


BATCHES, APPLIED = [], []


class BatchedScoring:
    """Stands in for scoring: a batch with a bad event in it fails as a whole, as a transaction would."""
    name = "scoring"

    @event_consumer("case.accepted", max_attempts=2)
    def on_case_accepted(self, events):
        BATCHES.append(len(events))
        if any(event.data["accepted_by"] == "always-fails" for event in events):
            raise ValueError("this handler cannot apply the event")
        APPLIED.extend(event.id for event in events)


@pytest.fixture
def flaky(amqp_uri):
    ATTEMPTS.clear()
    Office(amqp_uri, {}).empty_queues()
    container = ServiceContainer(FlakyScoring, {"AMQP_URI": amqp_uri, "max_workers": 4})
    container.start()
    yield container
    container.stop()


def publish(amqp_uri, event):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("dispatch.events", exchange_type="topic", durable=True)
    channel.basic_publish("dispatch.events", event.type, event.to_json().encode(),
                          pika.BasicProperties(content_type="application/json", delivery_mode=2))
    connection.close()


def accepted(by):
    return new_event("case.accepted", "C00000009", {
        "case_id": "C00000009", "unit": "chengguan", "accepted_by": by, "accepted_at": datetime.now(timezone.utc)})


def test_a_failing_handler_is_retried_until_it_succeeds(flaky, amqp_uri):
    event = accepted("chengguan-handler")
    publish(amqp_uri, event)
    eventually(lambda: ATTEMPTS.count(event.id) == 3, timeout=10)


def test_a_handler_that_keeps_failing_is_dead_lettered_after_its_last_attempt(flaky, amqp_uri):
    event = accepted("always-fails")
    publish(amqp_uri, event)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    [(properties, body)] = drain(connection.channel(), "scoring.dead-letter", 1, timeout=20)
    connection.close()
    assert ATTEMPTS.count(event.id) == 5
    assert properties.headers["x-lianxin-reason"] == "ValueError: this handler cannot apply the event"
    assert properties.headers["x-attempts"] == 5 and body == event.to_json().encode()


def test_events_that_arrive_together_are_applied_in_batches_and_a_bad_one_does_not_hold_back_the_rest(amqp_uri):
    BATCHES.clear(), APPLIED.clear()
    Office(amqp_uri, {}).empty_queues()
    good = [accepted(f"handler-{n}") for n in range(60)]
    bad = accepted("always-fails")
    for event in good[:30] + [bad] + good[30:]:  # waiting in the queue before the consumer starts
        publish(amqp_uri, event)
    container = ServiceContainer(BatchedScoring, {"AMQP_URI": amqp_uri, "max_workers": 4, "PREFETCH_COUNT": 100})
    container.start()
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        [(properties, body)] = drain(connection.channel(), "scoring.dead-letter", 1, timeout=20)
        connection.close()
        eventually(lambda: len(APPLIED) == len(good))
    finally:
        container.stop()
    assert sorted(APPLIED) == sorted(event.id for event in good)  # each applied once, none lost
    assert max(BATCHES) > 1  # they did not go one by one
    assert body == bad.to_json().encode() and properties.headers["x-attempts"] == 2


def test_transient_trouble_is_told_apart_from_bugs():
    from sqlalchemy.exc import OperationalError
    locked = OperationalError("INSERT …", {}, Exception("database is locked"))
    no_column = OperationalError("SELECT …", {}, Exception("no such column: cases.linked_reports"))
    assert is_transient(locked) and is_transient(ConnectionResetError())
    assert not is_transient(no_column) and not is_transient(ValueError()) and not is_transient(FileNotFoundError())


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_reports_wait_for_a_dispatch_that_has_not_started_yet(amqp_uri, database_urls):
    """First day of a deployment: intake takes reports while dispatch is still down."""
    office = Office(amqp_uri, database_urls)
    office.start("intake")
    try:
        with office.client("intake") as intake:
            report_ids = [intake.post("/reports", json=r).json()["report_id"] for r in distinct_reports(3)]
        office.start("dispatch")
        with office.client("dispatch") as dispatch:
            eventually(lambda: sorted(c["report_id"] for c in dispatch.get("/cases").json()["cases"]) == report_ids)
    finally:
        office.stop()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_an_event_whose_queue_was_deleted_waits_in_the_outbox_until_the_queue_is_back(amqp_uri, database_urls):
    """The broker returns a mandatory event no queue can receive; the relay keeps it, reconnects, declares
    the queues again and sends it. (With one of several queues missing the event is routable: such a
    queue is declared again at the relay's next connection.)"""
    office = Office(amqp_uri, database_urls)
    office.start("intake")
    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        channel = connection.channel()
        for consumer in CATALOGUE["report.received"].consumers:
            channel.queue_delete(f"{consumer}.report.received")
        with office.client("intake") as intake:
            intake.post("/reports", json=distinct_reports(1)[0]).raise_for_status()
        eventually(lambda: announced(database_urls["intake"]) == 1, timeout=20)  # sorted after the answer
        eventually(lambda: unpublished(database_urls["intake"], "report.received") == 0, timeout=20)
        waiting = channel.queue_declare("dispatch.report.received", durable=True, passive=True)
        assert waiting.method.message_count == 1  # not confirmed into the void
        connection.close()
    finally:
        office.stop()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_office_runs_on_quorum_queues_as_in_a_cluster(database_urls):
    """LIANXIN_QUEUE_TYPE=quorum: every queue the office declares is replicated (here on a one-node cluster)."""
    with broker_vhost() as amqp_uri:
        office = Office(amqp_uri, database_urls, queue_type="quorum")
        office.start()
        try:
            with office.client("intake") as intake:
                report_ids = [intake.post("/reports", json=r).json()["report_id"] for r in distinct_reports(3)]
            with office.client("dispatch") as dispatch:
                eventually(lambda: sorted(c["report_id"] for c in dispatch.get("/cases").json()["cases"]) == report_ids)
        finally:
            office.stop()
        vhost = unquote(amqp_uri.rsplit("/", 1)[1])
        queues = dict(line.split("\t") for line in rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers",
                                                               "name", "type").splitlines())
    assert "dispatch.report.received" in queues and "scoring.dead-letter" in queues
    # nameko's RPC reply queues stay classic: one per process, read by it alone and gone 5 minutes after it
    # (x-expires); they hold no office state, and a reply lost with its node is a token check said unavailable
    assert {n: t for n, t in queues.items() if t != "quorum" and not n.startswith("rpc.reply-")} == {}, queues
    assert queues["rpc-accounts"] == "quorum"  # every service's token checks wait there


def test_an_event_with_a_nul_character_is_dead_lettered_at_once_not_after_five_attempts(flaky, amqp_uri):
    """No database stores a NUL (PostgreSQL refuses it): the consumer refuses it before the handler."""
    event = accepted("chengguan-\x00handler")
    publish(amqp_uri, event)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    [(properties, body)] = drain(connection.channel(), "scoring.dead-letter", 1, timeout=20)
    connection.close()
    assert "NUL character" in properties.headers["x-lianxin-reason"] and properties.headers["x-attempts"] == 0
    assert body == event.to_json().encode() and ATTEMPTS == []
