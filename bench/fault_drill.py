"""Fault drill (issue 8): reports go through the whole lifecycle while the office is hurt.

    .venv/bin/python -m bench.fault_drill --reports 10000            # restarts RabbitMQ and PostgreSQL: run it alone
    .venv/bin/python -m bench.fault_drill --reports 200 --no-faults  # the lifecycle and the counting only

Runs the services the events pass through (intake, dispatch, supervision, scoring and notifications)
as separate processes on PostgreSQL and a private RabbitMQ virtual host (the benchmarks' office,
bench/harness.py); accounts is left out, as the drill's staff use the credentials file's tokens and
no event passes through it. Reports are offered at a fixed rate, and each one's case
is driven through the public HTTP APIs as the office's staff would: the unit accepts it and reports
with signatures, supervision concludes any review, calls the petitioner back (satisfied) and closes
it; a share of cases gets a dissatisfied callback first, so it is reopened, redispatched and handled
again. Meanwhile RabbitMQ restarts, each service is killed with SIGKILL and started again, PostgreSQL
restarts, and a few malformed events are put straight into consumers' queues. An independent
subscriber (its own durable queue bound to every service's events exchange) records every event id.

When everything has settled it counts, from each service's database and from the subscriber: every
report became exactly one case, every lifecycle event the drill caused exists once in its
publisher's outbox, reached the subscriber and is in each consumer's inbox, every case is closed
everywhere, each case's unit was told once per round (notifications' delivery log), no outbox row
is unpublished and the dead-letter queues hold just the poisoned messages, each with its reason.
Prints the counts; exits 1 on any loss, duplicate or mismatch.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import pika
import yaml
from sqlalchemy import create_engine, text

from bench import harness  # the benchmarks' office, report maker and databases
from lianxin.auth import load_credentials
from lianxin.bureaus import SERVICES as PUBLISHERS
from lianxin.events import CATALOGUE, InvalidEvent, parse_event
from lianxin.messaging import queue_arguments
from lianxin.notify.contacts import StaffFileContacts
from services.notifications.telling import UNIT_ROLES

# every service the event contract names: the publishers, then those that only consume (notifications)
SERVICES = tuple(dict.fromkeys([*PUBLISHERS, *(s for entry in CATALOGUE.values() for s in entry.consumers)]))
DEFAULT_RATE = 10.0  # reports/s the whole lifecycle keeps up with on 2 cores, faults included
REOPEN_PERCENT = 5
SUBSCRIBER_QUEUE = "drill.subscriber"
CALLER, SUPERVISOR = "callback-op-01", "supervisor-01"
POLL_S = 1.0  # how often the drill's staff look at their boards
WORKERS = 48  # lifecycle steps under way at once


def bearer(code: str) -> dict:
    return {"Authorization": f"Bearer dev-{code}"}


# --- faults ----------------------------------------------------------------------------------------

def restart_broker() -> None:
    subprocess.run(["rabbitmqctl", "-q", "stop"], check=False, capture_output=True, timeout=120)
    time.sleep(2)
    subprocess.run(["rabbitmq-server", "-detached"], check=True, capture_output=True)
    for _ in range(90):
        if subprocess.run(["rabbitmqctl", "-q", "await_startup", "--timeout", "5"],
                          capture_output=True).returncode == 0:
            return
        time.sleep(1)
    raise RuntimeError("RabbitMQ did not come back")


def restart_postgresql() -> None:
    """Restart the cluster the drill's databases are on (the one listening on the benchmark's port)."""
    version, cluster = postgresql_cluster(harness.POSTGRES["port"])
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"], check=True,
                   capture_output=True, timeout=120)


def postgresql_cluster(port: int) -> tuple[str, str]:
    listing = subprocess.run(["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True).stdout
    for line in listing.splitlines():
        version, cluster, listens = line.split()[:3]
        if int(listens) == port:
            return version, cluster
    raise RuntimeError(f"no PostgreSQL cluster of this machine listens on port {port}")


def kill_and_restart(office, name: str, amqp_uri: str, databases: dict, data_dir: Path) -> None:
    """SIGKILL (no goodbye: unacked messages go back to the broker), then the same service on the same port."""
    process = next(p for p in office.processes if p.name == name)
    if process.popen.poll() is not None:
        raise RuntimeError(f"{name} had died on its own before the drill killed it:\n{harness.log_tail(process, 40)}")
    process.popen.kill()
    process.popen.wait(timeout=10)
    port = int(process.url.rsplit(":", 1)[1])
    env = harness.service_env(name, port, amqp_uri, databases[name], data_dir, "WARNING")
    with open(process.log, "ab") as out:
        process.popen = subprocess.Popen(harness.service_command(name), cwd=harness.REPO_ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
    harness.wait_healthy(process)


# --- the independent subscriber --------------------------------------------------------------------

class Subscriber(threading.Thread):
    """A bureau-like subscriber: its own durable queue bound with ``#`` to every publisher's events exchange.

    Records every event id it receives (a redelivery has the same id and counts once) and checks each
    against the contract; reconnects after the broker restarts, and its queue kept what came meanwhile.
    """

    def __init__(self, amqp_uri: str):
        super().__init__(daemon=True, name="drill-subscriber")
        self.parameters = harness.broker_parameters(amqp_uri)
        self.seen: dict[str, str] = {}  # event id -> type
        self.deliveries = 0
        self.invalid: dict[str, str] = {}  # message id -> why the contract refused it
        self.reconnects = 0
        self._halt = threading.Event()

    def declare(self) -> None:
        """The queue and its bindings, before the first report (the exchanges as nameko declares them)."""
        with pika.BlockingConnection(self.parameters) as connection:
            channel = connection.channel()
            # replicated like the services' own queues when they are quorum queues (LIANXIN_QUEUE_TYPE)
            channel.queue_declare(SUBSCRIBER_QUEUE, durable=True,
                                  arguments=queue_arguments(os.environ.get("LIANXIN_QUEUE_TYPE", "classic")))
            for service in PUBLISHERS:
                channel.exchange_declare(f"{service}.events", exchange_type="topic", durable=True)
                channel.queue_bind(SUBSCRIBER_QUEUE, f"{service}.events", routing_key="#")

    def run(self):
        while not self._halt.is_set():
            try:
                connection = pika.BlockingConnection(self.parameters)
                try:
                    channel = connection.channel()
                    channel.basic_qos(prefetch_count=500)
                    channel.basic_consume(SUBSCRIBER_QUEUE, self._received)
                    while not self._halt.is_set():
                        connection.process_data_events(time_limit=0.5)
                finally:
                    if connection.is_open:
                        connection.close()
            except (pika.exceptions.AMQPError, OSError):  # the broker went away: come back when it does
                self.reconnects += 1
                self._halt.wait(1.0)

    def _received(self, channel, method, properties, body):
        self.deliveries += 1
        try:
            event = parse_event(body)
            self.seen[event.id] = event.type
        except InvalidEvent as exc:
            self.invalid[properties.message_id or hashlib.sha256(body).hexdigest()] = str(exc)
        channel.basic_ack(method.delivery_tag)

    def stop(self):
        self._halt.set()
        self.join(timeout=10)


# --- poisoned messages -----------------------------------------------------------------------------

def poisons(batch: int) -> list[tuple[str, str, bytes]]:
    """(consumer service, its queue, body) of messages no consumer may apply, each marked in its body."""
    def event(n, event_type, data):
        return json.dumps({"specversion": "1.0", "id": f"drill-poison-{batch}-{n}",
                           "source": f"/lianxin/{CATALOGUE[event_type].publisher}", "type": event_type,
                           "time": "2026-11-28T08:00:00+00:00", "subject": "C00000001",
                           "datacontenttype": "application/json",
                           "dataschema": f"urn:lianxin:event:{event_type}:v1", "data": data}).encode()

    return [
        ("dispatch", "dispatch.report.received", f"drill-poison-{batch}-1: not JSON at all".encode()),
        ("supervision", "supervision.case.reported", event(2, "case.reported", {"case_id": "C00000001"})),
        ("scoring", "scoring.case.closed", event(3, "case.closed", {"case_id": "C00000001",
                                                                    "phone": "13800001234"})),
        ("intake", "intake.case.dispatched", event(4, "case.closed", {})),  # the wrong type for the queue
    ]


def poison(amqp_uri: str, batch: int) -> list[tuple[str, str]]:
    """Put one batch straight into consumers' queues; returns (service, marker) of each."""
    for _service, queue, body in poisons(batch):
        publish_confirmed(amqp_uri, queue, body)
    return [(service, marker_of(body)) for service, _queue, body in poisons(batch)]


