"""Other bureaus subscribe safely: read-only broker users from deploy/rabbitmq/definitions.json.

The broker tests import the committed definitions into a virtual host of their own (users renamed
so parallel runs don't clash, test-only passwords hashed as RabbitMQ does) and act as each bureau
with pika against the office's real events.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pika
import pytest
import yaml
from click.testing import CliRunner
from pika.exceptions import ChannelClosedByBroker, ProbableAuthenticationError

from lianxin.bureaus import BureauError, load_bureaus, password_hash
from lianxin.cli import main as lianxin
from lianxin.directory import load_directory
from lianxin.events import CATALOGUE, parse_event
from lianxin.messaging import DEAD_LETTER_EXCHANGE
from lianxin.testing import Office, broker_vhost, rabbitmqctl
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "deploy/rabbitmq/definitions.json"
TEST_PASSWORD = "bureau-test-only"
SERVICES = ("intake", "dispatch", "supervision", "scoring")
REPORT = {"channel": "hotline", "content": "村里的路灯坏了两个月，晚上看不见路。"}
VILLAGES = [v.code for township in load_directory(ROOT / "deploy/county.yaml").townships for v in township.villages]


def committed() -> dict:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


# --- the file ---------------------------------------------------------------

def test_the_committed_definitions_are_generated_from_the_bureaus_file():
    result = CliRunner().invoke(lianxin, ["bureau-definitions", "--bureaus", str(ROOT / "deploy/bureaus.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output == DEFINITIONS.read_text(encoding="utf-8"), \
        "stale: run `lianxin bureau-definitions --output deploy/rabbitmq/definitions.json`"


def test_the_definitions_hold_no_password_and_let_no_bureau_write_to_the_office():
    definitions = committed()
    bureaus = load_bureaus(ROOT / "deploy/bureaus.yaml")
    assert {user["name"] for user in definitions["users"]} == {bureau.code for bureau in bureaus}
    assert all(user["password_hash"] == "" and user["tags"] == [] for user in definitions["users"])
    assert "password" not in DEFINITIONS.read_text(encoding="utf-8").replace("password_hash", "")
    office_names = ["amq.default", "amq.topic", DEAD_LETTER_EXCHANGE, *(f"{s}.events" for s in SERVICES),
                    *(f"{s}.dead-letter" for s in SERVICES),
                    *(f"{consumer}.{t}" for t, entry in CATALOGUE.items() for consumer in entry.consumers)]
    for entry in definitions["permissions"]:
        for kind in ("configure", "write"):
            reachable = [name for name in office_names if re.fullmatch(entry[kind], name)]
            assert reachable == [], f"{entry['user']} may {kind} {reachable}"
    assert all(entry["write"] == "^$" for entry in definitions["topic_permissions"])


def test_each_bureau_may_bind_exactly_its_events():
    definitions = committed()
    for bureau in load_bureaus(ROOT / "deploy/bureaus.yaml"):
        topics = [t for t in definitions["topic_permissions"] if t["user"] == bureau.code]
        bindable = {(t["exchange"], key) for t in topics for key in CATALOGUE if re.fullmatch(t["read"], key)}
        assert bindable == {(f"{CATALOGUE[e].publisher}.events", e) for e in bureau.events}
        read = next(p["read"] for p in definitions["permissions"] if p["user"] == bureau.code)
        readable = {f"{s}.events" for s in SERVICES if re.fullmatch(read, f"{s}.events")}
        assert readable == {t["exchange"] for t in topics}


@pytest.mark.parametrize("entry, problem", [
    ({"code": "intake", "events": ["case.closed"]}, "bureaus[0] (intake).code: Value error, 'intake' is reserved"),
    ({"code": "press-office", "events": ["case.closed", "reporter.found"]},
     "bureaus[0] (press-office).events: Value error, unknown event type 'reporter.found'"),
    ({"code": "Press Office", "events": ["case.closed"]}, "bureaus[0] (Press Office).code: String should match"),
    ({"code": "press-office", "events": []}, "bureaus[0] (press-office).events: List should have at least 1 item"),
])
def test_a_bad_bureaus_file_is_refused_naming_the_entry(tmp_path, entry, problem):
    path = tmp_path / "bureaus.yaml"
    path.write_text(yaml.safe_dump({"bureaus": [{"name": "x", "purpose": "y", **entry}]}), encoding="utf-8")
    with pytest.raises(BureauError) as refusal:
        load_bureaus(path)
    assert problem in str(refusal.value)
    result = CliRunner().invoke(lianxin, ["bureau-definitions", "--bureaus", str(path)])
    assert result.exit_code == 1 and problem in result.output


def test_passwords_given_to_the_generator_are_stored_only_as_rabbitmq_hashes(tmp_path):
    secrets = tmp_path / "passwords.yaml"
    secrets.write_text("statistics-bureau: s3cret-from-the-vault\n", encoding="utf-8")
    result = CliRunner().invoke(lianxin, ["bureau-definitions", "--passwords", str(secrets)])
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.output
    hashes = {user["name"]: user["password_hash"] for user in json.loads(result.output)["users"]}
    assert hashes["inspection-office"] == ""
    salt = __import__("base64").b64decode(hashes["statistics-bureau"])[:4]
    assert hashes["statistics-bureau"] == password_hash("s3cret-from-the-vault", salt)
    secrets.write_text("press-office: x\n", encoding="utf-8")
    unknown = CliRunner().invoke(lianxin, ["bureau-definitions", "--passwords", str(secrets)])
    assert unknown.exit_code == 1 and "password for unknown bureau press-office" in unknown.output
    secrets.write_text("petition-bureau: 123456\n", encoding="utf-8")
    number = CliRunner().invoke(lianxin, ["bureau-definitions", "--passwords", str(secrets)])
    assert number.exit_code == 1 and "the password of petition-bureau must be text" in number.output


# --- on the broker ------------------------------------------------------------

def for_test_vhost(definitions: dict, vhost: str, suffix: str, password: str | None) -> dict:
    """The committed definitions moved to a test virtual host: users renamed, a test password hashed."""
    def moved(entries):
        return [{**entry, "user": entry["user"] + suffix, "vhost": vhost} for entry in entries]
    return {
        "users": [{**user, "name": user["name"] + suffix, "password_hash": password_hash(password) if password else ""}
                  for user in definitions["users"]],
        "vhosts": [{"name": vhost}],
        "permissions": moved(definitions["permissions"]),
        "topic_permissions": moved(definitions["topic_permissions"]),
        "exchanges": [{**exchange, "vhost": vhost} for exchange in definitions["exchanges"]],
    }


class Bureaus:
    """The committed bureau users, imported into a test virtual host; deleted afterwards."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.vhost = unquote(urlsplit(amqp_uri).path[1:])
        self.users: list[str] = []

    def import_(self, password: str | None = TEST_PASSWORD) -> str:
        """Import every bureau's user under a new unique suffix (users are node-wide); returns the suffix."""
        suffix = f"-t{uuid.uuid4().hex[:8]}"
        definitions = for_test_vhost(committed(), self.vhost, suffix, password)
        self.users += [user["name"] for user in definitions["users"]]
        # from standard input: rabbitmqctl runs as the broker's user, who may not read our files
        subprocess.run(["rabbitmqctl", "-q", "import_definitions", "--format", "json"], input=json.dumps(definitions),
                       text=True, check=True, capture_output=True, timeout=120)
        # the import finishes asynchronously: wait for the last entry it makes
        last = definitions["topic_permissions"][-1]["user"]
        eventually(lambda: last in rabbitmqctl("list_topic_permissions", "-p", self.vhost), timeout=60)
        return suffix

    def uri(self, user: str, password: str = TEST_PASSWORD) -> str:
        broker = urlsplit(self.amqp_uri)
        return f"amqp://{user}:{password}@{broker.hostname}:{broker.port or 5672}/{quote(self.vhost, safe='')}"

    def delete(self) -> None:
        for user in self.users:
            with suppress(subprocess.CalledProcessError):  # an import that failed half-way
                rabbitmqctl("delete_user", user)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A virtual host of this module's own with the bureau users and an office (intake and dispatch)."""
    workdir = tmp_path_factory.mktemp("bureaus")
    with broker_vhost() as amqp_uri:
        bureaus = Bureaus(amqp_uri)
        office = Office(amqp_uri, {name: f"sqlite:///{workdir / name}.db" for name in SERVICES})
        try:
            suffix = bureaus.import_()
            office.start("intake", "dispatch")
            yield Broker(bureaus, suffix, office)
        finally:
            office.stop()
            bureaus.delete()


