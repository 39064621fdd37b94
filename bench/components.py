"""CPU per step of a report's way through the office, measured in one process (issue 7).

The end-to-end benchmark (``intake_peak.py``) says how fast the whole office is; this one says
where the time goes, so a change can be measured step by step. CPU time, not wall time: the
figures hold even while something else runs on the machine. Each step runs on a fresh SQLite
database; the consumer step runs a real service container on a private RabbitMQ virtual host.

    .venv/bin/python bench/components.py                 # every step
    .venv/bin/python bench/components.py --only consume  # one step
"""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402  (before anything that opens sockets)

eventlet.monkey_patch()

import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import click  # noqa: E402
import pika  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from lianxin.auth import Staff  # noqa: E402
from lianxin.db import Database  # noqa: E402
from lianxin.directory import load_directory  # noqa: E402
from lianxin.events import CATALOGUE, new_event, parse_event  # noqa: E402
from lianxin.messaging import dead_letter_queue, subscriber_queue  # noqa: E402
from lianxin.runner import SERVICES, load  # noqa: E402
from lianxin.testing import broker_vhost  # noqa: E402

DIRECTORY = load_directory(REPO_ROOT / "deploy" / "county.yaml")
WORDS = "路灯 不亮 水管 漏水 噪音 扰民 拖欠 工资 土地 纠纷 垃圾 堆放 道路 破损 学校 医院 补贴 养老 停车 占道".split()


def cpu_ms_per(count: int, work) -> float:
    started = time.process_time()
    work()
    return 1000 * (time.process_time() - started) / count


def report_received(n: int):
    village = random.choice(list(DIRECTORY.villages))
    return new_event("report.received", f"R{n:08d}", {
        "report_id": f"R{n:08d}", "channel": "hotline", "category": random.choice(list(DIRECTORY.category_by_code)),
        "category_suggested": False, "township": DIRECTORY.township_of(village, None), "village": village,
        "enterprise": None, "people_count": 1, "content": " ".join(random.choices(WORDS, k=12)),
        "gathering": False, "duplicate_of": None, "reporter_id": f"{n:016x}",
        "received_at": datetime.now(timezone.utc), "received_by": {"role": "operator", "code": "hotline-op-01"}})


def take_in(count: int, folder: Path, database_url: str | None = None, pre_ping: bool | None = None) -> dict:
    """intake's accept path: validate, protect, store, emit ``report.registered``, commit, show (``cpu_ms``); then
    its sorting of the same reports, 20 to a batch as its consumer applies them: look for a repeat, redact, emit
    ``report.received``, count early signs, queue the SMS (``sort_cpu_ms``, per report).

    On PostgreSQL ``pre_ping`` turns the pool's ``SELECT 1`` at each checkout on or off, to weigh it."""
    from services.intake import service
    from services.intake.config import IntakeSettings
    from services.intake.protection import use_keys
    from services.intake.reporting import Intake
    from services.intake.schemas import ReportIn, report_view

    config = IntakeSettings().nameko_config()
    use_keys(config["PII_KEYS"])
    database = Database.of_service(service, database_url or f"sqlite:///{folder}/intake.db")
    if pre_ping is not None:
        database.engine.pool._pre_ping = pre_ping  # the bench's switch; lianxin.db decides for the services
    intake = Intake(DIRECTORY, config)
    staff = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)

    def one(n):
        incoming = ReportIn.model_validate({
            "channel": "hotline", "category": random.choice(list(DIRECTORY.category_by_code)),
            "village": random.choice(list(DIRECTORY.villages)), "content": " ".join(random.choices(WORDS, k=12)),
            "reporter": {"name": "张三", "phone": f"138{n:08d}"}})
        with database.unit_of_work() as uow:
            report, _ = intake.take_in(uow, incoming, staff)
            uow.commit()
            report_view(report)

    for n in range(200):  # warm the statement caches
        one(n)
    figure = {"cpu_ms": cpu_ms_per(count, lambda: [one(n) for n in range(200, 200 + count)])}
    registered = _registered(database)
    if registered:  # the code before issue 20's sorting step linked and announced in the take-in itself

        def sort(events):
            for start in range(0, len(events), SORT_BATCH):
                database.unit_of_work().apply(events[start:start + SORT_BATCH], intake.sort,
                                              load=intake.registered_reports)
        sort(registered[:200])
        figure["sort_cpu_ms"] = cpu_ms_per(len(registered) - 200, lambda: sort(registered[200:]))
    database.engine.dispose()
    return figure if pre_ping is None else {**figure, "pre_ping": pre_ping}


