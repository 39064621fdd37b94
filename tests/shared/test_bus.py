"""What other bureaus see on the bus, and what happens to events that break the contract."""
import json
import uuid
from datetime import datetime, timezone

import pika
import pytest

from lianxin.events import new_event, parse_event
from tests.support.broker import drain
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]


@pytest.fixture
def channel(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    yield connection.channel()
    connection.close()


def bureau_queue(channel, exchange, binding):
    """A subscriber of another bureau: its own queue bound to a public exchange."""
    queue = channel.queue_declare(queue=f"bureau-{uuid.uuid4().hex[:6]}", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key=binding)
    return queue




def test_a_bureau_receives_cloudevents_without_personal_data(office, channel):
    queue = bureau_queue(channel, "intake.events", "report.*")
    cases = bureau_queue(channel, "dispatch.events", "case.dispatched")
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    reported = drain(channel, queue, 2)  # report.registered (intake's own step, before sorting), report.received
    [(properties, body)] = [(p, b) for p, b in reported if parse_event(b).type == "report.received"]
    [(_, case_body)] = drain(channel, cases, 1)
    for raw in (*(b for _, b in reported), case_body):
        event = parse_event(raw)  # the contract holds for an outside subscriber too
        assert event.specversion == "1.0" and event.datacontenttype == "application/json"
        for personal in ("王大山", "13812341234", "110101196001011234", "1234"):
            assert personal not in raw.decode(), f"{personal} leaked into {event.type}"
    received = parse_event(body)
    assert received.type == "report.received" and received.subject == report["report_id"]
    assert received.data["reporter_id"] == report["reporter_id"]
    assert properties.message_id == received.id and properties.delivery_mode == 2


POISON = [
    (b"{not json", "application/json", "undecodable body"),
    (b"plain words", "text/plain", "undecodable body"),
    (json.dumps({"specversion": "1.0", "id": "x"}).encode(), "application/json", "not a valid CloudEvent"),
    (json.dumps({**json.loads(new_event("case.accepted", "C1", {
        "case_id": "C1", "unit": "chengguan", "accepted_by": "x", "accepted_at": datetime.now(timezone.utc)}
    ).to_json()), "source": "/lianxin/intake", "type": "report.received"}).encode(), "application/json",
     "report.received"),
]


def test_events_that_break_the_contract_are_dead_lettered_with_the_reason(office, channel):
    leaked = json.loads(new_event("report.received", "R1", {
        "report_id": "R1", "channel": "web", "category": "other", "content": "x", "received_at": "2026-11-01T00:00:00Z",
        "received_by": {"role": "citizen", "code": "web"}}).to_json())
    leaked["data"]["phone"] = "13812341234"
    poison = POISON + [(json.dumps(leaked).encode(), "application/json", "personal data must not leave intake")]
    for body, content_type, _ in poison:
        channel.basic_publish("intake.events", "report.received", body,
                              pika.BasicProperties(content_type=content_type, delivery_mode=2))

    parked = drain(channel, "dispatch.dead-letter", len(poison))
    reasons = sorted(p.headers["x-lianxin-reason"] for p, _ in parked)
    for (_, _, expected) in poison:
        assert any(expected in reason for reason in reasons), (expected, reasons)
    assert {p.headers["x-original-routing-key"] for p, _ in parked} == {"report.received"}
    assert {body for _, body in parked} == {body for body, _, _ in poison}  # kept as received

    # the consumer survived all of it
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    assert eventually(lambda: case_of(office, report["report_id"]))


def test_a_redelivered_event_is_applied_once(office, channel):
    event = new_event("report.received", "R99999999", {
        "report_id": "R99999999", "channel": "web", "category": "drinking-water", "township": "chengguan",
        "content": "自来水停了三天", "received_at": datetime.now(timezone.utc),
        "received_by": {"role": "citizen", "code": "web"}})
    duplicates_before = consumed("duplicate")
    for _ in range(3):
        channel.basic_publish("intake.events", "report.received", event.to_json().encode(),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2))
    eventually(lambda: consumed("duplicate") - duplicates_before == 2)
    with office.client("dispatch") as dispatch:
        cases = dispatch.get("/cases", params={"report_id": "R99999999"}).json()["cases"]
    assert len(cases) == 1


def consumed(outcome):
    from prometheus_client import REGISTRY
    value = REGISTRY.get_sample_value("lianxin_events_consumed_total", {
        "service": "dispatch", "type": "report.received", "outcome": outcome})
    return value or 0