class Broker:
    def __init__(self, bureaus: Bureaus, suffix: str, office: Office):
        self.bureaus, self.suffix, self.office = bureaus, suffix, office
        self.reported = 0

    def uri(self, code: str) -> str:
        return self.bureaus.uri(code + self.suffix)

    @contextmanager
    def channel(self, code: str):
        """A channel as the bureau; its connection closes at the end of the ``with``."""
        with pika.BlockingConnection(pika.URLParameters(self.uri(code))) as connection:
            yield connection.channel()

    def report(self) -> dict:
        """A new report; each from another village, so none joins an earlier one's case."""
        self.reported += 1
        with self.office.client("intake") as intake:
            created = intake.post("/reports", json={**REPORT, "village": VILLAGES[self.reported]})
        assert created.status_code == 201, created.text
        return created.json()


def refusal(broker: Broker, code: str, action) -> str:
    """What the broker answers when the bureau tries ``action(channel)``: it must be ACCESS_REFUSED."""
    with broker.channel(code) as channel, pytest.raises(ChannelClosedByBroker) as refused:
        action(channel)
    assert refused.value.reply_code == 403, refused.value
    return refused.value.reply_text


def own_queue(channel, queue: str, *bindings: tuple[str, str]) -> None:
    channel.queue_declare(queue, durable=True)
    for exchange, key in bindings:
        channel.queue_bind(queue, exchange, routing_key=key)