SORT_BATCH = 20  # intake's consumers apply at most this many events at once (INTAKE_BATCH_SIZE)


def _registered(database: Database) -> list:
    from sqlalchemy import select

    from lianxin.messaging_tables import outbox
    with database.engine.connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "report.registered")
                              .order_by(outbox.c.id)).all()
    return [parse_event(body) for body in bodies]


def follow(count: int, folder: Path) -> dict:
    """intake following its cases: ``case.dispatched`` for reports taken in, 20 to a batch as its consumer
    applies them (the report and its repeats kept in step, the petitioner told; these are anonymous)."""
    from services.intake import service
    from services.intake.config import IntakeSettings
    from services.intake.protection import use_keys
    from services.intake.reporting import Intake
    from services.intake.schemas import ReportIn

    config = IntakeSettings().nameko_config()
    use_keys(config["PII_KEYS"])
    database = Database.of_service(service, f"sqlite:///{folder}/intake-follow.db")
    intake = Intake(DIRECTORY, config)
    staff = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
    events = []
    for n in range(200 + count):
        incoming = ReportIn.model_validate({
            "channel": "hotline", "category": random.choice(list(DIRECTORY.category_by_code)),
            "village": random.choice(list(DIRECTORY.villages)), "content": " ".join(random.choices(WORDS, k=12))})
        with database.unit_of_work() as uow:
            report, _ = intake.take_in(uow, incoming, staff)
            uow.commit()
        events.append(case_dispatched(n, report))

    def apply(batch):
        for start in range(0, len(batch), SORT_BATCH):
            database.unit_of_work().apply(batch[start:start + SORT_BATCH], intake.dispatched)
    apply(events[:200])  # warm the statement caches
    figure = {"cpu_ms": cpu_ms_per(count, lambda: apply(events[200:]))}
    database.engine.dispose()
    return figure


def case_dispatched(n: int, report):
    now = datetime.now(timezone.utc)
    return new_event("case.dispatched", f"C{n:08d}", {
        "case_id": f"C{n:08d}", "report_id": report.report_id, "unit": "chengguan", "unit_kind": "township",
        "category": report.category, "township": report.township, "severity": "general",
        "deadline": now + timedelta(days=5), "routing_reason": "", "reporter_id": report.reporter_id,
        "reporter_marks": [], "received_at": report.received_at, "dispatched_at": now, "redispatch": False,
        "round": 0})


def take_in_postgresql(count: int) -> list[dict]:
    """intake's take-in on PostgreSQL, with the pool's pre-ping and without, each on a fresh database."""
    from bench.harness import service_databases
    figures = []
    for pre_ping in (True, False):
        with service_databases("postgresql", Path()) as urls:
            figures.append(take_in(count, Path(), urls["intake"], pre_ping))
    return figures


