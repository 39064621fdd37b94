"""Reliable messaging on RabbitMQ, shared by all four services.

* ``OutboxRelay`` publishes what units of work wrote to the outbox, with
  publisher confirms, then marks it published. If the broker is gone the rows
  simply wait; the relay reconnects and carries on. It declares the queue of
  every Lianxin consumer of what it publishes, and publishes those events as
  mandatory, so an event is never confirmed into the void because its
  consumer has not started yet.
* ``event_consumer`` is nameko's event handler speaking the Lianxin contract:
  the body is validated as a CloudEvent of the expected type, the handler runs,
  and the message is acked only after the handler returned (its unit of work
  committed). Failures are retried with backoff; what still fails, and what is
  not a valid event, goes to the service's dead-letter queue with the reason.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial

import eventlet
from amqp.exceptions import AMQPError, MessageNacked
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError as KombuOperationalError
from kombu.pools import producers
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider, SharedExtension
from nameko.messaging import Consumer, QueueConsumer
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from lianxin.db import AlreadyApplied, Database, database_unavailable, utcnow
from lianxin.events import CATALOGUE, CloudEvent, InvalidEvent, parse_event
from lianxin.logs import REQUEST_ID_KEY, following
from lianxin.messaging_tables import outbox
from lianxin.metrics import METRICS

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "lianxin.dead-letter"
DEAD_LETTER_ID = "x-lianxin-dead-letter-id"
CONFIRMED_TRANSPORT = {"confirm_publish": True}
CONFIRM_TIMEOUT = 10.0  # seconds; a broker in a memory or disk alarm must not hang the relay forever
MAX_EVENT_BYTES = 1024 * 1024  # config MAX_EVENT_BYTES overrides it
DEFAULT_BATCH_SIZE = 100  # events a consumer applies in one transaction at most
RELAY_LINGER = 0.005  # seconds the relay waits after a commit for the next ones, to publish them together
TRANSIENT_PATIENCE = 30 * 60.0  # seconds of retrying database or broker trouble before dead-lettering
WRITE_AT_MOST = 256 * 1024  # bytes of frames held for one socket write; more goes out at once


class RetryLater(Exception):
    """Raised by a handler when the event cannot be applied yet (something it needs has not
    arrived): retried with backoff like database trouble."""


class Unroutable(Exception):
    """The broker returned a mandatory event: no queue of its consumers exists."""


# what the relay waits out: the broker or the database going away, or refusing a message
RELAY_TROUBLE = (OSError, KombuOperationalError, AMQPError, MessageNacked, DBAPIError, Unroutable)


def subscriber_queue(consumer: str, event_type: str, queue_type: str = "classic") -> Queue:
    """The durable queue through which a Lianxin service receives one event type.

    Named after the service and the type (not the handler method), so the
    publisher can declare it before the consumer ever starts.
    """
    exchange = get_event_exchange(CATALOGUE[event_type].publisher, {})
    return Queue(f"{consumer}.{event_type}", exchange=exchange, routing_key=event_type, durable=True,
                 queue_arguments=queue_arguments(queue_type))


def dead_letter_queue(service: str, queue_type: str = "classic") -> Queue:
    """Every service has one durable dead-letter queue, bound by its name."""
    exchange = Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)
    return Queue(f"{service}.dead-letter", exchange=exchange, routing_key=service, durable=True,
                 queue_arguments=queue_arguments(queue_type))


def queue_arguments(queue_type: str) -> dict:
    """Quorum queues are replicated over a RabbitMQ cluster's nodes (``LIANXIN_QUEUE_TYPE``); classic
    queues are declared without the argument, as they always were, so existing queues still match."""
    return {"x-queue-type": "quorum"} if queue_type == "quorum" else {}


def backoff(attempt: int, base: float = 0.2, cap: float = 30.0) -> float:
    return min(cap, base * 2 ** (attempt - 1))


@contextmanager
def one_write(connection):
    """The frames written on an AMQP connection (py-amqp's) inside the block go to its socket in one write at
    its end: a batch's publishes cost one system call and one wake-up of the broker, not one each (43-66 -> 33-37
    µs of the relay's CPU an event, 88-138 -> 60-88 of the broker's: ``components.py --only writes``). Order and
    content are unchanged; a write that fails raises at the end of the block, as the first of the single writes
    would have.

    Only for a connection one green thread writes on, as the relay's own: py-amqp serialises its writers with a
    lock this block does not hold, so another writer (on a consumer's connection: the acks of several workers,
    heartbeats) could write between the held frames or while they go out. py-amqp has no public way to hold
    frames back: its transport writes each through ``_write`` (the socket's ``sendall``), so the block stands in
    for it. A transport without one is written to as before."""
    transport = getattr(connection, "transport", None)
    send = getattr(transport, "_write", None)
    if send is None:
        yield
        return
    held = bytearray()

    def write_held():
        data = bytes(held)
        held.clear()
        transport._write = send
        if data:
            transport.write(data)  # through py-amqp's own error handling (a dead socket marks it closed)

    def hold(frames):
        held.extend(frames)  # a copy: py-amqp hands a view of a buffer it reuses for the next frame
        if len(held) >= WRITE_AT_MOST:
            write_held()
            transport._write = hold

    transport._write = hold
    try:
        yield
    finally:
        write_held()


# --- publishing -------------------------------------------------------------

class OutboxRelay(DependencyProvider):
    """Publishes the service's outbox in order, in batches, with confirms."""

    def __init__(self, database: Database, batch_size: int = 200, poll_interval: float = 1.0):
        self.database = database
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self._running = False
        self._gt = None
        super().__init__()

    def start(self):
        self.service = self.container.service_name
        self.exchange = get_event_exchange(self.service, self.container.config)
        self.queue_type = self.container.config.get("QUEUE_TYPE", "classic")
        self._running = True
        self._gt = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self.database.outbox_has_news()
        if self._gt is not None:
            self._gt.wait()

    def kill(self):
        self._running = False
        if self._gt is not None:
            self._gt.kill()

    def _run(self):
        failures = 0
        while self._running:
            try:
                with Connection(self.container.config["AMQP_URI"]) as conn:
                    channel = conn.channel()
                    self._declare_topology(channel)
                    batch = ConfirmedBatch(conn, channel, self.exchange.name)
                    if failures:
                        log.info("outbox relay reconnected to the broker")
                    failures = 0
                    self._relay_until_stopped(batch)
            except RELAY_TROUBLE as exc:
                failures += 1
                delay = backoff(failures, base=0.5, cap=10)
                log.warning("outbox relay: %r; events wait in the outbox, retrying in %.1fs", exc, delay)
                self._pause(delay)

    def _declare_topology(self, channel):
        self.exchange(channel).declare()
        for name, entry in CATALOGUE.items():
            if entry.publisher == self.service:
                for consumer in entry.consumers:
                    subscriber_queue(consumer, name, self.queue_type)(channel).declare()

    def _relay_until_stopped(self, batch):
        while self._running:
            news = self.database.watch_outbox()  # before reading, so no commit goes unnoticed
            if self.publish_batch(batch) < self.batch_size:
                with eventlet.Timeout(self.poll_interval, False):
                    news.wait()
                    eventlet.sleep(RELAY_LINGER)  # commits close behind this one join its batch

    def _pause(self, seconds: float):
        """Sleep, but wake at once when the service stops."""
        with eventlet.Timeout(seconds, False):
            while self._running:
                self.database.watch_outbox().wait()

    def publish_batch(self, batch: "ConfirmedBatch") -> int:
        """Publish one batch of unpublished rows, oldest first; returns how many."""
        engine = self.database.engine
        published = []
        if engine.dialect.name == "sqlite":
            # one relay per SQLite file; the write lock is held only to mark rows
            with self.database.turn(), engine.connect() as conn:
                rows = conn.execute(_unpublished(self.batch_size)).all()
            if not rows:
                return 0
            try:
                self._publish(batch, rows, published)
            finally:
                with self.database.turn(), engine.begin() as conn:
                    _mark_published(conn, published)
        else:
            # replicas share the outbox: each locks its batch until it is published and marked
            with engine.begin() as conn:
                rows = conn.execute(_unpublished(self.batch_size).with_for_update(skip_locked=True)).all()
                try:
                    self._publish(batch, rows, published)
                finally:
                    _mark_published(conn, published)
        return len(published)

    def _publish(self, batch: "ConfirmedBatch", rows, published: list) -> None:
        """Publish rows in order, appending the confirmed ones (up to the first refused) to ``published``."""
        confirmed = batch.publish(rows)
        published.extend(confirmed)
        for row in confirmed:
            METRICS.events_published.labels(self.service, row.type).inc()
        if len(confirmed) < len(rows):
            refused = rows[len(confirmed)]
            raise Unroutable(f"{refused.type} {refused.event_id}: refused or returned by the broker "
                             f"(queues of {CATALOGUE[refused.type].consumers} missing?)")

    def get_dependency(self, worker_ctx):
        return None


class ConfirmedBatch:
    """Publishes a batch on a channel in confirm mode and waits once for the broker to confirm all of it.

    Waiting for each message's confirm before the next caps a publisher at a few hundred messages a
    second; pipelining the batch keeps the same guarantee (nothing counts as published before the
    broker confirmed it) at the broker's pace.
    """

    def __init__(self, connection, channel, exchange: str, route=lambda row: row.type):
        self.connection, self.channel, self.exchange, self.route = connection, channel, exchange, route
        self.outstanding: dict[int, str] = {}  # delivery tag -> event id
        self.refused: set[str] = set()  # event ids nacked or returned
        self.sent = 0
        channel.confirm_select()
        channel.events["basic_ack"].add(self._ack)
        channel.events["basic_nack"].add(self._nack)
        channel.events["basic_return"].add(self._returned)

    def publish(self, rows) -> list:
        """Publish rows in order; returns the prefix of them the broker confirmed."""
        if not rows:
            return []
        with one_write(self.channel.connection):  # the batch's frames in one socket write
            for row in rows:
                self.sent += 1
                self.outstanding[self.sent] = row.event_id
                message = self.channel.prepare_message(
                    row.body.encode("utf-8"), content_type="application/json", content_encoding="utf-8",
                    properties={"delivery_mode": 2, "message_id": row.event_id, "type": row.type})
                self.channel.basic_publish(message, exchange=self.exchange, routing_key=self.route(row),
                                           mandatory=bool(CATALOGUE[row.type].consumers))
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while self.outstanding:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the broker confirmed {len(rows) - len(self.outstanding)} of {len(rows)} "
                                   f"events within {CONFIRM_TIMEOUT:.0f}s")
            self.connection.drain_events(timeout=remaining)
        confirmed = []
        for row in rows:
            if row.event_id in self.refused:
                break  # keep the order: this one and those after it are published again later
            confirmed.append(row)
        self.refused.clear()
        return confirmed

    def _settle(self, tag: int, multiple: bool) -> list[str]:
        tags = [t for t in self.outstanding if t <= tag] if multiple else [tag]
        return [self.outstanding.pop(t) for t in tags if t in self.outstanding]

    def _ack(self, tag, multiple):
        self._settle(tag, multiple)

    def _nack(self, tag, multiple):
        self.refused.update(self._settle(tag, multiple))

    def _returned(self, exception, exchange, routing_key, message):
        # a return comes before the confirm of the same message
        self.refused.add(message.properties.get("message_id"))


