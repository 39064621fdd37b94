"""Looking for personal data in events: the reporters' own, and anything shaped like a phone or ID number.

``EventCapture`` keeps a copy of every event published in a test virtual host (a queue bound with
``#`` to the four event exchanges), so a test can scan exactly what a subscribing bureau would get.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

import kombu
import sqlalchemy
from nameko.standalone.events import get_event_exchange

from lianxin.messaging_tables import outbox
from tests.support.waiting import eventually

SERVICES = ("intake", "dispatch", "supervision", "scoring")
FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－", "0123456789Xx-")
# separators people put inside numbers: "138 1234 5678", "138-1234-5678"
BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-.()]+(?=\d)")
# a whole token, so a run of digits inside a hex id is not taken for a number
MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


@dataclass(frozen=True)
class Person:
    name: str
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None

    def as_reporter(self) -> dict:
        return {"name": self.name, "phone": self.phone, "id_number": self.id_number, "address": self.address}


def personal_data_in(event: str | bytes | dict, people: list[Person]) -> list[str]:
    """What in one event is personal data: each hit says what was found and where."""
    found = []
    for where, text in _strings(event if isinstance(event, dict) else json.loads(event)):
        joined = BETWEEN_DIGITS.sub("", text.translate(FULL_WIDTH))
        found += [f"{where}: a phone number {m}" for m in MOBILE.findall(joined)]
        found += [f"{where}: an ID number {m}" for m in ID_NUMBER.findall(joined)]
        for person in people:
            found += [f"{where}: {person.name}'s {what}" for what, value in _identifiers(person)
                      if value in (joined if what in ("phone", "ID number") else text)]
    return found


def _identifiers(person: Person):
    yield "name", person.name
    if person.address:
        yield "address", person.address
    if person.phone:
        yield "phone", BETWEEN_DIGITS.sub("", person.phone)
    if person.id_number:
        yield "ID number", person.id_number


def _strings(value, where: str = ""):
    """Every string in a JSON value with its path; keys too, since a key can carry data."""
    if isinstance(value, str):
        yield where or "(body)", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}.{key}".lstrip("."), key
            yield from _strings(item, f"{where}.{key}".lstrip("."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


class EventCapture:
    """Every message published on the four event exchanges of a virtual host from now on, by CloudEvent id.

    Close it when done: while its queue is bound to everything, no event is unroutable, and a test
    that checks what the relay does with an unroutable event would be misled.
    """

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.bodies: dict[str, bytes] = {}
        self.queue = kombu.Queue(f"test.every-event.{uuid.uuid4().hex[:8]}", durable=False, bindings=[
            kombu.binding(get_event_exchange(service, {}), routing_key="#") for service in SERVICES])
        with kombu.Connection(amqp_uri) as connection:
            self.queue(connection.channel()).declare()

    def drain(self) -> dict[str, bytes]:
        with kombu.Connection(self.amqp_uri) as connection:
            queue = self.queue(connection.channel())
            while (message := queue.get(no_ack=True)) is not None:
                self.bodies[_event_id(message.body)] = message.body
        return self.bodies

    def close(self) -> None:
        with kombu.Connection(self.amqp_uri) as connection:
            self.queue(connection.channel()).delete()

    def emitted_by(self, database_urls: dict[str, str]) -> dict[str, bytes]:
        """The events the services of these databases emitted, as they crossed the broker.

        Waits until every outbox is published and every published event has been captured.
        """
        [emitted] = eventually(lambda: _all_published(database_urls), timeout=30)
        eventually(lambda: emitted <= self.drain().keys(), timeout=30)
        return {event_id: self.bodies[event_id] for event_id in emitted}


def _all_published(database_urls: dict[str, str]) -> list[set[str]] | None:
    """[the ids of every outbox's events] once all are published (a list: an empty set is an answer too)."""
    ids, waiting = set(), False
    for url in database_urls.values():
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sqlalchemy.select(outbox.c.event_id, outbox.c.published_at)).all()
        finally:
            engine.dispose()
        ids |= {row.event_id for row in rows}
        waiting = waiting or any(row.published_at is None for row in rows)
    return None if waiting else [ids]


def _event_id(body: bytes | str) -> str:
    try:
        return str(json.loads(body)["id"])
    except (ValueError, KeyError, TypeError):  # other tests publish garbage on purpose
        return f"not-an-event-{hash(body)}"
