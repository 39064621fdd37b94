"""Bad events on the real bus: hypothesis makes malformed, oversize, wrongly encoded and schema-violating
``report.received`` messages and publishes each to dispatch's own queue. Each must be parked in
``dispatch.dead-letter`` unchanged with its reason, and dispatch must go on applying valid events.

``LIANXIN_FUZZ_EXAMPLES`` sets the examples per kind of damage (a few by default)."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pika
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianxin.events import PERSONAL_FIELDS, InvalidEvent, new_event, parse_event
from lianxin.runner import SERVICES
from lianxin.testing import Office
from tests.support.broker import drain
from tests.support.reports import case_of
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("LIANXIN_FUZZ_EXAMPLES", "5")) * 3
MAX_EVENT_BYTES = 16 * 1024  # small in this office, so oversize events stay cheap to make
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def dispatch(amqp_uri, tmp_path_factory):
    data = tmp_path_factory.mktemp("fuzz-events")
    office = Office(amqp_uri, {name: f"sqlite:///{data / name}.db" for name in SERVICES},
                    settings={"dispatch": {"LIANXIN_MAX_EVENT_BYTES": MAX_EVENT_BYTES}})
    office.start("dispatch")
    yield office
    office.stop()


@pytest.fixture(scope="module")
def channel(amqp_uri, dispatch):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    yield connection.channel()
    connection.close()


def received(report_id: str = "R00000001") -> dict:
    """A valid report.received event, as a dict to damage."""
    return json.loads(new_event("report.received", report_id, {
        "report_id": report_id, "channel": "web", "category": "drinking-water", "township": "chengguan",
        "content": "自来水停了三天", "received_at": datetime.now(timezone.utc),
        "received_by": {"role": "citizen", "code": "web"}}).to_json())


def encoded(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


# --- kinds of damage: (body, content type, content encoding, what the reason must say) ---------------

def not_json():
    return st.text(min_size=1).filter(_not_json).map(
        lambda text: (text.encode("utf-8"), "application/json", None, "undecodable body"))


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def not_utf8():
    return st.binary(min_size=1).filter(_not_utf8).map(lambda raw: (raw, "application/json", None, "undecodable body"))


def _not_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def wrongly_labelled():
    """A valid event under a content type or encoding that is not JSON in UTF-8 (pickle and YAML included:
    a consumer must never unpickle what the bus brings); the reason names the wrong label."""
    content_types = st.sampled_from([None, "text/plain", "application/xml", "application/octet-stream",
                                     "application/x-python-serialize", "application/x-yaml", "application/data"])
    encodings = st.sampled_from(["utf-16", "utf-32", "latin-1", "x-no-such-codec"])
    return st.one_of(
        content_types.map(lambda ct: (encoded(received()), ct, None, str(ct))),
        encodings.map(lambda enc: (json.dumps(received()).encode(enc if enc != "x-no-such-codec" else "utf-8"),
                                   "application/json", enc, enc)),
    )


def oversize():
    """A valid event padded past the limit, or a huge body that is not even JSON."""
    sizes = st.integers(MAX_EVENT_BYTES + 1, 4 * MAX_EVENT_BYTES)
    return st.one_of(
        sizes.map(lambda n: (encoded(received()).ljust(n), "application/json", None, "larger than")),
        sizes.map(lambda n: (b"\xff" * n, "application/json", None, "larger than")),
    )


ENVELOPE_DAMAGE = {
    "specversion": st.one_of(st.none(), st.integers(), st.text()),
    "id": st.one_of(st.none(), st.integers(), st.just(""), st.text(min_size=65, max_size=80)),
    "type": st.one_of(st.text(), st.sampled_from(["case.dispatched", "report.received.v2"])),
    "source": st.one_of(st.text(), st.just("/lianxin/dispatch")),
    "subject": st.one_of(st.none(), st.just(""), st.text(min_size=201, max_size=210)),
    "time": st.one_of(st.none(), st.text(max_size=12), st.just("2026-13-01T00:00:00Z")),
    "data": st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers(), max_size=3)),
    "dataschema": st.text(),
    "datacontenttype": st.text(),
}
DATA_DAMAGE = {
    "report_id": st.one_of(st.none(), st.integers()),
    "channel": st.one_of(st.none(), st.text()),
    "people_count": st.one_of(st.integers(max_value=0), st.integers(min_value=100001), st.text(min_size=1)),
    "content": st.one_of(st.none(), st.integers(), st.text(min_size=4001, max_size=4100)),
    "received_at": st.one_of(st.none(), st.text(max_size=12), st.lists(st.integers(), max_size=2)),
    "category": st.one_of(st.none(), st.just(""), st.text(min_size=65, max_size=70), st.just("Not A Code!")),
    "received_by": st.one_of(st.none(), st.text(), st.just({"role": "hacker", "code": "x"})),
}


def schema_violating():
    """A valid event with one envelope or data field damaged or dropped, personal data or an unknown field
    added, or not an object at all; only what breaks the contract in lianxin.events, whose reason the
    dead letter must carry."""
    damaged_envelope = st.sampled_from(sorted(ENVELOPE_DAMAGE)).flatmap(
        lambda key: ENVELOPE_DAMAGE[key].map(lambda value: {**received(), key: value}))
    damaged_data = st.sampled_from(sorted(DATA_DAMAGE)).flatmap(
        lambda key: DATA_DAMAGE[key].map(lambda value: {**received(), "data": {**received()["data"], key: value}}))
    dropped = st.sampled_from(sorted(received())).map(lambda key: {k: v for k, v in received().items() if k != key})
    leaked = st.sampled_from(sorted(PERSONAL_FIELDS)).map(
        lambda key: {**received(), "data": {**received()["data"], key: "王大山 13812341234"}})
    unknown = st.text(min_size=1, max_size=20).map(lambda key: {**received(), "data": {**received()["data"], key: 1}})
    # an attribute beside the required ones: a CloudEvents extension passes, any other name or value is refused
    attribute = st.tuples(st.text(min_size=1, max_size=25), st.one_of(st.none(), st.text(), st.integers(),
                                                                         st.dictionaries(st.text(), st.integers())))
    odd_attribute = attribute.map(lambda pair: {**received(), pair[0]: pair[1]})
    not_an_object = st.one_of(st.lists(st.integers(), max_size=3), st.integers(), st.text(), st.none())
    events = st.one_of(damaged_envelope, damaged_data, dropped, leaked, unknown, odd_attribute, not_an_object)
    return events.map(encoded).map(lambda body: (body, "application/json", None, contract_breach(body))).filter(
        lambda poison: poison[3] is not None)


def contract_breach(body: bytes) -> str | None:
    """Why lianxin.events refuses the body as report.received, or None if it is a valid event after all."""
    try:
        parse_event(body, expected_type="report.received")
    except InvalidEvent as exc:
        return str(exc)
    return None


# --- the fuzzing --------------------------------------------------------------------------------

def parked(channel, body: bytes, content_type: str | None, encoding: str | None) -> tuple:
    """Publish one message to dispatch's queue of report.received; the dead letter it became."""
    channel.basic_publish("intake.events", "report.received", body, pika.BasicProperties(
        content_type=content_type, content_encoding=encoding, delivery_mode=2))
    [(properties, parked_body)] = drain(channel, "dispatch.dead-letter", 1)
    return properties, parked_body