def publish_confirmed(amqp_uri: str, queue: str, body: bytes, attempts: int = 30) -> None:
    """One persistent message, confirmed; retried alone, so a retry doubles no other message."""
    for attempt in range(attempts):
        connection = None
        try:
            connection = pika.BlockingConnection(harness.broker_parameters(amqp_uri))
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish("", queue, body, pika.BasicProperties(
                delivery_mode=2, content_type="application/json"), mandatory=True)
            return  # confirmed: whatever closing the connection says, it is not sent again
        except (pika.exceptions.AMQPError, OSError):  # the broker away, or the queue not declared yet
            if attempt == attempts - 1:
                raise
            time.sleep(1)
        finally:
            with suppress(pika.exceptions.AMQPError, OSError):
                if connection is not None and connection.is_open:
                    connection.close()


def marker_of(body: bytes) -> str | None:
    start = body.find(b"drill-poison-")
    if start < 0:
        return None
    end = start + len(b"drill-poison-")
    while end < len(body) and body[end:end + 1] in b"0123456789-":
        end += 1
    return body[start:end].decode()


def dead_letters(amqp_uri: str) -> list[tuple[str, str | None, str | None]]:
    """(service, poison marker, x-lianxin-reason) of every parked message, left where it is."""
    found = []
    with pika.BlockingConnection(harness.broker_parameters(amqp_uri)) as connection:
        for service in SERVICES:
            channel = connection.channel()
            try:
                channel.queue_declare(f"{service}.dead-letter", durable=True, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                continue  # never declared: nothing was ever parked there
            while (got := channel.basic_get(f"{service}.dead-letter"))[0] is not None:
                _method, properties, body = got
                found.append((service, marker_of(body), (properties.headers or {}).get("x-lianxin-reason")))
            channel.close()  # unacked: they go back to the queue
    return found


# --- the lifecycle, through the public HTTP APIs --------------------------------------------------

class Refused(Exception):
    """The office refused a step the drill expected to be allowed: a finding, not a fault to wait out."""


def unit_staff(credentials: Path) -> dict[str, tuple[str, str]]:
    """unit -> (handler's code, head's code), from the credentials file."""
    staff = yaml.safe_load(credentials.read_text(encoding="utf-8"))["staff"]
    codes = {(s["unit"], s["role"]): s["code"] for s in staff if s["role"] in ("unit_handler", "unit_head")}
    return {unit: (codes[(unit, "unit_handler")], codes.get((unit, "unit_head"), codes[(unit, "unit_handler")]))
            for unit, role in codes if role == "unit_handler"}


def reachable_units(credentials: Path) -> set[str]:
    """The units someone of which notifications can tell of a case (an address on a channel they take)."""
    contacts = StaffFileContacts(load_credentials(credentials))
    units = {s.unit for s in contacts.credentials.staff if s.role in UNIT_ROLES}
    return {unit for unit in units
            if any(contacts.contact(code).reachable_by() for code in contacts.codes(UNIT_ROLES, unit))}


def sent_back(case_id: str, percent: int) -> bool:
    """The petitioners who are dissatisfied at the first callback: a stable share of cases."""
    return int.from_bytes(hashlib.sha256(case_id.encode()).digest()[:4], "big") % 100 < percent


def handling_report(handler: str, head: str, round_: int) -> dict:
    return {"finding": "substantiated", "actions_taken": f"第{round_ + 1}次到现场核实，已协调解决，并说明处理结果。",
            "explanation": "按政策办理。", "petitioner_opinion": "认可", "petitioner_acknowledged": True,
            "responsible_person": handler, "unit_head": head}


def callback(satisfied: bool) -> dict:
    return {"reached": True, "resolved": "yes" if satisfied else "partly",
            "satisfaction": "satisfied" if satisfied else "dissatisfied", "recorded_by": CALLER,
            "comment": "" if satisfied else "群众认为问题没有彻底解决"}


class Lifecycle:
    """The office's staff, simulated: reports offered at a fixed rate, and every case driven to its closure.

    Each step is retried until the office answers it, idempotently: reports carry an Idempotency-Key,
    and an action on a case answered 409 already happened (a retry whose first answer was lost). The
    unit and the callers work from their boards (dispatch's dispatched cases, supervision's cases
    awaiting a callback), each case and round once. Runs on an event loop of its own thread.
    """

    def __init__(self, office, bodies: list[bytes], rate: float, reopen_percent: int, units: dict):
        self.office, self.bodies, self.rate = office, bodies, rate
        self.reopen_percent, self.units = reopen_percent, units
        self.accepted: dict[int, str] = {}  # report number -> report id
        self.linked: set[str] = set()  # reports intake joined to an open one's case (sorted after the answer: read
        # from intake's table once the office settled)
        self.done: Counter = Counter()  # lifecycle steps done, by step
        self.retried: Counter = Counter()  # transient failures waited out, by kind
        self.refused: list[str] = []
        self.last_failure: dict[str, str] = {}  # what the office last said, by kind of server error
        self.started_at = time.monotonic()
        self._taken: set[tuple[str, int, str]] = set()  # (case, round, board) taken up by a worker
        self._steps: set[asyncio.Task] = set()  # steps under way
        self._halt = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True, name="lifecycle")

    def start(self):
        self._thread.start()

    def stop(self):
        self._halt.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    @property
    def busy(self) -> bool:
        return bool(self._steps)

    @property
    def offered_all(self) -> bool:
        return len(self.accepted) + sum(1 for r in self.refused if r.startswith("report")) >= len(self.bodies)

    def expected(self) -> dict[str, int]:
        """The lifecycle events what the drill did must have caused."""
        originals = len(self.accepted) - len(self.linked)
        return {"report.received": len(self.accepted), "case.dispatched": originals + self.done["reopened"],
                "case.accepted": self.done["accepted"], "case.reported": self.done["reported"],
                "callback.recorded": self.done["called back"], "case.reopened": self.done["reopened"],
                "case.closed": self.done["closed"]}

    def progress(self) -> str:
        done = self.done
        return (f"accepted {len(self.accepted)}/{len(self.bodies)} reports; cases handled {done['reported']}, "
                f"called back {done['called back']} (reopened {done['reopened']}, reviews {done['reviews']}), "
                f"closed {done['closed']}; retried {sum(self.retried.values())}")

    # --- the loop ----------------------------------------------------------------------------------

    async def _run(self):
        limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
        self.clients = {s: httpx.AsyncClient(base_url=self.office.urls(s)[0], timeout=30, limits=limits)
                        for s in SERVICES}
        self.workers = asyncio.Semaphore(WORKERS)
        tasks = [asyncio.create_task(job) for job in (self._offer(), self._unit_board(), self._callers_board())]
        while not self._halt.is_set():
            await asyncio.sleep(0.2)
        for task in tasks + list(self._steps):
            task.cancel()
        await asyncio.gather(*tasks, *self._steps, return_exceptions=True)
        for client in self.clients.values():
            await client.aclose()

    def _spawn(self, coroutine):
        task = asyncio.create_task(coroutine)
        self._steps.add(task)
        task.add_done_callback(self._steps.discard)

    async def _send(self, service: str, method: str, path: str, staff: str, body=None, headers=None,
                    done_if_conflict: bool = True) -> dict | None:
        """Until the office answers: the answer's JSON, or None for 409 (already in that state)."""
        attempt = 0
        while True:
            async with self.workers:
                try:
                    answer = await self.clients[service].request(
                        method, path, headers={**bearer(staff), **(headers or {})},
                        **({"content": body} if isinstance(body, bytes) else {"json": body}))
                except httpx.HTTPError as exc:  # down, restarting, or the answer lost
                    self.retried[type(exc).__name__] += 1
                else:
                    if answer.status_code < 300:
                        return answer.json()
                    if answer.status_code == 409 and done_if_conflict:
                        return None
                    if answer.status_code < 500:
                        raise Refused(f"{method} {service}{path}: {answer.status_code} {answer.text[:300]}")
                    self.retried[f"{service} {answer.status_code}"] += 1
                    self.last_failure[f"{service} {answer.status_code}"] = answer.text[:200]
            attempt += 1
            await asyncio.sleep(min(5.0, 0.1 * 2 ** attempt))

    async def _step(self, what: str, coroutine) -> None:
        try:
            await coroutine
        except Refused as exc:
            self.refused.append(f"{what}: {exc}")

    # --- intake: reports offered at a fixed rate ---------------------------------------------------

    async def _offer(self):
        loop = asyncio.get_running_loop()
        start = loop.time()
        for number in range(len(self.bodies)):
            await asyncio.sleep(max(0.0, start + number / self.rate - loop.time()))
            self._spawn(self._step(f"report {number}", self._take_in(number)))

    async def _take_in(self, number: int):
        report = await self._send("intake", "POST", "/reports", "hotline-op-01", self.bodies[number],
                                  {"Content-Type": "application/json", "Idempotency-Key": f"drill-{number}"},
                                  done_if_conflict=False)
        self.accepted[number] = report["report_id"]

    # --- the units, from dispatch's board ----------------------------------------------------------

    async def _board(self, service: str, staff: str, state: str):
        """Every case in a state, page by page; empty while the service cannot answer."""
        cases, after = [], None
        try:
            while True:
                params = {"state": state, "limit": harness.PAGE, **({"after": after} if after else {})}
                answer = await self.clients[service].get("/cases", params=params, headers=bearer(staff))
                answer.raise_for_status()
                page = answer.json()
                cases += page["cases"]
                if not (after := page["next_after"]):
                    return cases
        except (httpx.HTTPError, ValueError):
            self.retried[f"{service} board"] += 1
            return []

    def _take_up(self, case: dict, board: str) -> bool:
        key = (case["case_id"], case["reopen_count"], board)
        if key in self._taken:
            return False
        self._taken.add(key)
        return True

    async def _unit_board(self):
        while True:
            for case in await self._board("dispatch", SUPERVISOR, "dispatched"):
                if self._take_up(case, "unit"):
                    self._spawn(self._step(f"handling {case['case_id']}", self._handle(case)))
            await asyncio.sleep(POLL_S)

    async def _handle(self, case: dict):
        """The unit accepts its case and reports on it, signed by the responsible person and the head."""
        if case["unit"] not in self.units:
            raise Refused(f"no handler in the credentials for {case['unit']}")
        handler, head = self.units[case["unit"]]
        path, round_ = f"/cases/{case['case_id']}", case["reopen_count"]
        await self._send("dispatch", "POST", f"{path}/acceptance", handler, {})
        self.done["accepted"] += 1
        await self._send("dispatch", "POST", f"{path}/handling-report", handler,
                         handling_report(handler, head, round_))
        self.done["reported"] += 1

    # --- supervision: reviews, callbacks, closure --------------------------------------------------

    async def _callers_board(self):
        while True:
            for case in await self._board("supervision", SUPERVISOR, "awaiting_callback"):
                if self._take_up(case, "callers"):
                    self._spawn(self._step(f"callback {case['case_id']}", self._call_back(case)))
            await asyncio.sleep(POLL_S)

    async def _call_back(self, case: dict):
        """Conclude a review holding the round up, call the petitioner back, and close when satisfied."""
        path, round_ = f"/cases/{case['case_id']}", case["reopen_count"]
        for review in case["reviews"]:
            if review["outcome"] is None and review["round"] == round_:
                await self._send("supervision", "POST", f"/reviews/{review['review_id']}/conclusion", SUPERVISOR,
                                 {"outcome": "upheld", "findings": "处理得当，维持办理意见。"})
                self.done["reviews"] += 1
        satisfied = round_ > 0 or not sent_back(case["case_id"], self.reopen_percent)
        await self._send("supervision", "POST", f"{path}/callbacks", CALLER, callback(satisfied))
        self.done["called back"] += 1
        if not satisfied:
            self.done["reopened"] += 1
            return
        closed = await self._send("supervision", "POST", f"{path}/closure", SUPERVISOR, done_if_conflict=False)
        if closed["state"] != "closed":
            raise Refused(f"{case['case_id']} is {closed['state']} after its closure")
        self.done["closed"] += 1