def checkout(count: int) -> list[dict]:
    """A pool checkout and return on PostgreSQL (what every unit of work does) with the pre-ping and without,
    alternating rounds so the machine's load falls on both alike; CPU of this process and wall time."""
    from sqlalchemy import text

    from bench.harness import service_databases
    from lianxin.db import make_engine

    used = {True: [0.0, 0.0], False: [0.0, 0.0]}
    with service_databases("postgresql", Path()) as urls:
        engine = make_engine(urls["intake"])
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        for _ in range(10):
            for pre_ping in (True, False):
                engine.pool._pre_ping = pre_ping  # the bench's switch; lianxin.db decides for the services
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(count // 10):
                    with engine.connect():
                        pass
                used[pre_ping][0] += time.process_time() - cpu
                used[pre_ping][1] += time.perf_counter() - wall
        engine.dispose()
    return [{"pre_ping": p, "cpu_ms": 1000 * cpu / count, "wall_ms": 1000 * wall / count}
            for p, (cpu, wall) in used.items()]


def open_case(count: int, folder: Path, batch: int) -> dict:
    """dispatch: route a report and open its case, ``batch`` events per transaction."""
    from services.dispatch import handling, service
    from services.dispatch.config import DispatchSettings

    config = DispatchSettings().nameko_config()
    database = Database.of_service(service, f"sqlite:///{folder}/dispatch-{batch}.db")
    events = [report_received(n) for n in range(count)]

    def run():
        for start in range(0, count, batch):
            database.unit_of_work().apply(events[start:start + batch], handling.open_case, DIRECTORY,
                                          config["DEADLINES"], config["GROUP_SIZE"])
    return {"batch": batch, "cpu_ms": cpu_ms_per(count, run)}


def parse(count: int) -> dict:
    """the event contract: a received body validated into its typed payload."""
    body = report_received(1).to_json().encode()
    return {"cpu_ms": cpu_ms_per(count, lambda: [parse_event(body, "report.received").payload()
                                                 for _ in range(count)])}


def consume(count: int, folder: Path, batch: int) -> dict:
    """scoring consuming ``report.received`` from RabbitMQ: delivery, contract, inbox, handler, commit, ack.

    The events wait in the queue before the service starts, so batches fill up to ``batch``.
    """
    with broker_vhost("lianxin-bench") as amqp_uri:
        publish_waiting(amqp_uri, count)
        settings = load(SERVICES["scoring"][1])(database_url=f"sqlite:///{folder}/scoring-{batch}.db",
                                                http_address="127.0.0.1:0", prefetch_count=max(batch, 10),
                                                batch_size=batch)
        config = {**settings.nameko_config(), "AMQP_URI": amqp_uri}
        Database.of_service(sys.modules[load(SERVICES["scoring"][0]).__module__], config["DATABASE_URL"])
        container = ServiceContainer(load(SERVICES["scoring"][0]), config)
        started = time.process_time()
        container.start()
        while waiting(amqp_uri, "scoring.report.received"):
            eventlet.sleep(0.1)
        eventlet.sleep(0.5)  # the last batch commits and acks
        used = time.process_time() - started
        container.stop()
        return {"batch": batch, "cpu_ms": 1000 * used / count}


def writes(count: int) -> list[dict]:
    """The relay publishing ``count`` events (200 to a batch, confirmed) and a consumer acking them (100 to a
    batch), with a socket write per frame as py-amqp does by itself and with ``messaging.one_write`` (a write per
    batch), alternating three times; CPU per event of this process and of the RabbitMQ node (its own clock ticks:
    other traffic on the node counts too)."""
    import contextlib
    from collections import namedtuple

    import kombu

    from bench.harness import broker_pid, cpu_seconds
    from lianxin import messaging

    row = namedtuple("Row", "event_id type body")
    rows = [row(e.id, e.type, e.to_json()) for e in (
        new_event("case.accepted", f"C{n:08d}", {"case_id": f"C{n:08d}", "unit": "chengguan",
                                                 "accepted_by": "chengguan-handler",
                                                 "accepted_at": datetime.now(timezone.utc)}) for n in range(count))]
    node, one_write = broker_pid(), messaging.one_write

    def measured(work) -> tuple[float, float | None]:
        started, node_started = time.process_time(), cpu_seconds(node) if node else None
        work()
        node_used = cpu_seconds(node) - node_started if node_started is not None else None
        return 1e6 * (time.process_time() - started) / count, node_used and 1e6 * node_used / count

    def one_round(coalesced: bool, amqp_uri: str) -> dict:
        messaging.one_write = one_write if coalesced else (lambda connection: contextlib.nullcontext())
        try:
            with kombu.Connection(amqp_uri) as connection:
                channel = connection.channel()
                exchange = kombu.Exchange("dispatch.events", type="topic", durable=True)
                kombu.Queue("writes", exchange=exchange, routing_key="case.accepted", durable=True)(channel).declare()
                batch = messaging.ConfirmedBatch(connection, channel, "dispatch.events")
                publish = measured(lambda: [batch.publish(rows[s:s + 200]) for s in range(0, count, 200)])
            with kombu.Connection(amqp_uri) as connection:
                channel, taken = connection.channel(), []
                channel.basic_qos(0, count, False)
                channel.basic_consume("writes", callback=taken.append)
                while len(taken) < count:
                    connection.drain_events(timeout=10)

                def acks():
                    for start in range(0, count, 100):
                        with messaging.one_write(channel.connection):
                            for message in taken[start:start + 100]:
                                channel.basic_ack(message.delivery_tag)
                ack = measured(acks)
                channel.queue_delete("writes")
        finally:
            messaging.one_write = one_write
        return {"one_write": coalesced, "publish_us": publish[0], "broker_publish_us": publish[1],
                "ack_us": ack[0], "broker_ack_us": ack[1]}

    with broker_vhost("lianxin-bench-writes") as amqp_uri:
        return [one_round(coalesced, amqp_uri) for _ in range(3) for coalesced in (False, True)]


def publish_waiting(amqp_uri: str, count: int) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    for event_type, entry in CATALOGUE.items():
        if "scoring" in entry.consumers:
            queue = subscriber_queue("scoring", event_type)
            channel.exchange_declare(queue.exchange.name, exchange_type="topic", durable=True)
            channel.queue_declare(queue.name, durable=True)
            channel.queue_bind(queue.name, queue.exchange.name, routing_key=event_type)
    channel.queue_declare(dead_letter_queue("scoring").name, durable=True)
    for n in range(count):
        channel.basic_publish("intake.events", "report.received", report_received(n).to_json().encode(),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2))
    connection.close()