def publish(exchange: str, key: str):
    def action(channel):
        channel.confirm_delivery()  # the refusal comes back before basic_publish returns
        channel.basic_publish(exchange, key, b'{"specversion": "1.0"}')
    return action


@pytest.mark.integration
def test_a_bureau_binds_its_own_queue_and_receives_the_office_events_it_is_entitled_to(broker):
    with broker.channel("petition-bureau") as channel:
        own_queue(channel, "petition-bureau.register", ("intake.events", "report.received"),
                  ("dispatch.events", "case.dispatched"))
        report = broker.report()
        received = []

        def both_arrived():
            method, _, body = channel.basic_get("petition-bureau.register")
            if method:
                received.append(parse_event(body))
                channel.basic_ack(method.delivery_tag)
            return len(received) == 2

        eventually(both_arrived)
        channel.queue_delete("petition-bureau.register")
    assert {event.type for event in received} == {"report.received", "case.dispatched"}
    assert {event.data["report_id"] for event in received} == {report["report_id"]}


@pytest.mark.integration
@pytest.mark.parametrize("exchange, key", [
    ("dispatch.events", "case.closed"),  # an exchange it may read
    ("supervision.events", "case.closed"),  # with a routing key it may bind
    ("intake.events", "report.received"),  # an exchange it may not even read
    ("", "dispatch.report.received"),  # the default exchange, straight into a service's queue
    ("", "inspection-office.cases"),  # the default exchange, even into its own queue
    (DEAD_LETTER_EXCHANGE, "intake"),
    ("amq.topic", "case.closed"),
])
def test_a_bureau_can_publish_nothing(broker, exchange, key):
    with broker.channel("inspection-office") as channel:
        own_queue(channel, "inspection-office.cases", ("supervision.events", "case.closed"))
    answer = refusal(broker, "inspection-office", publish(exchange, key))
    assert answer.startswith("ACCESS_REFUSED - access to exchange") and f"'{exchange or 'amq.default'}'" in answer


@pytest.mark.integration
def test_a_bureau_cannot_read_or_touch_another_bureaus_queue(broker):
    with broker.channel("inspection-office") as channel:
        own_queue(channel, "inspection-office.cases", ("supervision.events", "notice.issued"))
    theirs = "inspection-office.cases"
    consume = refusal(broker, "discipline-commission", lambda ch: ch.basic_consume(theirs, lambda *a: None))
    assert consume.startswith(f"ACCESS_REFUSED - access to queue '{theirs}'")
    refusal(broker, "discipline-commission", lambda ch: ch.basic_get(theirs))
    refusal(broker, "discipline-commission", lambda ch: ch.queue_bind(theirs, "supervision.events", "notice.issued"))
    refusal(broker, "discipline-commission", lambda ch: ch.queue_purge(theirs))
    refusal(broker, "discipline-commission", lambda ch: ch.queue_delete(theirs))
    refusal(broker, "discipline-commission", lambda ch: ch.queue_declare("inspection-office.mine", durable=True))
    refusal(broker, "discipline-commission", lambda ch: ch.basic_get("dispatch.report.received"))