def _unpublished(limit: int):
    return (select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.body)
            .where(outbox.c.published_at.is_(None)).order_by(outbox.c.id).limit(limit))


def _mark_published(conn, rows) -> None:
    """Mark rows published (what still waits is counted when /metrics is scraped)."""
    if rows:
        conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=utcnow()))


# --- consuming --------------------------------------------------------------

class DeadLetters(SharedExtension):
    """Parks messages that cannot be applied, with the reason in the headers."""

    def setup(self):
        self.service = self.container.service_name
        self.queue = dead_letter_queue(self.service, self.container.config.get("QUEUE_TYPE", "classic"))
        self.connection = Connection(self.container.config["AMQP_URI"], transport_options=CONFIRMED_TRANSPORT)
        with self.connection.clone() as conn:
            self.queue(conn.channel()).declare()

    def stop(self):
        self.connection.release()

    def park(self, message, reason: str, attempts: int = 0) -> None:
        """Publish the message, unchanged, to the dead-letter queue; raises if the broker refuses."""
        info = message.delivery_info or {}
        headers = {
            DEAD_LETTER_ID: uuid.uuid4().hex[:16],  # how `lianxin dead-letters` names it
            "x-lianxin-reason": reason[:1000],
            "x-lianxin-service": self.service,
            "x-original-exchange": info.get("exchange", ""),
            "x-original-routing-key": info.get("routing_key", ""),
            "x-attempts": attempts,
            "x-dead-lettered-at": datetime.now(timezone.utc).isoformat(),
        }
        with producers[self.connection].acquire(block=True, timeout=10) as producer:
            producer.publish(
                message.body, exchange=self.queue.exchange, routing_key=self.service, headers=headers,
                content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary", delivery_mode=2,
                retry=True, retry_policy={"max_retries": 3}, confirm_timeout=CONFIRM_TIMEOUT,
            )
        log.error("dead-lettered %s: %s", info.get("routing_key"), reason)


