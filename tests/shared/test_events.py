"""The event contract, without a broker."""
import json
from datetime import datetime, timezone

import pytest

from lianxin.events import CATALOGUE, PERSONAL_FIELDS, InvalidEvent, json_schemas, new_event, parse_event

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
ACCEPTED = {"case_id": "C00000001", "unit": "chengguan", "accepted_by": "handler", "accepted_at": NOW}


def test_the_catalogue_holds_every_event_named_by_the_platform():
    assert set(CATALOGUE) == {
        "report.received", "case.dispatched", "case.accepted", "case.returned", "case.reported", "case.overdue",
        "case.extended", "accountability.recorded",
        "callback.recorded", "case.closed", "case.reopened", "notice.issued", "assessment.published", "alert.raised",
        "return.refused", "digest.published", "report.registered"}
    assert {e.publisher for e in CATALOGUE.values()} == {"intake", "dispatch", "supervision", "scoring"}


def _property_names(schema):
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield name
            yield from _property_names(sub)
        for value in schema.values():
            if isinstance(value, (dict, list)):
                yield from _property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _property_names(item)


@pytest.mark.parametrize("event_type", sorted(CATALOGUE))
def test_no_event_schema_has_room_for_personal_data(event_type):
    schema = json_schemas()[event_type]["schema"]
    assert not PERSONAL_FIELDS & set(_property_names(schema))
    assert schema.get("additionalProperties") is False  # nothing rides along unnoticed


def test_an_event_is_a_structured_cloudevent_that_round_trips():
    event = new_event("case.accepted", "C00000001", ACCEPTED)
    raw = json.loads(event.to_json())
    assert set(raw) == {"specversion", "id", "source", "type", "time", "subject", "datacontenttype",
                        "dataschema", "data"}
    assert raw["specversion"] == "1.0" and raw["source"] == "/lianxin/dispatch"
    assert raw["dataschema"] == "urn:lianxin:event:case.accepted:v1"
    assert parse_event(event.to_json().encode()) == event


@pytest.mark.parametrize("change, reason", [
    (lambda e: e.update(type="case.exploded"), "unknown event type 'case.exploded'"),
    (lambda e: e.update(source="/lianxin/intake"), "source must be '/lianxin/dispatch'"),
    (lambda e: e.update(dataschema="urn:lianxin:event:case.accepted:v9"), "unsupported dataschema"),
    (lambda e: e.update(specversion="0.3"), "specversion"),
    (lambda e: e["data"].pop("unit"), "case.accepted data: unit: Field required"),
    (lambda e: e["data"].update(phone="13812341234"), "personal data must not leave intake (phone)"),
    (lambda e: e["data"].update(colour="red"), "colour: Extra inputs are not permitted"),
])
def test_a_received_event_that_breaks_the_contract_is_refused_with_the_reason(change, reason):
    raw = json.loads(new_event("case.accepted", "C00000001", ACCEPTED).to_json())
    change(raw)
    with pytest.raises(InvalidEvent, match=None) as refused:
        parse_event(json.dumps(raw))
    assert reason in str(refused.value)


@pytest.mark.parametrize("body, reason", [
    (b"\xff\xfe", "not UTF-8"), (b"{", "not JSON"), (b"[1, 2]", "must be a JSON object")])
def test_a_body_that_is_not_an_event_at_all_is_refused(body, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(body)


def test_publishing_validates_too():
    with pytest.raises(InvalidEvent, match="accepted_at"):
        new_event("case.accepted", "C1", {**ACCEPTED, "accepted_at": "yesterday"})


def test_a_consumer_can_insist_on_the_type_it_subscribed_to():
    with pytest.raises(InvalidEvent, match="expected type 'case.closed'"):
        parse_event(new_event("case.accepted", "C1", ACCEPTED).to_json(), expected_type="case.closed")


def test_free_text_travels_without_phone_or_id_numbers_whoever_typed_them():
    """A unit handler copying the petitioner's number into the handling report does not publish it."""
    event = new_event("case.reported", "C00000012", {
        "case_id": "C00000012", "report_id": "R00000034", "unit": "chengguan", "finding": "substantiated",
        "actions_taken": "已电话联系13912345678（身份证330102195808173321），同C00000012一并处理，修复管道",
        "explanation": "回访电话 0571-87654321", "responsible_person": "刘", "unit_head": "陈",
        "reported_at": datetime.now(timezone.utc), "deadline": datetime.now(timezone.utc), "on_time": True})
    said = event.data["actions_taken"] + event.data["explanation"]
    assert "13912345678" not in said and "330102195808173321" not in said and "87654321" not in said
    assert "〔电话〕" in said and "〔身份证号〕" in said
    assert "C00000012" in said and "修复管道" in said  # case numbers and the words stay
    assert parse_event(event.to_json()).data == event.data  # applying it again changes nothing


def test_extension_attributes_are_kept_and_ignored():
    """A bureau's tracing (traceparent) or our own request id rides along; the contract stays as strict."""
    raw = json.loads(new_event("case.accepted", "C00000001", ACCEPTED).to_json())
    traced = {**raw, "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
              "requestid": "f3a9c2", "partition1": 7, "replayed": True}
    event = parse_event(json.dumps(traced))
    assert event.requestid == "f3a9c2" and event.payload() == parse_event(json.dumps(raw)).payload()
    assert json.loads(event.to_json()) == traced  # passed on unchanged


def test_an_event_built_during_a_request_carries_its_id():
    from lianxin.logs import following
    with following("req-42"):
        inside = new_event("case.accepted", "C00000001", ACCEPTED)
    assert inside.requestid == "req-42" and json.loads(inside.to_json())["requestid"] == "req-42"
    assert "requestid" not in json.loads(new_event("case.accepted", "C00000001", ACCEPTED).to_json())


@pytest.mark.parametrize("attribute, value, reason", [
    ("TraceParent", "00-x", "'TraceParent' is not a CloudEvents attribute or extension name"),
    ("trace_parent", "00-x", "'trace_parent' is not a CloudEvents attribute"),
    ("averyveryverylongextension", "x", "at most 20"),
    ("requestid", {"nested": 1}, "extension 'requestid' must be a string"),
    ("requestid", None, "extension 'requestid' must be a string"),
    ("requestid", "x" * 1001, "at most 1000 characters"),
])
def test_an_extension_that_is_not_a_cloudevents_attribute_is_refused(attribute, value, reason):
    raw = {**json.loads(new_event("case.accepted", "C00000001", ACCEPTED).to_json()), attribute: value}
    with pytest.raises(InvalidEvent) as refused:
        parse_event(json.dumps(raw))
    assert reason in str(refused.value)