@pytest.mark.integration
@pytest.mark.parametrize("code, exchange, key, reason", [
    ("statistics-bureau", "dispatch.events", "case.closed", "access to exchange 'dispatch.events'"),
    ("inspection-office", "intake.events", "report.received", "access to exchange 'intake.events'"),
    ("inspection-office", "supervision.events", "accountability.recorded", "access to topic 'accountability.recorded'"),
    ("discipline-commission", "dispatch.events", "#", "access to topic '#'"),
    ("discipline-commission", "dispatch.events", "case.*", "access to topic 'case.*'"),
])
def test_a_bureau_cannot_bind_what_it_is_not_entitled_to(broker, code, exchange, key, reason):
    with broker.channel(code) as channel:
        own_queue(channel, f"{code}.events")
    answer = refusal(broker, code, lambda channel: channel.queue_bind(f"{code}.events", exchange, routing_key=key))
    assert answer.startswith(f"ACCESS_REFUSED - {reason}"), answer


@pytest.mark.integration
def test_a_bureau_cannot_log_in_before_operations_set_its_password(broker):
    suffix = broker.bureaus.import_(password=None)  # the committed file as it is: no password hash
    with pytest.raises(ProbableAuthenticationError):
        pika.BlockingConnection(pika.URLParameters(broker.bureaus.uri(f"statistics-bureau{suffix}", "")))
    rabbitmqctl("change_password", f"statistics-bureau{suffix}", "set-by-operations")
    with closing(pika.BlockingConnection(pika.URLParameters(
            broker.bureaus.uri(f"statistics-bureau{suffix}", "set-by-operations")))) as connection:
        assert connection.is_open


@pytest.mark.integration
def test_the_example_subscriber_applies_its_events_and_survives_a_lost_connection(broker):
    example = subprocess.Popen(
        [sys.executable, str(ROOT / "examples/bureau_subscriber.py"), "--amqp-uri", broker.uri("petition-bureau"),
         "--queue", "petition-bureau.example", "--event", "report.received", "--event", "case.dispatched",
         "--max-events", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = until(example, "listening on petition-bureau.example")
        first = broker.report()
        lines += until(example, "report.received\t", "case.dispatched\t")
        rabbitmqctl("close_all_user_connections", f"petition-bureau{broker.suffix}", "test: connection lost")
        lines += until(example, "reconnecting", "listening on petition-bureau.example")
        second = broker.report()
        assert example.wait(timeout=60) == 0
        lines += example.stdout.readlines()
    finally:
        example.kill()
    applied = [line.rstrip("\n").split("\t") for line in lines if line.count("\t") == 3]
    assert sorted((kind, json.loads(data)["report_id"]) for kind, _subject, _id, data in applied) == sorted(
        (kind, report["report_id"]) for report in (first, second) for kind in ("report.received", "case.dispatched"))
    with pika.BlockingConnection(pika.URLParameters(broker.bureaus.amqp_uri)) as guest:
        left = guest.channel().queue_declare("petition-bureau.example", passive=True).method.message_count
    assert left == 0  # each was acked


def until(process: subprocess.Popen, *needles: str) -> list[str]:
    """Read the process's output until each needle has appeared in some line; returns the lines."""
    lines, missing = [], set(needles)
    for line in process.stdout:
        lines.append(line)
        missing -= {needle for needle in missing if needle in line}
        if not missing:
            return lines
    raise AssertionError(f"the subscriber ended ({process.wait()}) without {missing}: {''.join(lines)}")


def test_the_guide_lists_each_bureau_with_exactly_its_events_and_explains_every_event():
    guide = (ROOT / "docs/bureaus.md").read_text(encoding="utf-8")
    for bureau in load_bureaus(ROOT / "deploy/bureaus.yaml"):
        row = next((line for line in guide.splitlines() if line.startswith(f"| `{bureau.code}` |")), "")
        assert re.findall(r"`([a-z]+\.[a-z]+)`", row.rsplit("|", 2)[1] if row else "") == bureau.events, bureau.code
    assert all(f"| `{event_type}` | {entry.publisher} |" in guide for event_type, entry in CATALOGUE.items())


@pytest.mark.integration
def test_the_example_subscriber_stops_with_the_reason_when_the_broker_refuses(broker):
    refused = subprocess.run(
        [sys.executable, str(ROOT / "examples/bureau_subscriber.py"), "--amqp-uri", broker.uri("statistics-bureau"),
         "--queue", "statistics-bureau.cases", "--event", "case.closed"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2
    assert "ACCESS_REFUSED - access to exchange 'supervision.events'" in refused.stderr
