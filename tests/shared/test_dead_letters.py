"""`lianxin dead-letters list|show|replay`: on the real broker, in the session's own virtual host."""
import json
from datetime import datetime, timezone

import kombu
import pytest
from click.testing import CliRunner

import services.dispatch.handling as dispatch_handling
from lianxin.cli import main as lianxin
from lianxin.events import new_event
from tests.support.reports import case_of
from tests.support.waiting import eventually


def report_received(report_id: str) -> str:
    return new_event("report.received", report_id, {
        "report_id": report_id, "channel": "web", "category": "drinking-water", "township": "chengguan",
        "content": "自来水停了三天", "received_at": datetime.now(timezone.utc),
        "received_by": {"role": "citizen", "code": "web"}}).to_json()


def publish(amqp_uri: str, body: str, content_type: str = "application/json") -> None:
    with kombu.Connection(amqp_uri) as conn:
        conn.Producer().publish(body.encode(), exchange="intake.events", routing_key="report.received",
                                content_type=content_type, content_encoding="utf-8", delivery_mode=2)


def dead_letters(amqp_uri: str, *args: str):
    return CliRunner().invoke(lianxin, ["dead-letters", *args], env={"AMQP_URI": amqp_uri})


def parked(amqp_uri: str) -> int:
    with kombu.Connection(amqp_uri) as conn:
        return conn.channel().queue_declare("dispatch.dead-letter", passive=True).message_count


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_dead_letter_is_listed_shown_and_replayed_once_to_its_queue(office, amqp_uri, monkeypatch):
    office.stop("intake", "supervision", "scoring")  # dispatch alone consumes, so nothing else touches the event
    opening = dispatch_handling.open_case

    def broken(*args, **kwargs):
        raise RuntimeError("routing table being mended")
    monkeypatch.setattr(dispatch_handling, "open_case", broken)
    event = report_received("R00000701")
    publish(amqp_uri, event)
    publish(amqp_uri, "not an event at all", content_type="application/json")
    assert eventually(lambda: parked(amqp_uri) == 2, timeout=30)  # five attempts, then parked

    listed = dead_letters(amqp_uri, "list", "dispatch")
    assert listed.exit_code == 0, listed.output
    [mendable] = [line for line in listed.output.splitlines() if json.loads(event)["id"] in line]
    assert "report.received" in mendable and "RuntimeError: routing table being mended" in mendable
    assert "attempts 5" in mendable
    letter_id = mendable.split()[0]

    shown = dead_letters(amqp_uri, "show", "dispatch", "--id", letter_id)
    assert shown.exit_code == 0 and json.loads(event)["id"] in shown.output and "自来水停了三天" in shown.output
    assert parked(amqp_uri) == 2  # looking takes nothing away

    monkeypatch.setattr(dispatch_handling, "open_case", opening)  # mended
    replayed = dead_letters(amqp_uri, "replay", "dispatch", "--id", letter_id)
    assert replayed.exit_code == 0 and f"replayed {letter_id}" in replayed.output and "dispatch.report.received" \
        in replayed.output
    assert eventually(lambda: case_of(office, "R00000701"))
    assert parked(amqp_uri) == 1  # the other letter stays until it is mended too

    again = dead_letters(amqp_uri, "replay", "dispatch", "--id", letter_id)
    assert again.exit_code == 1 and f"no dead letter {letter_id!r}" in again.output  # once


def test_an_unknown_service_or_an_unreachable_broker_is_one_line():
    unknown = CliRunner().invoke(lianxin, ["dead-letters", "list", "console"])
    assert unknown.exit_code == 2 and "none of dispatch, intake, notifications, scoring, supervision" in unknown.output
    away = CliRunner().invoke(lianxin, ["dead-letters", "list", "scoring"],
                              env={"AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"})
    assert away.exit_code == 1 and away.output.startswith("Error: cannot read scoring.dead-letter")
    assert "Traceback" not in away.output