def waiting(amqp_uri: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return connection.channel().queue_declare(queue, durable=True, passive=True).method.message_count
    finally:
        connection.close()


@click.command()
@click.option("--count", default=2000, show_default=True, help="Operations per step.")
@click.option("--only", help="Run one step.",
              type=click.Choice(["take_in", "take_in_postgresql", "follow", "checkout", "open_case", "parse",
                                 "consume", "writes"]))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              default=REPO_ROOT / "bench" / "results" / "components.json", show_default=True)
def main(count: int, only: str | None, json_path: Path) -> None:
    random.seed(7)
    results = {}
    with tempfile.TemporaryDirectory(prefix="lianxin-components-") as folder:
        steps = {
            "take_in": lambda: [take_in(count, Path(folder))],
            "take_in_postgresql": lambda: take_in_postgresql(count),
            "follow": lambda: [follow(count, Path(folder))],
            "checkout": lambda: checkout(count * 5),
            "open_case": lambda: [open_case(count, Path(folder), batch) for batch in (1, 100)],
            "parse": lambda: [parse(count * 10)],
            "consume": lambda: [consume(count, Path(folder), batch) for batch in (1, 100)],
            "writes": lambda: writes(count * 2),
        }
        click.echo("CPU ms per operation, in one process (lower is better)")
        for name, step in steps.items():
            if only and name != only:
                continue
            results[name] = step()
            for figure in results[name]:
                if "publish_us" in figure:
                    click.echo(f"  {name} ({'a write per batch' if figure['one_write'] else 'a write per frame'}) "
                               f"µs per event: publish {figure['publish_us']:.1f} (broker "
                               f"{_or_none(figure['broker_publish_us'])}), ack {figure['ack_us']:.1f} (broker "
                               f"{_or_none(figure['broker_ack_us'])})")
                    continue
                batch = f" (batch {figure['batch']})" if "batch" in figure else ""
                batch += f" (pre-ping {'on' if figure['pre_ping'] else 'off'})" if "pre_ping" in figure else ""
                wall = f"   (wall {figure['wall_ms']:.3f})" if "wall_ms" in figure else ""
                wall += f"   then sorting {figure['sort_cpu_ms']:.3f}" if "sort_cpu_ms" in figure else ""
                click.echo(f"  {name + batch:<22} {figure['cpu_ms']:7.3f}{wall}")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"count": count, "at": datetime.now(timezone.utc).isoformat(),
                                     "results": results}, indent=2))
    click.echo(f"wrote {json_path}")


def _or_none(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
