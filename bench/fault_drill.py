"""Fault drill (issue 8): reports keep coming while the broker restarts, each service is killed with
SIGKILL and restarted, and PostgreSQL restarts; at the end every report intake committed must be
exactly one case in dispatch, seen once by supervision and scoring, with every outbox drained and the
dead-letter queues empty.

    .venv/bin/python bench/fault_drill.py --reports 2000 --rate 20

Runs the four services as separate processes on PostgreSQL and a private RabbitMQ virtual host
(plumbing shared with bench/intake_peak.py). It restarts the machine's RabbitMQ node and PostgreSQL
cluster: run it where nothing else needs them. Prints the counts; exits 1 on any loss or duplicate.
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pika
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import intake_peak as plumbing  # noqa: E402  (the benchmark's office, report maker and HTTP client)

SERVICES = ("intake", "dispatch", "supervision", "scoring")


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
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                   capture_output=True, timeout=120)


def kill_and_restart(office, name: str, amqp_uri: str, databases: dict, data_dir: Path) -> None:
    """SIGKILL (no goodbye: unacked messages go back to the broker), then the same service on the same port."""
    process = next(p for p in office.processes if p.name == name)
    if process.popen.poll() is not None:
        raise RuntimeError(f"{name} had died on its own before the drill killed it:\n{plumbing.log_tail(process, 40)}")
    process.popen.kill()
    process.popen.wait(timeout=10)
    port = int(process.url.rsplit(":", 1)[1])
    env = plumbing.service_env(name, port, amqp_uri, databases[name], data_dir, "WARNING")
    with open(process.log, "ab") as out:
        process.popen = subprocess.Popen([sys.executable, "-m", "lianxin.cli", "run", name],
                                         cwd=plumbing.REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
    plumbing.wait_healthy(process)


def offer_in_background(office, reports: int, rate: float) -> threading.Thread:
    maker = plumbing.ReportMaker(plumbing.REPO_ROOT / "deploy" / "county.yaml", seed=11)
    bodies = [maker.body(n) for n in range(reports)]

    def run():
        asyncio.run(plumbing.offer(office.urls("intake"), bodies, rate, 64, 30.0))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def counts(databases: dict) -> dict:
    one = "SELECT count(*) FROM {table}"
    return {
        "reports taken in": scalar(databases["intake"], one.format(table="reports")),
        "reports linked to an open one": scalar(databases["intake"],
                                                "SELECT count(*) FROM reports WHERE duplicate_of IS NOT NULL"),
        "cases": scalar(databases["dispatch"], one.format(table="cases")),
        "cases per report, most": scalar(databases["dispatch"],
                                         "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM cases "
                                         "GROUP BY report_id) x"),
        "supervised cases": scalar(databases["supervision"], one.format(table="supervised_cases")),
        "scored cases": scalar(databases["scoring"], one.format(table="case_records")),
        **{f"{s} outbox unpublished": scalar(databases[s], "SELECT count(*) FROM outbox WHERE published_at IS NULL")
           for s in SERVICES},
    }


def dead_letters(amqp_uri: str) -> dict:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    found = {}
    for service in SERVICES:
        try:
            found[service] = channel.queue_declare(f"{service}.dead-letter", durable=True,
                                                   passive=True).method.message_count
        except pika.exceptions.ChannelClosedByBroker:
            channel, found[service] = connection.channel(), 0
    connection.close()
    return found


def drill(reports: int, rate: float) -> int:
    with plumbing.private_vhost() as amqp_uri, tempfile.TemporaryDirectory() as tmp, \
            plumbing.service_databases("postgresql", Path(tmp)) as databases:
        data_dir, office = Path(tmp), plumbing.Office()
        try:
            plumbing.start_office(office, amqp_uri, databases, data_dir, 1, "WARNING")
            sender = offer_in_background(office, reports, rate)
            span = reports / rate
            faults = [(0.15, "restart RabbitMQ", restart_broker)]
            faults += [(0.3 + 0.1 * i, f"kill -9 {s}", lambda s=s: kill_and_restart(office, s, amqp_uri, databases,
                                                                                       data_dir))
                       for i, s in enumerate(SERVICES)]
            faults += [(0.75, "restart PostgreSQL", restart_postgresql)]
            started = time.monotonic()
            for share, what, fault in faults:
                time.sleep(max(0.0, started + share * span - time.monotonic()))
                print(f"{time.monotonic() - started:6.1f}s  {what}", flush=True)
                fault()
            sender.join(timeout=span + 120)
            print(f"{time.monotonic() - started:6.1f}s  offering done; waiting for the office to settle", flush=True)
            settled = settle(databases)
        finally:
            plumbing.stop_office(office)
        found, parked = counts(databases), dead_letters(amqp_uri)
    for name, value in {**found, **{f"{s} dead letters": n for s, n in parked.items()}}.items():
        print(f"  {name:<34} {value}")
    expected = found["reports taken in"] - found["reports linked to an open one"]
    problems = [f"{expected} original reports but {found['cases']} cases"] if found["cases"] != expected else []
    problems += ["a report has more than one case"] if found["cases per report, most"] > 1 else []
    problems += [f"{key}: {found[key]} != {found['cases']}" for key in ("supervised cases", "scored cases")
                 if found[key] != found["cases"]]
    problems += [f"{key}: {value}" for key, value in found.items() if key.endswith("unpublished") and value]
    problems += [f"{s} dead letters: {n}" for s, n in parked.items() if n]
    problems += [] if settled else ["the office did not settle within the time allowed"]
    print("DRILL PASSED" if not problems else "DRILL FAILED: " + "; ".join(problems))
    return 1 if problems else 0


def settle(databases: dict, timeout: float = 180.0) -> bool:
    """Wait until nothing moves: every outbox drained and the downstream counts caught up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = counts(databases)
        except Exception:  # PostgreSQL may still be coming back
            time.sleep(1)
            continue
        drained = not any(v for k, v in found.items() if k.endswith("unpublished"))
        caught_up = found["cases"] == found["supervised cases"] == found["scored cases"] == (
            found["reports taken in"] - found["reports linked to an open one"])
        if drained and caught_up:
            return True
        time.sleep(1)
    return False


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=40.0, help="reports offered per second")
    args = parser.parse_args()
    sys.exit(drill(args.reports, args.rate))
