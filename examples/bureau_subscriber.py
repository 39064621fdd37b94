"""A bureau's subscriber: receives the office events it is entitled to, checks each, handles each once.

    python examples/bureau_subscriber.py \\
        --amqp-uri 'amqp://petition-bureau:<password>@broker.example:5672/%2F' \\
        --queue petition-bureau.register --event report.received --event case.closed

The queue is the bureau's own (durable, named ``<bureau>.<anything>``): events wait in it while the
subscriber is away. Delivery is at least once, so the register skips an event id it has seen; case
events of different types can arrive out of order, so it skips one older (by ``round``) than what it
knows of that case. A real bureau keeps both in its database, in the same transaction as its effect,
and acks only after that commit. See docs/bureaus.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time

import pika
from pika.exceptions import AMQPChannelError, AMQPConnectionError, AuthenticationError, ProbableAuthenticationError

from lianxin.events import CATALOGUE, CloudEvent, InvalidEvent, parse_event

log = logging.getLogger("bureau_subscriber")


class Register:
    """What the bureau does with an event; here it prints one line per event applied (tab-separated)."""

    def __init__(self):
        self.seen: set[str] = set()
        self.rounds: dict[str, int] = {}  # case id -> the latest round applied

    def apply(self, event: CloudEvent) -> bool:
        """Apply an event once; False when it is a redelivery or older than what is known."""
        case_id, round_ = event.data.get("case_id"), event.data.get("round")
        if event.id in self.seen or (round_ is not None and round_ < self.rounds.get(case_id, 0)):
            return False
        self.seen.add(event.id)
        if round_ is not None:
            self.rounds[case_id] = round_
        print(event.type, event.subject, event.id, json.dumps(event.data, ensure_ascii=False), sep="\t", flush=True)
        return True


def consume(parameters: pika.URLParameters, queue: str, events: list[str], register: Register,
            max_events: int | None) -> None:
    """Declare and bind the bureau's queue, then apply events until ``max_events`` are applied."""
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.queue_declare(queue, durable=True)
        for event_type in events:  # the exchanges are the office's: bind to them, never declare them
            channel.queue_bind(queue, f"{CATALOGUE[event_type].publisher}.events", routing_key=event_type)
        channel.basic_qos(prefetch_count=10)
        log.info("listening on %s for %s", queue, ", ".join(events))
        for method, _properties, body in channel.consume(queue):
            try:
                register.apply(parse_event(body))
            except InvalidEvent as exc:  # not the contract: nothing to retry, drop it with the reason
                log.warning("dropped an invalid event: %s", exc)
                channel.basic_reject(method.delivery_tag, requeue=False)
                continue
            channel.basic_ack(method.delivery_tag)  # after applying: a crash before it means a redelivery
            if max_events is not None and len(register.seen) >= max_events:
                channel.cancel()
                return
    finally:
        if connection.is_open:
            connection.close()


def run(parameters: pika.URLParameters, queue: str, events: list[str], max_events: int | None) -> int:
    """Consume, reconnecting with backoff when the connection is lost; refusals are final."""
    register, delay = Register(), 1.0
    while True:
        try:
            consume(parameters, queue, events, register, max_events)
            return 0
        except (AuthenticationError, ProbableAuthenticationError) as exc:
            log.error("the broker refused these credentials: %r", exc)
            return 2
        except AMQPChannelError as exc:  # e.g. ACCESS_REFUSED: a queue or event not entitled
            log.error("the broker refused: %s", exc)
            return 2
        except AMQPConnectionError as exc:
            log.warning("connection lost (%r); reconnecting in %.0fs", exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--amqp-uri", required=True, help="amqp://<bureau>:<password>@host:5672/<vhost>")
    parser.add_argument("--queue", required=True, help="the bureau's own queue: <bureau>.<anything>")
    parser.add_argument("--event", dest="events", action="append", required=True, choices=sorted(CATALOGUE),
                        help="an event type to receive (repeat the option)")
    parser.add_argument("--max-events", type=int, help="stop after applying this many events")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    return run(pika.URLParameters(args.amqp_uri), args.queue, args.events, args.max_events)


if __name__ == "__main__":
    sys.exit(main())
