"""A batch's frames in one socket write (issue 20): the relay's publishes on the real broker, all confirmed, none
lost or reordered."""
import uuid
from collections import namedtuple

import kombu
import pytest

from lianxin import messaging
from lianxin.events import new_event
from lianxin.messaging import ConfirmedBatch

pytestmark = pytest.mark.integration

Row = namedtuple("Row", "event_id type body")


@pytest.fixture
def broker(amqp_uri):
    """A kombu connection as the relay keeps one, a queue of its own bound to dispatch's case.accepted, and the
    sizes of the socket writes made on the connection."""
    queue_name = f"one-write-{uuid.uuid4().hex[:8]}"
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.channel()
        exchange = kombu.Exchange("dispatch.events", type="topic", durable=True)
        queue = kombu.Queue(queue_name, exchange=exchange, routing_key="case.accepted", auto_delete=False)
        queue(channel).declare()
        transport = connection.connection.transport
        writes, send = [], transport._write
        transport._write = lambda data: (writes.append(len(data)), send(data))[1]
        yield connection, channel, queue_name, writes
        channel.queue_delete(queue_name)


def rows(count):
    events = [new_event("case.accepted", f"C{n:08d}", {"case_id": f"C{n:08d}", "unit": "chengguan",
                                                          "accepted_by": f"handler-{n}",
                                                          "accepted_at": "2026-12-05T08:00:00Z"})
              for n in range(count)]
    return [Row(e.id, e.type, e.to_json()) for e in events]


def test_the_relay_publishes_a_batch_in_one_write_and_the_broker_confirms_all_of_it_in_order(broker):
    connection, channel, queue_name, writes = broker
    batch, sent = ConfirmedBatch(connection, channel, "dispatch.events"), rows(50)
    writes.clear()
    assert batch.publish(sent) == sent  # every one confirmed
    assert len(writes) == 1
    received = [channel.basic_get(queue_name, no_ack=True) for _ in sent]
    assert [m.properties["message_id"] for m in received] == [r.event_id for r in sent]
    assert [m.body for m in received] == [r.body for r in sent]  # py-amqp decodes the UTF-8


def test_a_big_batch_goes_out_in_writes_of_a_bounded_size(broker, monkeypatch):
    connection, channel, queue_name, writes = broker
    monkeypatch.setattr(messaging, "WRITE_AT_MOST", 2000)  # about four events' frames
    batch, sent = ConfirmedBatch(connection, channel, "dispatch.events"), rows(20)
    writes.clear()
    assert batch.publish(sent) == sent
    assert len(writes) > 1 and all(2000 <= size < 2000 + 1000 for size in writes[:-1])  # at most one event more
    assert [channel.basic_get(queue_name, no_ack=True).properties["message_id"] for _ in sent] == \
        [r.event_id for r in sent]