@pytest.mark.parametrize("number, damage", list(enumerate([not_json, not_utf8, wrongly_labelled, oversize,
                                                           schema_violating], start=1)))
def test_a_bad_event_is_dead_lettered_with_its_reason(dispatch, channel, number, damage):
    @FUZZ
    @given(damage())
    def one_bad_event(poison):
        body, content_type, encoding, reason = poison
        properties, parked_body = parked(channel, body, content_type, encoding)
        assert parked_body == body  # kept as received, for whoever mends it
        assert reason in properties.headers["x-lianxin-reason"] and properties.headers["x-lianxin-reason"].strip()
        assert properties.headers["x-original-routing-key"] == "report.received"

    one_bad_event()
    # and dispatch goes on: a valid event after all of it opens a case
    report_id = f"R{90000000 + number}"
    channel.basic_publish("intake.events", "report.received", encoded(received(report_id)),
                          pika.BasicProperties(content_type="application/json", delivery_mode=2))
    assert eventually(lambda: case_of(dispatch, report_id))


def test_the_event_size_limit_is_configurable():
    from services.dispatch.config import DispatchSettings
    assert DispatchSettings().nameko_config()["MAX_EVENT_BYTES"] == 1024 * 1024
    assert DispatchSettings(LIANXIN_MAX_EVENT_BYTES=4096).nameko_config()["MAX_EVENT_BYTES"] == 4096


# --- what the fuzzing found, kept as plain examples (each was applied as a valid event before) -------

@pytest.mark.parametrize("content_type, encoding", [
    ("application/data", None), (None, None), ("application/json", "utf-16"), ("application/json", "latin-1")])
def test_a_valid_event_under_a_wrong_label_is_dead_lettered(dispatch, channel, content_type, encoding):
    body = json.dumps(received("R00000101")).encode(encoding or "utf-8")
    properties, _ = parked(channel, body, content_type, encoding)
    assert "events are application/json in UTF-8" in properties.headers["x-lianxin-reason"]


def test_an_event_encoded_twice_is_dead_lettered(dispatch, channel):
    body = json.dumps(json.dumps(received("R00000102"))).encode()  # a JSON string holding the event
    properties, _ = parked(channel, body, "application/json", None)
    assert properties.headers["x-lianxin-reason"] == "body must be a JSON object, got str"


def test_an_oversize_event_is_dead_lettered_with_its_size(dispatch, channel):
    body = encoded(received("R00000103")).ljust(MAX_EVENT_BYTES + 1)
    properties, _ = parked(channel, body, "application/json", None)
    assert properties.headers["x-lianxin-reason"] == (
        f"event of {MAX_EVENT_BYTES + 1} bytes is larger than the {MAX_EVENT_BYTES} allowed")


def test_an_event_with_extension_attributes_is_applied(dispatch, channel):
    """traceparent, requestid or any CloudEvents extension a bureau adds: kept and ignored, never dead-lettered."""
    event = {**received("R00000104"), "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
             "requestid": "bureau-7", "priority1": 3}
    channel.basic_publish("intake.events", "report.received", encoded(event),
                          pika.BasicProperties(content_type="application/json", delivery_mode=2))
    assert eventually(lambda: case_of(dispatch, "R00000104"))
    assert channel.queue_declare("dispatch.dead-letter", passive=True).method.message_count == 0