# --- counting --------------------------------------------------------------------------------------

def rows(url: str, sql: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        engine.dispose()


@dataclass
class Tally:
    """What each service's database holds at the end."""
    reports: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # report id -> (duplicate of, status)
    cases: list[tuple[str, str, str, int, list]] = field(default_factory=list)  # id, report, state, round, linked
    supervised: dict[str, tuple[str, int]] = field(default_factory=dict)  # case id -> (state, round)
    scored: dict[str, tuple[bool, int]] = field(default_factory=dict)  # case id -> (closed, round)
    effects: dict[str, Counter] = field(default_factory=dict)  # what was done, per case, as each service counts it
    outbox: dict[str, dict[str, str]] = field(default_factory=dict)  # service -> event id -> type
    unpublished: dict[str, int] = field(default_factory=dict)
    inbox: dict[str, dict[str, str]] = field(default_factory=dict)  # service -> event id -> type
    units: dict[str, str] = field(default_factory=dict)  # case id -> its unit, in dispatch
    told: dict[str, int] = field(default_factory=dict)  # case id -> dispatches its unit was told of


def tally(databases: dict[str, str]) -> Tally:
    found = Tally()
    found.reports = {f"R{pk:08d}": (None if of is None else f"R{of:08d}", status)
                     for pk, of, status in rows(databases["intake"], "SELECT id, duplicate_of, status FROM reports")}
    found.cases = [(f"C{pk:08d}", report, state, round_, json.loads(linked) if isinstance(linked, str) else linked)
                   for pk, report, state, round_, linked in rows(
                       databases["dispatch"], "SELECT id, report_id, state, reopen_count, linked_reports FROM cases")]
    found.supervised = {case: (state, round_) for case, state, round_ in rows(
        databases["supervision"], "SELECT case_id, state, reopen_count FROM supervised_cases")}
    found.scored = {case: (closed is not None, round_) for case, closed, round_ in rows(
        databases["scoring"], "SELECT case_id, closed_at, reopen_count FROM case_records")}
    found.effects = effects(databases)
    found.units = {f"C{pk:08d}": unit for pk, unit in rows(databases["dispatch"], "SELECT id, unit FROM cases")}
    found.told = dict(rows(databases["notifications"], "SELECT case_id, count(DISTINCT cause) FROM deliveries "
                                                       "WHERE template IN ('case_assigned', 'case_sent_again') "
                                                       "GROUP BY case_id"))
    for service, url in databases.items():
        outbox = rows(url, "SELECT event_id, type, published_at IS NULL FROM outbox")
        found.outbox[service] = {event_id: kind for event_id, kind, _ in outbox}
        found.unpublished[service] = sum(1 for *_, waiting in outbox if waiting)
        found.inbox[service] = dict(rows(url, "SELECT event_id, type FROM inbox"))
    return found


EFFECTS = (  # (what, service, per case): an event applied twice in effect shows here
    ("handling reports", "dispatch", "SELECT case_pk, count(*) FROM handling_reports GROUP BY case_pk"),
    ("callbacks", "supervision", "SELECT case_id, count(*) FROM callbacks GROUP BY case_id"),
    ("callbacks scored", "scoring", "SELECT case_id, answered_callbacks FROM case_records"),
    ("dissatisfied callbacks scored", "scoring", "SELECT case_id, dissatisfied_callbacks FROM case_records"),
)


def effects(databases: dict[str, str]) -> dict[str, Counter]:
    per_case: dict[str, Counter] = {}
    for what, service, sql in EFFECTS:
        for case, n in rows(databases[service], sql):
            case_id = f"C{case:08d}" if isinstance(case, int) else case  # dispatch's own row id
            per_case.setdefault(case_id, Counter())[what] = n
    return per_case


def settled(databases: dict[str, str], subscriber_seen: int) -> bool:
    """Nothing left to move: every case closed everywhere, outboxes drained, every event delivered."""
    count = "SELECT count(*) FROM {} WHERE {}"
    try:
        waiting = [rows(databases["intake"], count.format("reports", "status <> 'closed'"))[0][0],
                   rows(databases["dispatch"], count.format("cases", "state <> 'closed'"))[0][0],
                   rows(databases["supervision"], count.format("supervised_cases", "state <> 'closed'"))[0][0],
                   rows(databases["scoring"], count.format("case_records", "closed_at IS NULL"))[0][0]]
        waiting += [rows(url, count.format("outbox", "published_at IS NULL"))[0][0] for url in databases.values()]
        published = sum(rows(url, "SELECT count(*) FROM outbox")[0][0] for url in databases.values())
        cases = [rows(databases[s], f"SELECT count(*) FROM {t}")[0][0]
                 for s, t in (("dispatch", "cases"), ("supervision", "supervised_cases"), ("scoring", "case_records"))]
        behind = consumers_behind(databases)
    except Exception:  # PostgreSQL may still be coming back
        return False
    return not any(waiting) and published == subscriber_seen and len(set(cases)) == 1 and not behind


def consumers_behind(databases: dict[str, str]) -> list[str]:
    """The consumers whose inbox holds fewer of an event type than its publisher published: closed cases say
    nothing of notifications, which may still be telling units after the last case closed."""
    published, applied = Counter(), {}
    for service, url in databases.items():
        published.update(dict(rows(url, "SELECT type, count(*) FROM outbox GROUP BY type")))
        applied[service] = dict(rows(url, "SELECT type, count(*) FROM inbox GROUP BY type"))
    return [f"{consumer} {kind}" for kind, entry in CATALOGUE.items() for consumer in entry.consumers
            if consumer in databases and applied[consumer].get(kind, 0) < published[kind]]


def check_reports(found: Tally, accepted: set[str]) -> list[str]:
    """Every accepted report exactly one case (or joined to exactly one open one's), none extra."""
    problems = []
    if lost := accepted - found.reports.keys():
        problems.append(f"{len(lost)} accepted reports missing from intake, e.g. {sorted(lost)[:3]}")
    originals = {r for r, (of, _status) in found.reports.items() if of is None}
    per_report = Counter(report for _id, report, *_ in found.cases)
    linked = Counter(r for *_, joined in found.cases for r in joined)
    if missing := originals - per_report.keys():
        problems.append(f"{len(missing)} reports without a case, e.g. {sorted(missing)[:3]}")
    if doubled := [r for r, n in per_report.items() if n > 1]:
        problems.append(f"{len(doubled)} reports with more than one case, e.g. {doubled[:3]}")
    if extra := per_report.keys() - originals:
        problems.append(f"{len(extra)} cases of no report intake has as an original, e.g. {sorted(extra)[:3]}")
    joined = found.reports.keys() - originals
    if unjoined := [r for r in joined if linked[r] != 1]:
        problems.append(f"{len(unjoined)} repeated reports not joined to exactly one case, e.g. {unjoined[:3]}")
    return problems


def check_states(found: Tally, reopen: dict[str, int]) -> list[str]:
    """Every case closed in dispatch, supervision and scoring, in the round the drill took it to; reports closed."""
    problems = []
    case_ids = {case_id for case_id, *_ in found.cases}
    for service, known in (("supervision", found.supervised), ("scoring", found.scored)):
        if case_ids != known.keys():
            problems.append(f"{service} knows {len(known)} cases, dispatch {len(case_ids)} "
                            f"({len(case_ids - known.keys())} missing, {len(known.keys() - case_ids)} extra)")
    states = {"dispatch": [(c, s == "closed", r) for c, _report, s, r, _ in found.cases],
              "supervision": [(c, s == "closed", r) for c, (s, r) in found.supervised.items()],
              "scoring": [(c, closed, r) for c, (closed, r) in found.scored.items()]}
    for service, cases in states.items():
        if open_ := [c for c, closed, _ in cases if not closed]:
            problems.append(f"{len(open_)} cases not closed in {service}, e.g. {open_[:3]}")
        if off := [c for c, _, r in cases if r != reopen.get(c, 0)]:
            problems.append(f"{len(off)} cases in {service} in another round than the drill took them to, "
                            f"e.g. {off[:3]}")
    if off := [f"{c} {dict(got)}" for c, got, want in in_effect(found, reopen) if got != want]:
        problems.append(f"{len(off)} cases with another effect than one per round, e.g. {off[:3]}")
    if open_reports := [r for r, (_of, status) in found.reports.items() if status != "closed"]:
        problems.append(f"{len(open_reports)} reports not closed in intake, e.g. {open_reports[:3]}")
    return problems


def check_told(found: Tally, reopen: dict[str, int], reachable: set[str]) -> list[str]:
    """Notifications told each case's unit once per round it was sent there (when anyone there can be told)."""
    off = [f"{case} {found.told.get(case, 0)}" for case, unit in found.units.items()
           if found.told.get(case, 0) != (reopen.get(case, 0) + 1 if unit in reachable else 0)]
    return [f"{len(off)} cases whose unit was told otherwise than once per round, e.g. {off[:3]}"] if off else []


def in_effect(found: Tally, reopen: dict[str, int]):
    """(case, what each service counts was done to it, what the drill did: one of each per round)."""
    for case_id, *_ in found.cases:
        rounds = reopen.get(case_id, 0) + 1
        yield case_id, found.effects.get(case_id, Counter()), Counter(
            {"handling reports": rounds, "callbacks": rounds, "callbacks scored": rounds,
             "dissatisfied callbacks scored": rounds - 1})


def event_table(found: Tally, expected: dict[str, int], seen: dict[str, str]) -> tuple[list[tuple], list[str]]:
    """Per event type: expected, in the publisher's outbox, seen by the subscriber, applied by each consumer."""
    table, problems = [], []
    for event_type, entry in CATALOGUE.items():
        published = {i for i, t in found.outbox.get(entry.publisher, {}).items() if t == event_type}
        received = {i for i, t in seen.items() if t == event_type}
        applied = {c: {i for i, t in found.inbox.get(c, {}).items() if t == event_type} for c in entry.consumers}
        want = expected.get(event_type)
        if not (published or received or want or any(applied.values())):
            continue
        table.append((event_type, want, len(published), len(received), {c: len(a) for c, a in applied.items()}))
        if want is not None and len(published) != want:
            problems.append(f"{event_type}: the drill caused {want}, {entry.publisher}'s outbox holds {len(published)}")
        for who, got in (("the subscriber", received), *((f"{c}'s inbox", a) for c, a in applied.items())):
            if got != published:
                problems.append(f"{event_type}: {who} lacks {len(published - got)} of the published and has "
                                f"{len(got - published)} never published")
    return table, problems


def check_messaging(found: Tally, invalid: dict[str, str], parked: list[tuple], poisoned: list[tuple]) -> list[str]:
    """Outboxes drained; the subscriber met no event breaking the contract; dead letters just the poison."""
    problems = [f"{s}: {n} outbox rows unpublished" for s, n in found.unpublished.items() if n]
    problems += [f"the subscriber received {len(invalid)} events the contract refuses, e.g. "
                 f"{next(iter(invalid.values()))}"] if invalid else []
    wanted, got = Counter(poisoned), Counter((service, marker) for service, marker, _ in parked)
    if missing := wanted - got:
        problems.append(f"poisoned messages not dead-lettered: {sorted(missing)}")
    if extra := got - wanted:
        problems.append(f"dead letters the drill did not poison (or parked twice): {sorted(extra, key=str)[:5]}")
    if unexplained := [(s, m) for s, m, reason in parked if not reason]:
        problems.append(f"dead letters without an x-lianxin-reason: {unexplained[:5]}")
    return problems


def print_counts(found: Tally, table: list[tuple], subscriber: Subscriber, parked: list[tuple],
                 drill_counts: dict[str, int], echo) -> None:
    """What each database holds, service by service, beside what the drill itself counted; then the events."""
    per_case = sum(found.effects.values(), Counter())
    grid = {
        "reports accepted": {"intake": len(found.reports), "drill": drill_counts["accepted"]},
        "  joined to an open one's case": {"intake": sum(1 for of, _ in found.reports.values() if of is not None)},
        "cases": {"dispatch": len(found.cases), "supervision": len(found.supervised), "scoring": len(found.scored)},
        "closed": {"intake": sum(s == "closed" for _, s in found.reports.values()),
                   "dispatch": sum(c[2] == "closed" for c in found.cases),
                   "supervision": sum(s == "closed" for s, _ in found.supervised.values()),
                   "scoring": sum(closed for closed, _ in found.scored.values()), "drill": drill_counts["closed"]},
        **{what: {service: per_case[what]} for what, service, _ in EFFECTS},
        "dispatches told to the unit": {"notifications": sum(found.told.values())},
        "outbox rows unpublished": found.unpublished,
        "dead letters (poisoned)": {**Counter(service for service, *_ in parked), "drill": drill_counts["poisoned"]},
    }
    echo(f"\n  {'':<32}" + "".join(f"{c:>12}" for c in (*SERVICES, "drill")))
    for what, counts in grid.items():
        echo(f"  {what:<32}" + "".join(f"{counts.get(c, ''):>12}" for c in (*SERVICES, "drill")))
    echo(f"\n  {'event':<24}{'expected':>9}{'outbox':>8}{'subscriber':>11}  applied (inbox)")
    for event_type, want, published, received, applied in table:
        echo(f"  {event_type:<24}{'—' if want is None else want:>9}{published:>8}{received:>11}  "
             + ", ".join(f"{c} {n}" for c, n in applied.items()))
    echo(f"\n  subscriber: {subscriber.deliveries} deliveries of {len(subscriber.seen)} distinct events, "
         f"{subscriber.reconnects} reconnections, {len(subscriber.invalid)} refused by the contract")
    for service, marker, reason in parked:
        echo(f"  dead letter in {service}: {marker or 'not poisoned by the drill'} — {(reason or 'no reason')[:80]}")


# --- the drill -------------------------------------------------------------------------------------

@dataclass
class Outcome:
    problems: list[str]
    expected: dict[str, int]  # lifecycle events the drill caused, by type
    table: list[tuple]  # per event type: expected, outbox, subscriber, inboxes
    found: Tally


def schedule(office, amqp_uri: str, databases: dict, data_dir: Path, faults: bool, poisoned: list,
             extra_steps=()) -> list:
    """(share of the offering's span, what, action): poison twice, the faults in between, and the caller's own
    (bench/rabbit_cluster.py kills cluster nodes)."""
    steps = [*extra_steps, (0.05, "poison consumer queues", lambda: poisoned.extend(poison(amqp_uri, 1))),
             (0.55, "poison consumer queues again", lambda: poisoned.extend(poison(amqp_uri, 2)))]
    if faults:
        steps += [(0.15, "restart RabbitMQ", restart_broker), (0.75, "restart PostgreSQL", restart_postgresql)]
        steps += [(0.3 + 0.1 * i, f"kill -9 {s} and start it again",
                   lambda s=s: kill_and_restart(office, s, amqp_uri, databases, data_dir))
                  for i, s in enumerate(SERVICES)]
    return sorted(steps, key=lambda step: step[0])


def drill(reports: int, rate: float, faults: bool = True, reopen_percent: int = REOPEN_PERCENT,
          settle_timeout: float = 600.0, echo=None, extra_steps=()) -> Outcome:
    """Run the office, push the reports through while hurting it, count; prints the counts and the verdict."""
    echo = echo or partial(print, flush=True)
    maker = harness.ReportMaker(harness.REPO_ROOT / "deploy" / "county.yaml", seed=11,
                                  reachable=True)  # petitioners to call back (anonymous cases close otherwise)
    bodies = [maker.body(n) for n in range(reports)]
    credentials = harness.REPO_ROOT / "deploy" / "staff.yaml"
    units = unit_staff(credentials)
    with harness.private_vhost() as amqp_uri, tempfile.TemporaryDirectory() as tmp, \
            harness.service_databases("postgresql", Path(tmp), SERVICES) as databases:
        data_dir, office, poisoned = Path(tmp), harness.Office(), []
        subscriber = Subscriber(amqp_uri)
        subscriber.declare()  # before the first report
        subscriber.start()
        lifecycle = Lifecycle(office, bodies, rate, reopen_percent, units)
        try:
            harness.start_office(office, amqp_uri, databases, data_dir, 1, "WARNING")
            lifecycle.start()
            settled_in = run_schedule(Timeline(lifecycle, subscriber, office, echo), databases,
                                      schedule(office, amqp_uri, databases, data_dir, faults, poisoned, extra_steps),
                                      reports / rate, settle_timeout)
        finally:
            lifecycle.stop()
            subscriber.stop()
            harness.stop_office(office)
        found, parked = tally(databases), dead_letters(amqp_uri)
    lifecycle.linked = {r for r, (of, _status) in found.reports.items() if of is not None}
    expected = lifecycle.expected()
    table, problems = event_table(found, expected, subscriber.seen)
    reopen = {c: 1 for c, *_ in found.cases if sent_back(c, reopen_percent)}
    problems = (check_reports(found, set(lifecycle.accepted.values())) + check_states(found, reopen)
                + check_told(found, reopen, reachable_units(credentials))
                + problems + check_messaging(found, subscriber.invalid, parked, poisoned)
                + [f"refused: {r}" for r in lifecycle.refused[:10]]
                + ([] if settled_in is not None else [f"the office did not settle within {settle_timeout:.0f}s"]))
    print_counts(found, table, subscriber, parked, {"accepted": len(lifecycle.accepted),
                                                    "closed": lifecycle.done["closed"], "poisoned": len(poisoned)},
                 echo)
    echo(f"  retried while the office was hurt: {dict(lifecycle.retried) or 'nothing'}")
    for kind, said in lifecycle.last_failure.items():
        echo(f"    last {kind}: {said}")
    echo("DRILL PASSED" if not problems else "DRILL FAILED:\n  " + "\n  ".join(problems))
    return Outcome(problems, expected, table, found)


class Timeline:
    """The drill's clock: says what happens when, and how far the lifecycle got every 10 s."""

    def __init__(self, lifecycle: Lifecycle, subscriber: Subscriber, office, echo):
        self.lifecycle, self.subscriber, self.office, self.echo = lifecycle, subscriber, office, echo
        self.started = time.monotonic()
        self.next_progress = self.started + 10

    def say(self, what: str) -> None:
        self.echo(f"{time.monotonic() - self.started:7.1f}s  {what}")

    def wait_until(self, until: float) -> None:
        """Sleep until a time, with progress; a service that died on its own stops the drill."""
        while (now := time.monotonic()) < until:
            if dead := self.office.dead():
                raise RuntimeError(f"{dead[0].name} exited on its own:\n{harness.log_tail(dead[0], 40)}")
            if now >= self.next_progress:
                self.next_progress = now + 10
                self.say(f"{self.lifecycle.progress()}; the subscriber saw {len(self.subscriber.seen)} events")
            time.sleep(min(1.0, until - now))


def run_schedule(timeline: Timeline, databases: dict, steps: list, span: float, settle_timeout: float) -> float | None:
    """The poison and faults at their times, then wait to settle; returns the seconds settling took, None if it
    did not within the timeout (counted from the end of the offering, or of the last fault)."""
    lifecycle = timeline.lifecycle
    for share, what, action in steps:
        timeline.wait_until(timeline.started + share * span)
        timeline.say(what)
        action()
    timeline.wait_until(timeline.started + span)
    timeline.say("the last report is due; waiting until every case is closed and every event delivered")
    settling = time.monotonic()
    while time.monotonic() - settling < settle_timeout:
        if lifecycle.offered_all and not lifecycle.busy and settled(databases, len(timeline.subscriber.seen)):
            timeline.say(f"settled in {time.monotonic() - settling:.0f}s")
            return time.monotonic() - settling
        timeline.wait_until(time.monotonic() + 2)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="reports offered per second")
    parser.add_argument("--no-faults", action="store_true", help="no restarts and no kills (the broker is shared)")
    parser.add_argument("--reopen-percent", type=int, default=REOPEN_PERCENT,
                        help="cases whose petitioner is dissatisfied at the first callback")
    parser.add_argument("--settle-timeout", type=float, default=600.0, help="seconds to wait for the office to settle")
    args = parser.parse_args()
    if args.reports < 1 or args.rate <= 0 or not 0 <= args.reopen_percent <= 100:
        parser.error("--reports and --rate must be positive, --reopen-percent 0 to 100")
    # a SIGTERM stops the drill like Ctrl-C: through the finally clauses that stop the office
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    offering = args.reports / args.rate
    faults = 0 if args.no_faults else 150  # the faults take about this long, one after the other
    print(f"offering {args.reports} reports at {args.rate:g}/s takes {offering / 60:.1f} min; with "
          f"{'the faults and ' if faults else ''}the last cases' closing, expect about "
          f"{(max(offering, faults) + 60) / 60:.0f} min", flush=True)
    outcome = drill(args.reports, args.rate, not args.no_faults, args.reopen_percent, args.settle_timeout)
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
