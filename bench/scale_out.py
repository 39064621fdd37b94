"""Scale-out shown (issue 20, target 3): replicas capped at a quarter of a core each, 1, 2 and 4 of them.

Two cores cannot show "add machines at a peak" directly; capping each replica at a share of a core
(a cgroup CPU quota, see ``harness.CpuCaps``) can. On PostgreSQL (replicas of a service share its
database), for each count N:

- **intake**: N intake replicas, each capped, are offered more reports than they can take
  (``--rate-per-replica`` × N a second, open loop, round-robin) for ``--duration`` s; accepted/s is
  what they took. The downstream services run niced and uncapped; after the step the benchmark waits
  until every accepted report has its case and counts lost and duplicated from dispatch's table.
- **dispatch**: N dispatch replicas, each capped, compete on the one queue ``dispatch.report.received``;
  ``--events-per-replica`` × N ``report.received`` events are published to intake's exchange at once,
  and cases/s is read from dispatch's table between 10 % and 90 % of them (the steady part).

Prints accepted (or opened) per second and the ratio against one replica, with the targets
(≥ 1.9× for 2, ≥ 3.6× for 4).

    .venv/bin/python -m bench.scale_out                       # both, 1, 2 and 4 replicas
    .venv/bin/python -m bench.scale_out --only dispatch --replicas 1,2
"""
from __future__ import annotations

import asyncio
import json
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import click
import httpx
import pika

from bench.harness import (
    CPUS,
    OPERATOR,
    REPO_ROOT,
    SERVICES,
    CpuCaps,
    Databases,
    Office,
    ReportMaker,
    Tuning,
    offer,
    private_vhost,
    quantiles_ms,
    service_databases,
    start_office,
    stop_office,
)

TARGETS = {2: 1.9, 4: 3.6}
DIRECTORY_FILE = REPO_ROOT / "deploy" / "county.yaml"


def report_received(n: int, directory) -> bytes:
    """A ``report.received`` as intake publishes it (anonymous, its words drawn at random)."""
    from lianxin.events import new_event
    village = random.choice(list(directory.villages))
    return new_event("report.received", f"R{n:08d}", {
        "report_id": f"R{n:08d}", "channel": "hotline", "category": random.choice(list(directory.category_by_code)),
        "category_suggested": False, "township": directory.township_of(village, None), "village": village,
        "enterprise": None, "people_count": 1, "content": f"路灯不亮 第{n}号", "gathering": False,
        "duplicate_of": None, "reporter_id": f"{n:016x}", "received_at": datetime.now(timezone.utc),
        "received_by": {"role": "operator", "code": "hotline-op-01"}}).to_json().encode()


def office_for(kind: str, replicas: int, options: dict, echo):
    """A context: a private vhost, fresh PostgreSQL databases, the office with ``replicas`` of ``kind``
    capped, the rest niced; yields (office, amqp_uri, databases, caps)."""
    @contextmanager
    def running():
        data_dir = Path(tempfile.mkdtemp(prefix="lianxin-scale-"))
        office = Office()
        try:
            with private_vhost() as amqp_uri, service_databases("postgresql", data_dir) as urls, \
                    CpuCaps(options["share"]) as caps:
                databases = Databases(urls)
                downstream = Tuning(nice=options["nice"])
                counts = ({"intake": replicas} if kind == "intake" else
                          {"intake": 0, "supervision": 0, "scoring": 0, "dispatch": replicas})
                try:
                    start_office(office, amqp_uri, urls, data_dir, counts, options["log_level"],
                                 {s: downstream for s in SERVICES if s != kind})
                    for process in office.processes:
                        if process.service == kind:
                            caps.cap(process.popen.pid)
                    echo(f"  {replicas} {kind} replica(s), each capped at {options['share']:g} of a core")
                    yield office, amqp_uri, databases, caps
                finally:
                    stop_office(office)
                    databases.close()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    return running()


def intake_step(replicas: int, options: dict, echo) -> dict:
    with office_for("intake", replicas, options, echo) as (office, _amqp, databases, caps):
        urls = office.urls("intake")
        maker = ReportMaker(DIRECTORY_FILE, options["seed"])
        with httpx.Client(headers={**OPERATOR, "Content-Type": "application/json"}, timeout=60) as client:
            for n in range(5 * replicas):  # first requests pay for imports and caches
                client.post(urls[n % replicas] + "/reports", content=maker.body(10_000_000 + n)).raise_for_status()
        rate = options["rate_per_replica"] * replicas
        bodies = [maker.body(n) for n in range(int(rate * options["duration"]))]
        throttled = caps.throttled_s()
        records, start, _ = asyncio.run(offer(urls, bodies, rate, options["connections"], options["request_timeout"]))
        throttled = {g: round(s - throttled.get(g, 0), 1) for g, s in caps.throttled_s().items()}
        accepted = [r for r in records if r.status == 201]
        last = max((r.answered for r in accepted), default=start)
        ids = [r.report_id for r in accepted]
        began = time.monotonic()
        while (counted := databases.count_cases(ids))["lost"] and time.monotonic() - began < options["drain_timeout"]:
            time.sleep(1)
        return {"replicas": replicas, "offered_per_s": rate, "offered": len(records), "accepted": len(accepted),
                "per_s": round(len(accepted) / max(1e-9, last - start), 1),
                "accept_ms": quantiles_ms([r.answered - r.scheduled for r in accepted]),
                "lost": counted["lost"], "duplicated": counted["duplicated"], "throttled_s": throttled}