class ContractQueueConsumer(QueueConsumer):
    """nameko's queue consumer with a configurable prefetch, and undecodable
    bodies handed to the entrypoint instead of breaking the consume loop."""

    @property
    def prefetch_count(self):
        return self.container.config.get("PREFETCH_COUNT", self.container.max_workers)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = provider.handle_undecodable
        return consumers


@dataclass
class Delivery:
    """A message taken off the queue and the event in it, with its attempts so far."""
    event: CloudEvent
    message: object
    attempt: int = 1
    first_failure: float | None = None


class EventConsumer(EventHandler):
    """Consume one catalogued event type: ``@event_consumer("report.received")``.

    The handler receives a batch, ``handler(self, events)``: whatever arrived while the previous
    batch was being applied (at most ``batch_size``, by default the service's ``BATCH_SIZE``), so
    one transaction and one commit serve many events when they come fast, and a lone event is
    applied at once. One batch runs at a time per queue, so events of one type are applied in the
    order they arrived. A batch that fails is split and each event tried alone, so one bad event
    never holds back the others (those then go in any order: case events carry their ``round``); a
    lone event that fails is retried with backoff and finally dead-lettered.
    """

    queue_consumer = ContractQueueConsumer()
    dead_letters = DeadLetters()

    def __init__(self, event_type: str, max_attempts: int = 5, batch_size: int | None = None, **kwargs):
        source = CATALOGUE[event_type].publisher  # KeyError here is a typo in the service
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self._waiting: list[Delivery] = []
        self._batch_running = False
        kwargs.setdefault("expected_exceptions", (AlreadyApplied,))
        super().__init__(source, event_type, **kwargs)

    def setup(self):
        service = self.container.service_name
        if service not in CATALOGUE[self.event_type].consumers:
            raise ValueError(f"{service} consumes {self.event_type} but the event catalogue does not list it "
                             f"among its consumers; add it there so publishers declare its queue")
        self.queue = subscriber_queue(service, self.event_type, self.container.config.get("QUEUE_TYPE", "classic"))
        self.batch_size = self.batch_size or self.container.config.get("BATCH_SIZE", DEFAULT_BATCH_SIZE)
        Consumer.setup(self)  # nameko's EventHandler.setup would name the queue after the method

    def handle_message(self, body, message):
        if reason := self._oversize(message) or _mislabelled(message) or _with_nul(message):
            self._dead_letter(message, reason, attempts=0)
            return
        try:  # kombu decoded the JSON; anything but an object is judged from the raw body (no second decoding)
            event = parse_event(body if isinstance(body, dict) else message.body, expected_type=self.event_type)
        except InvalidEvent as exc:
            self._dead_letter(message, str(exc), attempts=0)
            return
        self._waiting.append(Delivery(event, message))
        self._next_batch()

    def handle_undecodable(self, message, exc):
        self._dead_letter(message, self._oversize(message) or f"undecodable body: {exc}", attempts=0)

    def _oversize(self, message) -> str | None:
        limit, size = self.container.config.get("MAX_EVENT_BYTES", MAX_EVENT_BYTES), len(message.body or b"")
        return f"event of {size} bytes is larger than the {limit} allowed" if size > limit else None

    def _next_batch(self):
        if self._batch_running or not self._waiting:
            return
        batch, self._waiting = self._waiting[:self.batch_size], self._waiting[self.batch_size:]
        self._batch_running = True
        self._spawn(batch, self._batch_applied)

    def _spawn(self, deliveries: list[Delivery], on_result):
        # a lone event's worker follows its request; in a batch, the unit of work follows each event's
        caused_by = {REQUEST_ID_KEY: deliveries[0].event.requestid} if len(deliveries) == 1 else {}
        try:
            self.container.spawn_worker(
                self, ([d.event for d in deliveries],), {},
                context_data={**self.unpack_message_headers(deliveries[0].message), **caused_by},
                handle_result=partial(on_result, deliveries))
        except ContainerBeingKilled:
            self._batch_running = False
            for delivery in deliveries:
                self._let_go(delivery.message, ack=False)

    def _batch_applied(self, batch, worker_ctx, result=None, exc_info=None):
        self._batch_running = False
        if exc_info is None:
            for delivery in batch:
                self._applied(delivery)
        elif len(batch) == 1:
            self._settle_alone(batch, worker_ctx, result, exc_info)
        else:
            log.info("a batch of %d %s events failed (%r); applying each alone", len(batch), self.event_type,
                     exc_info[1])
            for delivery in batch:
                self._spawn([delivery], self._settle_alone)
        self._next_batch()
        return result, exc_info

    def _applied(self, delivery: Delivery, duplicate: bool = False):
        self._let_go(delivery.message, ack=True)
        service, event = self.container.service_name, delivery.event
        if log.isEnabledFor(logging.INFO):  # every event passes here: no context for a line not written
            with following(event.requestid, event.id):
                log.info("%s %s %s", event.type, event.subject, "already applied" if duplicate else "applied")
        METRICS.events_consumed.labels(service, event.type, "duplicate" if duplicate else "applied").inc()
        if not duplicate:
            METRICS.event_lag.labels(service, event.type).observe(_age(event))

    def _settle_alone(self, deliveries, worker_ctx, result=None, exc_info=None):
        """One event applied on its own: acked, retried later, or dead-lettered."""
        (delivery,) = deliveries
        error = exc_info[1] if exc_info else None
        if error is None or isinstance(error, AlreadyApplied):
            self._applied(delivery, duplicate=error is not None)
            return result, exc_info
        event, attempt = delivery.event, delivery.attempt
        delivery.first_failure = delivery.first_failure or time.monotonic()
        if self._worth_retrying(error, attempt, delivery.first_failure):
            delay = backoff(attempt)
            log.warning("%s %s failed (attempt %d): %r; retrying in %.1fs", event.type, event.id, attempt, error, delay)
            METRICS.events_consumed.labels(self.container.service_name, event.type, "retried").inc()
            delivery.attempt += 1
            self.container.spawn_managed_thread(partial(self._retry_later, delay, delivery))
            return result, exc_info
        self._dead_letter(delivery.message, f"{type(error).__name__}: {error}", attempts=attempt)
        return result, exc_info

    def _worth_retrying(self, error, attempt, first_failure) -> bool:
        if is_transient(error):
            return time.monotonic() - first_failure < TRANSIENT_PATIENCE
        return attempt < self.max_attempts

    def _retry_later(self, delay, delivery: Delivery):
        eventlet.sleep(delay)
        message = delivery.message
        if message.channel is None or not message.channel.connection:
            return  # the broker took the message back and will redeliver it
        self._spawn([delivery], self._settle_alone)

    def _let_go(self, message, ack: bool) -> None:
        """Ack (or requeue) the message; if its connection has just died, the broker takes the message
        back and delivers it again, and the inbox skips it: never let that kill the service."""
        try:
            if ack:
                self.queue_consumer.ack_message(message)
            else:
                self.queue_consumer.requeue_message(message)
        except (OSError, AMQPError, KombuOperationalError) as exc:
            log.warning("could not %s a %s message (%r); the broker will deliver it again",
                        "ack" if ack else "requeue", self.event_type, exc)

    def _dead_letter(self, message, reason, attempts):
        event_type = (message.delivery_info or {}).get("routing_key", self.event_type)
        try:
            self.dead_letters.park(message, reason, attempts)
        except Exception as exc:  # never let a broken dead-letter path kill the service
            log.error("could not dead-letter %s (%s): %r; it goes back to the queue", event_type, reason, exc)
            self._let_go(message, ack=False)
            return
        self._let_go(message, ack=True)
        METRICS.events_consumed.labels(self.container.service_name, event_type, "dead_lettered").inc()


