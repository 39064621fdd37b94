"""On the broker and in the outbox, as the tests look at them: a bureau's queue drained, a message delivered
again, a queue's emptiness, the events still waiting in a service's outbox."""
import kombu
from sqlalchemy import create_engine, func, select

from lianxin.messaging_tables import outbox
from tests.support.waiting import eventually


def drain(channel, queue, expected, timeout=20):
    """At least ``expected`` messages taken off ``queue`` (a pika channel's), as (properties, body)."""
    got = []

    def more():
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method:
            got.append((properties, body))
        return len(got) >= expected

    eventually(more, timeout=timeout, interval=0.05)
    return got


def redeliver(amqp_uri, queue, body):
    """The same message again, straight to a consumer's queue, as the broker redelivers it."""
    with kombu.Connection(amqp_uri) as connection:
        connection.Producer().publish(body, exchange="", routing_key=queue, content_type="application/json",
                                      delivery_mode=2)


def queue_is_empty(amqp_uri, queue):
    with kombu.Connection(amqp_uri) as connection:
        return connection.channel().queue_declare(queue=queue, passive=True).message_count == 0


def unpublished(database_url, event_type=None):
    """How many events of a service's outbox (of one type, if given) wait to be published."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            waiting = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            if event_type:
                waiting = waiting.where(outbox.c.type == event_type)
            return conn.execute(waiting).scalar()
    finally:
        engine.dispose()