def dispatch_step(replicas: int, options: dict, echo) -> dict:
    from lianxin.directory import load_directory
    directory = load_directory(DIRECTORY_FILE)
    with office_for("dispatch", replicas, options, echo) as (_office, amqp_uri, databases, caps):
        count = options["events_per_replica"] * replicas
        bodies = [report_received(n, directory) for n in range(1, count + 1)]
        throttled = caps.throttled_s()
        with pika.BlockingConnection(pika.URLParameters(amqp_uri)) as connection:
            channel = connection.channel()  # no confirms: publishing must outrun four capped consumers
            properties = pika.BasicProperties(delivery_mode=2, content_type="application/json",
                                              content_encoding="utf-8", type="report.received")
            for body in bodies:
                channel.basic_publish("intake.events", "report.received", body, properties)
        samples, began = [], time.monotonic()
        while time.monotonic() - began < options["drain_timeout"]:
            samples.append((time.monotonic(), databases.cases()))
            if samples[-1][1] >= count:
                break
            time.sleep(0.5)
        throttled = {g: round(s - throttled.get(g, 0), 1) for g, s in caps.throttled_s().items()}
        counted = databases.count_cases([f"R{n:08d}" for n in range(1, count + 1)])
        return {"replicas": replicas, "events": count, "per_s": steady_rate(samples, count),
                "lost": counted["lost"], "duplicated": counted["duplicated"], "throttled_s": throttled}


def steady_rate(samples: list[tuple[float, int]], count: int) -> float | None:
    """Cases a second between 10 % and 90 % of the events (start-up and the tail left out)."""
    low = next(((t, n) for t, n in samples if n >= 0.1 * count), None)
    high = next(((t, n) for t, n in samples if n >= 0.9 * count), None)
    if low is None or high is None or high[0] <= low[0]:
        return None
    return round((high[1] - low[1]) / (high[0] - low[0]), 1)


def with_ratios(steps: list[dict]) -> list[dict]:
    one = next((s["per_s"] for s in steps if s["replicas"] == 1), None)
    for step in steps:
        step["ratio"] = round(step["per_s"] / one, 2) if one and step["per_s"] else None
        want = TARGETS.get(step["replicas"])
        step["target"] = want
        step["met"] = None if want is None or step["ratio"] is None else (
            step["ratio"] >= want and step["lost"] == 0 and step["duplicated"] == 0)
    return steps


def print_table(kind: str, steps: list[dict], share: float, echo) -> None:
    what = "accepted/s" if kind == "intake" else "cases/s"
    echo(f"\n{kind}: replicas each capped at {share:g} of a core, PostgreSQL")
    echo(f"{'replicas':>8} {what:>11} {'ratio':>6} {'target':>7} {'lost':>5} {'dup':>4}  verdict")
    for s in steps:
        verdict = {True: "met", False: "NOT met", None: ""}[s["met"]]
        target = f"≥{s['target']}×" if s["target"] else ""
        echo(f"{s['replicas']:>8} {s['per_s'] if s['per_s'] is not None else '—':>11} "
             f"{s['ratio'] if s['ratio'] is not None else '—':>6} {target:>7} {s['lost']:>5} {s['duplicated']:>4}  "
             f"{verdict}" + (f"  (accept p99 {s['accept_ms']['p99']} ms)" if "accept_ms" in s else ""))


@click.command(help=__doc__.split("\n\n")[0])
@click.option("--only", type=click.Choice(["intake", "dispatch"]), default=None)
@click.option("--replicas", default="1,2,4", show_default=True)
@click.option("--share", default=0.25, show_default=True, help="Share of one core each replica may use.")
@click.option("--duration", default=20.0, show_default=True, help="Seconds of offering to intake.")
@click.option("--rate-per-replica", default=120.0, show_default=True,
              help="Reports/s offered per intake replica (above what a capped replica takes).")
@click.option("--events-per-replica", default=2000, show_default=True)
@click.option("--nice", default=10, show_default=True, help="Niceness of the services not being measured.")
@click.option("--connections", default=128, show_default=True)
@click.option("--request-timeout", default=10.0, show_default=True)
@click.option("--drain-timeout", default=300.0, show_default=True)
@click.option("--seed", default=7, show_default=True)
@click.option("--log-level", default="WARNING", show_default=True)
@click.option("--json", "json_path", default="bench/results/scale_out.json", show_default=True)
def main(only, replicas, share, duration, rate_per_replica, events_per_replica, nice, connections, request_timeout,
         drain_timeout, seed, log_level, json_path):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through the finally clauses: cgroups removed
    options = {"share": share, "duration": duration, "rate_per_replica": rate_per_replica,
               "events_per_replica": events_per_replica, "nice": nice, "connections": connections,
               "request_timeout": request_timeout, "drain_timeout": drain_timeout, "seed": seed,
               "log_level": log_level}
    counts = [int(n) for n in replicas.split(",")]
    result = {"started_at": datetime.now(timezone.utc).isoformat(),
              "machine": {"cpus": CPUS, "python": platform.python_version(), "platform": platform.platform()},
              "options": options}
    for kind, step in (("intake", intake_step), ("dispatch", dispatch_step)):
        if only in (None, kind):
            click.echo(f"{kind} …")
            result[kind] = with_ratios([step(n, options, click.echo) for n in counts])
    for kind in ("intake", "dispatch"):
        if kind in result:
            print_table(kind, result[kind], share, click.echo)
    path = Path(json_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"\nwrote {path}")


if __name__ == "__main__":
    main()