def is_transient(error: BaseException) -> bool:
    """Trouble worth waiting out (the database or broker away, a lock, something not arrived yet);
    a bug or bad data is not, and goes to the dead-letter queue after a few attempts."""
    if isinstance(error, (RetryLater, ConnectionError, TimeoutError, KombuOperationalError)):
        return True
    return database_unavailable(error)


def _mislabelled(message) -> str | None:
    """Why a message kombu let through undecoded (a binary or absent content type) or decoded from another
    charset is not an event: events are application/json in UTF-8."""
    content_type = (message.content_type or "").partition(";")[0].strip().lower()
    if content_type != "application/json" or (message.content_encoding or "utf-8").lower() not in ("utf-8", "utf8"):
        return f"content type {message.content_type!r}, encoding {message.content_encoding!r}: events are " \
               f"application/json in UTF-8"
    return None


JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000 itself, not a backslash followed by "u0000"


def _with_nul(message) -> str | None:
    """A NUL character (JSON's \\u0000) fits no text column of PostgreSQL: refused at the door, not after
    five failed attempts to store it."""
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
    if b"\\u0000" not in body:  # nearly every event: a substring search, not the regular expression's scan
        return None
    return "a NUL character (\\u0000) in the event: no database stores one" if JSON_NUL.search(body) else None


def _age(event) -> float:
    return max(0.0, time.time() - event.time.timestamp())


event_consumer = EventConsumer.decorator
