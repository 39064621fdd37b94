"""``lianxin dead-letters list|show|replay <service>``: what a consumer parked, and sending it back.

A consumer dead-letters an event that breaks the contract at once, one whose handler keeps failing after a
few attempts, and one held up by database or broker trouble for longer than ``TRANSIENT_PATIENCE``. Once the
cause is mended (a bug fixed, a database back), ``replay`` puts each letter back on the queue it came from,
once: published with the broker's confirm before it leaves the dead-letter queue, so a crash in between
leaves a duplicate, which the consumer's inbox skips, never a loss.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from amqp import Message

# imported by the CLI before `run` patches eventlet: the broker client and the contract load when used
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    """One parked message, as the dead-letter queue holds it."""
    id: str
    event_type: str
    reason: str
    attempts: int
    dead_lettered_at: str
    event_id: str | None
    message: "Message"

    @classmethod
    def of(cls, message: "Message") -> "DeadLetter":
        from lianxin.messaging import DEAD_LETTER_ID
        headers = message.properties.get("application_headers") or {}
        body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
        return cls(id=str(headers.get(DEAD_LETTER_ID) or hashlib.sha256(body).hexdigest()[:16]),
                   event_type=str(headers.get("x-original-routing-key", "")),
                   reason=str(headers.get("x-lianxin-reason", "")), attempts=int(headers.get("x-attempts", 0)),
                   dead_lettered_at=str(headers.get("x-dead-lettered-at", "")), event_id=_event_id(body),
                   message=message)

    def summary(self) -> dict:
        return {"id": self.id, "event_type": self.event_type, "event_id": self.event_id, "attempts": self.attempts,
                "dead_lettered_at": self.dead_lettered_at, "reason": self.reason}


def _event_id(body: bytes) -> str | None:
    try:
        event = json.loads(body)
    except ValueError:
        return None
    return str(event["id"])[:64] if isinstance(event, dict) and "id" in event else None


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.dead-letter"


class DeadLetterQueue:
    """A service's dead-letter queue, browsed: every letter is held (unacknowledged) until ``close``, which
    leaves in the queue all but those ``replay`` sent back."""

    def __init__(self, amqp_uri: str, service: str):
        from kombu import Connection
        self.service = service
        self.connection = Connection(amqp_uri, connect_timeout=5)
        self.channel = self.connection.channel()
        _, count, _ = self.channel.queue_declare(dead_letter_queue_name(service), passive=True)
        self.letters = [DeadLetter.of(m) for m in self._take(count)]

    def _take(self, count: int):
        for _ in range(count):
            if (message := self.channel.basic_get(dead_letter_queue_name(self.service), no_ack=False)) is None:
                return
            yield message

    def find(self, letter_id: str) -> DeadLetter:
        for letter in self.letters:
            if letter.id == letter_id:
                return letter
        raise click.ClickException(f"no dead letter {letter_id!r} in {dead_letter_queue_name(self.service)}; "
                                   f"`lianxin dead-letters list {self.service}` shows what is there")

    def replay(self, letter: DeadLetter) -> str:
        """Publish the letter, unchanged, to the queue it came from (confirmed), then take it off this queue."""
        queue = f"{self.service}.{letter.event_type}"
        message = letter.message
        with self.connection.channel() as publishing:
            publishing.queue_declare(queue, passive=True)  # refuses, naming it, a queue that is gone
            publishing.confirm_select()
            publishing.basic_publish(publishing.prepare_message(
                message.body, content_type=message.content_type, content_encoding=message.content_encoding,
                properties={"delivery_mode": 2, "message_id": letter.event_id}),
                exchange="", routing_key=queue, mandatory=True)
        self.channel.basic_ack(message.delivery_tag)
        log.info("dead letter %s (%s %s) replayed to %s", letter.id, letter.event_type, letter.event_id, queue)
        return queue

    def close(self):
        self.connection.release()  # what was not acknowledged goes back to the queue


@click.group("dead-letters")
def dead_letters():
    """What a service's consumers dead-lettered: list, show, replay."""


def consumers() -> list[str]:
    """The services that consume events, each with its dead-letter queue."""
    from lianxin.events import CATALOGUE
    return sorted({consumer for entry in CATALOGUE.values() for consumer in entry.consumers})


def _open(service: str) -> DeadLetterQueue:
    from lianxin.runner import settings_of
    if service not in consumers():
        raise click.BadParameter(f"{service!r} is none of {', '.join(consumers())}", param_hint="SERVICE")
    try:
        return DeadLetterQueue(settings_of(service).amqp_uri, service)
    except Exception as exc:  # the broker away, or the queue not declared yet: one line, no traceback
        raise click.ClickException(f"cannot read {dead_letter_queue_name(service)}: {exc}") from None


SERVICE = click.argument("service")


@dead_letters.command("list")
@SERVICE
def list_letters(service):
    """One line per dead letter: its id, the event type and id, attempts, when, and why."""
    queue = _open(service)
    try:
        for letter in queue.letters:
            click.echo(f"{letter.id}  {letter.event_type}  {letter.event_id or '-'}  attempts {letter.attempts}  "
                       f"{letter.dead_lettered_at}  {letter.reason}")
        click.echo(f"{len(queue.letters)} dead letter(s) in {dead_letter_queue_name(service)}", err=True)
    finally:
        queue.close()


@dead_letters.command()
@SERVICE
@click.option("--id", "letter_id", required=True, help="the dead letter's id, as `list` shows it")
def show(service, letter_id):
    """One dead letter: its headers and its body as received."""
    queue = _open(service)
    try:
        letter = queue.find(letter_id)
        click.echo(json.dumps(letter.summary(), ensure_ascii=False, indent=2))
        click.echo(letter.message.body.decode("utf-8", errors="replace")
                   if isinstance(letter.message.body, bytes) else letter.message.body)
    finally:
        queue.close()


@dead_letters.command()
@SERVICE
@click.option("--id", "letter_id", help="replay only this one (by default every dead letter there is)")
def replay(service, letter_id):
    """Put dead letters back on the queue they came from, once each (mend the cause first)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    queue = _open(service)
    try:
        for letter in [queue.find(letter_id)] if letter_id else queue.letters:
            click.echo(f"replayed {letter.id} ({letter.event_type} {letter.event_id or '-'}) to {queue.replay(letter)}")
    finally:
        queue.close()
