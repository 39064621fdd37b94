"""How many reports can the office take in and dispatch per second, and how fast? (issue 7)

The benchmark starts an office of its own — a private RabbitMQ virtual host, fresh databases (SQLite
in a temporary directory, or PostgreSQL), free ports on 127.0.0.1 and the four services as
subprocesses, exactly as ``lianxin up`` runs them — and offers it reports over HTTP at fixed rates.

Open-loop measurement. A closed-loop generator (N clients, each sending its next report when the
previous one is answered) slows down when the office slows down: the backlog then builds up in the
generator, where nobody measures it, and latency looks fine while throughput quietly drops
("coordinated omission"). Here the send times are fixed in advance at exactly 1/rate apart; a
scheduler releases each report when it is due and a pool of concurrent keep-alive connections
(``--connections``, 256 by default, split over the intake replicas round-robin) sends them, so a
slow answer holds one connection, never the schedule. Latency is measured from the *scheduled* send
time: when every connection is busy the office is that far behind, and the report's wait for a free
connection counts too; one still waiting ``--request-timeout`` seconds after its slot is counted as
failed without being sent, which bounds every step. The scheduler's own lag (release minus scheduled
time) is printed, so one can tell when the generator rather than the office was the limit; the
connections speak HTTP/1.1 on asyncio streams because httpx's client costs too much CPU to offer
hundreds of reports per second on a small machine.

For each rate the benchmark measures reports accepted per second, the share rejected (a 4xx answer)
or failed (5xx, timeout, connection error, not sent), the accept latency p50/p95/p99 (of the
accepted reports), and — after waiting
(bounded) for the backlog to drain — the time from accept to ``case.dispatched`` p50/p95/p99, from
dispatch's own ``dispatched_at`` on its case board (same machine, same wall clock). Every accepted
report must then have exactly one case: the lost and duplicated are counted per step and once more
over the whole run. Each service's (and the RabbitMQ node's) peak RSS and CPU share are sampled every
second, and the CPU each spent per dispatched report is printed.

In the same run it measures the raw ceiling of this machine's broker with pika: persistent ~600 byte
messages to a durable queue with publisher confirms, one at a time and pipelined (a window of
unconfirmed messages), then consumed with an ack each; Lianxin's throughput is printed as a ratio
of the pipelined publish ceiling. The issue's targets are printed, never asserted.

    .venv/bin/python bench/intake_peak.py --rates 100,250,500,1000 --duration 20
    .venv/bin/python bench/intake_peak.py --replicas 1,2 --database postgresql
"""
from __future__ import annotations

import asyncio
import json
import platform
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import click
import httpx
import pika

from bench.harness import (
    CPUS,
    OPERATOR,
    REPO_ROOT,
    SETTLE_S,
    CaseBoard,
    Office,
    ReportMaker,
    Sampler,
    await_dispatch,
    broker_pid,
    count_cases,
    log_tail,
    offer,
    private_vhost,
    quantiles_ms,
    service_databases,
    start_office,
    stop_office,
)

WARMUP_REPORTS = 20
DEFAULT_JSON = "bench/results/intake_peak.json"  # a burst writes bench/results/burst.json
RSS_TOLERANCE = 0.05  # growth after settling within 5 % of the settled RSS counts as none

TARGETS = {
    "throughput_per_s": 1000,  # accepted and dispatched end to end, sustained 60 s
    "sustain_s": 60,
    "accept_p99_ms_at_500": 50,
    "dispatch_p99_ms_at_500": 1000,
    "rss_run_s": 300,
}


# --- one rate step ---------------------------------------------------------------------------------

def run_step(office: Office, board: CaseBoard, sampler: Sampler, maker: ReportMaker, first_number: int,
             rate: float, duration: float, options: dict) -> tuple[dict, list[str]]:
    bodies = [maker.body(first_number + n) for n in range(int(rate * duration))]
    began = time.monotonic()
    records, start, start_wall = asyncio.run(offer(office.urls("intake"), bodies, rate, options["connections"],
                                                   options["request_timeout"]))
    answered = time.monotonic()
    accepted = [r for r in records if r.status == 201]
    rejected = [r for r in records if r.status is not None and 400 <= r.status < 500]
    failed = [r for r in records if r.status is None or r.status >= 500]
    report_ids = [r.report_id for r in accepted]

    drain_s, drained = await_dispatch(board, report_ids, options["drain_timeout"])
    ended = time.monotonic()
    own, _ = board.index()
    dispatch_s, since_received_s, dispatched_at = [], [], []
    for record in accepted:
        if cases := own.get(record.report_id):
            at = datetime.fromisoformat(cases[0]["dispatched_at"]).timestamp()
            dispatched_at.append(at)
            dispatch_s.append(at - record.accepted_wall)
            since_received_s.append(at - record.received_at)

    last_accept = max((r.answered for r in accepted), default=start)
    statuses: dict[str, int] = {}
    for record in records:
        key = str(record.status) if record.status is not None else (
            "not sent" if (record.error or "").startswith("not sent") else "no answer")
        statuses[key] = statuses.get(key, 0) + 1
    usage = sampler.window(began, ended)
    step = {
        "rate": rate, "duration_s": duration, "offered": len(records), "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / max(1e-9, last_accept - start), 1),
        "rejected_percent": round(100 * len(rejected) / max(1, len(records)), 2),
        "failed_percent": round(100 * len(failed) / max(1, len(records)), 2),
        "statuses": statuses,
        "errors": sorted({r.error for r in rejected + failed if r.error})[:5],
        "accept_ms": quantiles_ms([r.answered - r.scheduled for r in accepted]),
        "scheduler_lag_ms": quantiles_ms([r.released - r.scheduled for r in records if r.released is not None]),
        "connection_wait_ms": quantiles_ms([r.started - r.scheduled for r in records if r.started is not None]),
        "dispatched": len(dispatch_s),
        "dispatched_per_s": round(len(dispatched_at) / max(1e-9, max(dispatched_at) - start_wall), 1)
        if dispatched_at else 0.0,
        "dispatch_ms": quantiles_ms(dispatch_s),
        "dispatch_from_received_at_ms": quantiles_ms(since_received_s),
        **count_cases(board, report_ids),
        "drain_s": round(drain_s, 2), "drained": drained,
        "answers_took_s": round(answered - began, 2),
        **usage,
        # what one report costs the office in CPU, offering to dispatch (timers and the case board included)
        "cpu_ms_per_report": {name: round(1000 * u["cpu_seconds"] / len(dispatch_s), 2)
                              for name, u in usage["services"].items()
                              if u["cpu_seconds"] is not None and dispatch_s},
    }
    return step, report_ids


def warm_up(office: Office, board: CaseBoard, maker: ReportMaker, count: int) -> list[str]:
    """A few reports through every replica before measuring: first requests pay for imports and caches."""
    report_ids = []
    with httpx.Client(headers={**OPERATOR, "Content-Type": "application/json"}, timeout=30) as client:
        for n in range(count):
            answer = client.post(office.urls("intake")[n % len(office.urls("intake"))] + "/reports",
                                 content=maker.body(n))
            answer.raise_for_status()
            report_ids.append(answer.json()["report_id"])
    _, drained = await_dispatch(board, report_ids, 60)
    if not drained:
        raise RuntimeError("the warm-up reports were not dispatched within 60 s; see the service logs")
    return report_ids


# --- the broker's ceiling --------------------------------------------------------------------------

CEILING_QUEUE = "bench.ceiling"
CEILING_BODY = json.dumps({"specversion": "1.0", "type": "bench.ceiling", "source": "bench",
                           "data": {"padding": "x" * 480}}).encode()
PERSISTENT = pika.BasicProperties(delivery_mode=2, content_type="application/json")


def publish_one_by_one(parameters: pika.URLParameters, count: int, time_cap: float) -> dict:
    """Each message waits for its confirm before the next is published (BlockingConnection)."""
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        sent, began = 0, time.perf_counter()
        while sent < count and time.perf_counter() - began < time_cap:
            channel.basic_publish("", CEILING_QUEUE, CEILING_BODY, PERSISTENT)  # raises on a nack
            sent += 1
        took = time.perf_counter() - began
    finally:
        connection.close()
    return {"messages": sent, "seconds": round(took, 3), "per_s": round(sent / took, 1)}


def publish_pipelined(parameters: pika.URLParameters, count: int, window: int, time_cap: float) -> dict:
    """Keep up to ``window`` messages unconfirmed (SelectConnection), publishing more as confirms arrive."""
    state = {"sent": 0, "confirmed": 0, "nacked": 0, "began": None, "ended": None, "error": None}
    unconfirmed: set[int] = set()

    def on_open(connection):
        connection.channel(on_open_callback=on_channel)

    def on_channel(channel):
        state["channel"] = channel
        channel.confirm_delivery(ack_nack_callback=on_confirm, callback=lambda _frame: begin())

    def begin():
        state["began"] = time.perf_counter()
        fill()

    def fill():
        channel = state["channel"]
        while state["sent"] < count and len(unconfirmed) < window:
            channel.basic_publish("", CEILING_QUEUE, CEILING_BODY, PERSISTENT)
            state["sent"] += 1
            unconfirmed.add(state["sent"])  # delivery tags count from 1 on a confirming channel

    def on_confirm(frame):
        method = frame.method
        done = {t for t in unconfirmed if t <= method.delivery_tag} if method.multiple else {method.delivery_tag}
        unconfirmed.difference_update(done)
        state["nacked" if isinstance(method, pika.spec.Basic.Nack) else "confirmed"] += len(done)
        if state["confirmed"] + state["nacked"] >= count:
            state["ended"] = time.perf_counter()
            connection.close()
        else:
            fill()

    def give_up():
        if state["ended"] is None:
            state["error"] = f"not all confirmed within {time_cap:.0f}s"
            state["ended"] = time.perf_counter()
            connection.close()

    def on_failed(_connection, error):
        state["error"] = repr(error)
        connection.ioloop.stop()

    connection = pika.SelectConnection(parameters, on_open_callback=on_open, on_open_error_callback=on_failed,
                                       on_close_callback=lambda *_: connection.ioloop.stop())
    connection.ioloop.call_later(time_cap, give_up)
    connection.ioloop.start()
    if state["began"] is None or state["ended"] is None:
        raise RuntimeError(f"pipelined publishing failed: {state['error']}")
    took = state["ended"] - state["began"]
    return {"messages": state["confirmed"], "nacked": state["nacked"], "window": window,
            "seconds": round(took, 3), "per_s": round(state["confirmed"] / took, 1), "error": state["error"]}


def consume_all(parameters: pika.URLParameters, count: int, prefetch: int) -> dict:
    """Consume what was published, one ack per message (as nameko's consumers do)."""
    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=prefetch)
        got, began = 0, time.perf_counter()
        for method, _properties, _body in channel.consume(CEILING_QUEUE, inactivity_timeout=5):
            if method is None:
                break
            channel.basic_ack(method.delivery_tag)
            got += 1
            if got >= count:
                break
        took = time.perf_counter() - began
        channel.cancel()
    finally:
        connection.close()
    return {"messages": got, "prefetch": prefetch, "seconds": round(took, 3), "per_s": round(got / took, 1)}


def measure_ceiling(amqp_uri: str, messages: int) -> dict:
    parameters = pika.URLParameters(amqp_uri)
    with pika.BlockingConnection(parameters) as connection:
        connection.channel().queue_declare(CEILING_QUEUE, durable=True)
    try:
        one_by_one = publish_one_by_one(parameters, messages, time_cap=15)
        pipelined = publish_pipelined(parameters, messages, window=500, time_cap=120)
        consumed = consume_all(parameters, one_by_one["messages"] + pipelined["messages"], prefetch=100)
    finally:
        with pika.BlockingConnection(parameters) as connection:
            connection.channel().queue_delete(CEILING_QUEUE)
    return {"message_bytes": len(CEILING_BODY), "publish_confirmed_one_by_one": one_by_one,
            "publish_confirmed_pipelined": pipelined, "consume_acked": consumed}


# --- a whole run: one office, every rate -----------------------------------------------------------

def run_office(amqp_uri: str, replicas: int, options: dict, echo) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="lianxin-bench-"))
    office, sampler, board = Office(), None, None
    run = {"replicas": replicas, "database": options["database"], "steps": []}
    try:
        with service_databases(options["database"], data_dir) as databases:
            try:
                echo(f"starting the office ({replicas} intake replica{'s' * (replicas > 1)}, "
                     f"{options['database']}, data in {data_dir}) …")
                start_office(office, amqp_uri, databases, data_dir, replicas, options["log_level"])
                pids = office.pids()
                if (broker := broker_pid()) is not None:
                    pids["rabbitmq"] = broker
                sampler = Sampler(pids)
                sampler.start()
                board = CaseBoard(office.urls("dispatch")[0])
                every_report = warm_up(office, board, ReportMaker(options["directory"], options["seed"] + 1),
                                       WARMUP_REPORTS)
                maker, number = ReportMaker(options["directory"], options["seed"]), 0
                for rate in options["rates"]:
                    echo(f"  offering {rate:g} reports/s for {options['duration']:g} s …")
                    step, report_ids = run_step(office, board, sampler, maker, number, rate, options["duration"],
                                                options)
                    number += step["offered"]
                    every_report += report_ids
                    run["steps"].append(step)
                    echo("    " + step_line(step))
                    if dead := office.dead():
                        raise RuntimeError(f"{dead[0].name} exited during the run:\n{log_tail(dead[0])}")
                echo("  counting every case of the run …")
                board.read(0)
                accepted = set(every_report)
                run["whole_run"] = {"accepted": len(every_report), "cases": len(board.cases),
                                    **count_cases(board, every_report),
                                    # reports intake took in although the generator saw no 201 (a timeout)
                                    "cases_of_unanswered_reports": sum(
                                        1 for c in board.cases.values() if c["report_id"] not in accepted)}
            finally:
                if sampler is not None:
                    sampler.stop()
                    run["rss_growth"] = sampler.growth()
                    run["run_seconds"] = round(sampler.samples[-1][0] - sampler.samples[0][0], 1)
                if board is not None:
                    board.close()
                stop_office(office)
    finally:
        if options["keep_data"]:
            echo(f"  data and service logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return run


# --- output ----------------------------------------------------------------------------------------

def fmt(value, width: int = 0, digits: int = 0) -> str:
    text = "—" if value is None else (f"{value:.{digits}f}" if isinstance(value, float) else str(value))
    return text.rjust(width)


def trio(q: dict) -> str:
    return "/".join(fmt(q[k]) for k in ("p50", "p95", "p99"))


def step_line(step: dict) -> str:
    return (f"accepted {step['accepted_per_s']:.0f}/s, accept p99 {fmt(step['accept_ms']['p99'])} ms, "
            f"dispatch p99 {fmt(step['dispatch_ms']['p99'])} ms, lost {step['lost']}, dup {step['duplicated']}, "
            f"drain {step['drain_s']:.1f} s")


def print_run(run: dict, ceiling: dict | None, echo) -> None:
    title = f"intake replicas: {run['replicas']}, database: {run['database']}"
    echo(f"\n{title}\n{'=' * len(title)}")
    echo(f"{'rate/s':>7} {'offered':>7} {'acc/s':>7} {'rej%':>5} {'fail%':>5} {'accept ms p50/95/99':>20} "
         f"{'dispatch ms p50/95/99':>22} {'disp/s':>7} {'lost':>5} {'dup':>4} {'linked':>6} {'drain s':>7} "
         f"{'sched lag p99':>13}")
    for s in run["steps"]:
        echo(f"{s['rate']:>7g} {s['offered']:>7} {s['accepted_per_s']:>7.1f} {s['rejected_percent']:>5.1f} "
             f"{s['failed_percent']:>5.1f} {trio(s['accept_ms']):>20} {trio(s['dispatch_ms']):>22} "
             f"{s['dispatched_per_s']:>7.1f} {s['lost']:>5} {s['duplicated']:>4} {s['linked']:>6} "
             f"{s['drain_s']:>6.1f}{'' if s['drained'] else '!'} {fmt(s['scheduler_lag_ms']['p99'], 10)} ms")
    names = list(run["steps"][0]["services"]) if run["steps"] else []
    if names:
        echo("\npeak RSS MiB (CPU % of one core) per process, per step; machine busy % of all cores")
        echo(f"{'rate/s':>7} " + " ".join(f"{n:>18}" for n in names) + f" {'generator':>10} {'machine':>8}")
        for s in run["steps"]:
            cells = [f"{fmt(s['services'][n]['peak_rss_mib'], 0, 1)} ({fmt(s['services'][n]['cpu_percent'], 0)}%)"
                     for n in names]
            echo(f"{s['rate']:>7g} " + " ".join(f"{c:>18}" for c in cells)
                 + f" {fmt(s['generator_cpu_percent'], 9)}% {fmt(s['machine_busy_percent'], 7)}%")
        echo("CPU ms per dispatched report (the office's cost of one report, from offering to dispatch):")
        for s in run["steps"]:
            cost = s["cpu_ms_per_report"]
            office = sum(v for n, v in cost.items() if n != "rabbitmq")
            total = sum(cost.values())
            echo(f"{s['rate']:>7g} " + ", ".join(f"{n} {v:.1f}" for n, v in cost.items())
                 + f"; all service processes {office:.1f}; with the broker {total:.1f}"
                 + (f" → {CPUS} cores carry at most {CPUS * 1000 / total:.0f} reports/s at this cost" if total else ""))
    if growth := run.get("rss_growth"):
        echo(f"RSS over the whole run ({run.get('run_seconds', 0):.0f} s), first → peak → last MiB: "
             + ", ".join(f"{n} {g['first_mib']:.0f}→{g['peak_mib']:.0f}→{g['last_mib']:.0f}"
                         for n, g in growth.items()))
        if any(g["settled_mib"] is not None for g in growth.values()):
            echo(f"RSS growth after the first {SETTLE_S} s, MiB: " + ", ".join(
                f"{n} {fmt(g['growth_after_settling_mib'], 0, 1)}" for n, g in growth.items()))
        echo("RSS at each minute, MiB: " + "; ".join(
            f"{n} " + " ".join(str(v) for v in g.get("each_minute_mib", ())) for n, g in growth.items()))
    if whole := run.get("whole_run"):
        echo(f"whole run: {whole['accepted']} accepted reports (incl. {WARMUP_REPORTS} warm-up), "
             f"{whole['cases']} cases; lost {whole['lost']}, duplicated {whole['duplicated']}, "
             f"linked as repeats {whole['linked']}; cases of reports whose answer never arrived "
             f"{whole['cases_of_unanswered_reports']}")
    if ceiling:
        base = ceiling["publish_confirmed_pipelined"]["per_s"]
        echo("as a share of the broker's pipelined publish ceiling "
             f"({base:.0f} msgs/s): " + ", ".join(
                 f"{s['rate']:g}/s → accepted {s['accepted_per_s'] / base:.3f}, dispatched "
                 f"{s['dispatched_per_s'] / base:.3f}" for s in run["steps"]))
    for s in run["steps"]:
        if s["errors"]:
            echo(f"  at {s['rate']:g}/s, e.g.: " + " | ".join(s["errors"][:3]))


def print_ceiling(ceiling: dict, echo) -> None:
    one, pipe, con = (ceiling[k] for k in ("publish_confirmed_one_by_one", "publish_confirmed_pipelined",
                                          "consume_acked"))
    echo(f"\nbroker ceiling (pika, persistent {ceiling['message_bytes']} B messages, durable queue)")
    echo(f"  publish, confirm each before the next: {one['per_s']:>9.0f} msgs/s ({one['messages']} messages)")
    trouble = f", {pipe['error']}" if pipe.get("error") else ""
    echo(f"  publish, {pipe['window']} unconfirmed in flight:  {pipe['per_s']:>9.0f} msgs/s "
         f"({pipe['messages']} messages{trouble})")
    echo(f"  consume, ack each (prefetch {con['prefetch']}):       {con['per_s']:>9.0f} msgs/s "
         f"({con['messages']} messages)")


def targets(runs: list[dict]) -> list[dict]:
    """The issue's targets against the best matching step of the 1-replica (or first) run."""
    steps = (next((r for r in runs if r["replicas"] == 1), runs[0]) if runs else {"steps": []})["steps"]
    at_500 = next((s for s in steps if s["rate"] == 500), None)
    top = max(steps, key=lambda s: min(s["accepted_per_s"], s["dispatched_per_s"]), default=None)
    sustained = top is not None and top["duration_s"] >= TARGETS["sustain_s"]
    run_s = max((r.get("run_seconds", 0) for r in runs), default=0)
    out = [
        {"target": f"≥{TARGETS['throughput_per_s']} reports/s accepted and dispatched, sustained "
                   f"{TARGETS['sustain_s']} s, none lost or duplicated",
         "measured": None if top is None else
         f"{min(top['accepted_per_s'], top['dispatched_per_s']):.0f}/s at {top['rate']:g}/s offered for "
         f"{top['duration_s']:g} s, lost {top['lost']}, dup {top['duplicated']}",
         "met": None if top is None or not sustained else
         min(top["accepted_per_s"], top["dispatched_per_s"]) >= TARGETS["throughput_per_s"]
         and top["lost"] == 0 and top["duplicated"] == 0},
        {"target": f"accept p99 < {TARGETS['accept_p99_ms_at_500']} ms at 500/s",
         "measured": at_500 and f"{fmt(at_500['accept_ms']['p99'])} ms",
         "met": at_500 and at_500["accept_ms"]["p99"] is not None
         and at_500["accept_ms"]["p99"] < TARGETS["accept_p99_ms_at_500"]},
        {"target": f"report-to-dispatch p99 < {TARGETS['dispatch_p99_ms_at_500']} ms at 500/s",
         "measured": at_500 and f"{fmt(at_500['dispatch_ms']['p99'])} ms",
         "met": at_500 and at_500["dispatch_ms"]["p99"] is not None
         and at_500["dispatch_ms"]["p99"] < TARGETS["dispatch_p99_ms_at_500"]},
        rss_target(runs, run_s),
    ]
    return out


def rss_target(runs: list[dict], run_s: float) -> dict:
    """No growth: after the first minute, every service's RSS stays within RSS_TOLERANCE of where it settled."""
    growth = {name: g for run in runs for name, g in (run.get("rss_growth") or {}).items()
              if name != "rabbitmq" and g.get("settled_mib")}
    worst = max(growth.items(), key=lambda item: item[1]["growth_after_settling_mib"] / item[1]["settled_mib"],
                default=None)
    long_enough = run_s >= TARGETS["rss_run_s"] and worst is not None
    measured = worst and (f"run lasted {run_s:.0f} s; most growth after the first {SETTLE_S} s: {worst[0]} "
                          f"{worst[1]['growth_after_settling_mib']:+.1f} MiB of {worst[1]['settled_mib']:.0f}")
    return {"target": f"no RSS growth over a {TARGETS['rss_run_s'] // 60}-minute run",
            "measured": measured or f"run lasted {run_s:.0f} s",
            "met": (worst[1]["growth_after_settling_mib"] <= RSS_TOLERANCE * worst[1]["settled_mib"])
            if long_enough else None}


def print_targets(rows: list[dict], echo) -> None:
    echo("\ntargets (issue 7; printed, not asserted)")
    for row in rows:
        verdict = {True: "met", False: "NOT met", None: "not measured by this run"}[row["met"]]
        echo(f"  {row['target']}: {row['measured'] or '—'} — {verdict}")


def replica_ratio(runs: list[dict]) -> dict | None:
    by = {r["replicas"]: r for r in runs}
    if 1 not in by or len(by) < 2:
        return None
    out = {}
    for replicas, run in by.items():
        if replicas == 1:
            continue
        for one, more in zip(by[1]["steps"], run["steps"], strict=False):
            out[f"{replicas}x@{one['rate']:g}"] = round(more["accepted_per_s"] / max(1e-9, one["accepted_per_s"]), 3)
    return out


# --- the command -----------------------------------------------------------------------------------

def numbers(text: str, cast=float) -> list:
    try:
        values = [cast(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise click.BadParameter(f"expected positive numbers, got {text!r}")
    return values


@click.command(help=__doc__.split("\n\n")[0])
@click.option("--rates", default="100,250,500,1000", show_default=True, help="Reports/s offered, one step each.")
@click.option("--duration", default=20.0, show_default=True, help="Seconds each rate is offered.")
@click.option("--replicas", default="1", show_default=True,
              help="Intake replicas; a list (1,2) runs the whole sweep once per count and prints the ratio.")
@click.option("--database", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True)
@click.option("--json", "json_path", default=DEFAULT_JSON, show_default=True,
              type=click.Path(dir_okay=False))
@click.option("--skip-ceiling", is_flag=True, help="Do not measure the broker's raw ceiling.")
@click.option("--ceiling-messages", default=20000, show_default=True)
@click.option("--connections", default=256, show_default=True, help="HTTP connections of the generator's pool.")
@click.option("--request-timeout", default=30.0, show_default=True, help="Seconds before a report counts as failed.")
@click.option("--drain-timeout", default=None, type=float,
              help="Seconds to wait after each step (after the burst) for every accepted report to be dispatched "
                   "[default: 60; 600 after a burst].")
@click.option("--burst", default=None, type=float,
              help="Reports/s offered for --duration s as one burst, the backlog printed as it goes (no sweep).")
@click.option("--downstream-nice", default=10, show_default=True,
              help="In a burst: the niceness of dispatch, supervision and scoring.")
@click.option("--downstream-prefetch", default=50, show_default=True,
              help="In a burst: <S>_PREFETCH_COUNT of dispatch, supervision and scoring.")
@click.option("--downstream-batch", default=50, show_default=True,
              help="In a burst: <S>_BATCH_SIZE of dispatch, supervision and scoring.")
@click.option("--report-every", default=5.0, show_default=True, help="In a burst: seconds between backlog lines.")
@click.option("--seed", default=7, show_default=True)
@click.option("--log-level", default="WARNING", show_default=True, help="LOG_LEVEL of the services.")
@click.option("--keep-data", is_flag=True, help="Keep the temporary data directory and service logs.")
def main(rates, duration, replicas, database, json_path, skip_ceiling, ceiling_messages, connections,
         request_timeout, drain_timeout, burst, downstream_nice, downstream_prefetch, downstream_batch, report_every,
         seed, log_level, keep_data):
    echo = click.echo
    # a SIGTERM stops the benchmark like Ctrl-C: through the finally clauses that stop the office
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    options = {"rates": numbers(rates), "duration": duration, "database": database, "connections": connections,
               "request_timeout": request_timeout,
               "drain_timeout": drain_timeout if drain_timeout is not None else (600.0 if burst else 60.0),
               "seed": seed, "log_level": log_level, "keep_data": keep_data,
               "directory": REPO_ROOT / "deploy" / "county.yaml", "burst": burst,
               "downstream_nice": downstream_nice, "downstream_prefetch": downstream_prefetch,
               "downstream_batch": downstream_batch, "report_every": report_every}
    replica_counts = numbers(replicas, int)
    if burst is not None:
        bursts(replica_counts, options, json_path, echo)
        return
    if database == "sqlite" and max(replica_counts) > 1:
        echo("note: intake replicas share one SQLite file here and contend for its write lock, and each runs "
             "its own outbox relay over it (dispatch drops the repeats); use --database postgresql for "
             "meaningful replica figures.")
    started = datetime.now(timezone.utc)
    result = {"started_at": started.isoformat(), "machine": {
        "cpus": CPUS, "python": platform.python_version(), "platform": platform.platform()},
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()},
        "ceiling": None, "runs": []}
    with private_vhost() as amqp_uri:
        if not skip_ceiling:
            echo("measuring the broker's ceiling …")
            result["ceiling"] = measure_ceiling(amqp_uri, ceiling_messages)
            print_ceiling(result["ceiling"], echo)
        for count in replica_counts:
            try:
                result["runs"].append(run_office(amqp_uri, count, options, echo))
            except (RuntimeError, httpx.HTTPError) as exc:
                echo(f"run with {count} intake replica(s) stopped: {exc}", err=True)
                result.setdefault("errors", []).append(f"{count} replicas: {exc}")
    for run in result["runs"]:
        print_run(run, result["ceiling"], echo)
    if result["ceiling"]:
        print_ceiling(result["ceiling"], echo)
    if ratio := replica_ratio(result["runs"]):
        result["replica_ratio"] = ratio
        echo("\naccepted/s with N replicas ÷ with 1: " + ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))
    result["targets"] = targets(result["runs"])
    print_targets(result["targets"], echo)
    result["finished_at"] = datetime.now(timezone.utc).isoformat()
    path = Path(json_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    echo(f"\nwrote {path}")
    if result.get("errors"):
        sys.exit(1)


def bursts(replica_counts: list[int], options: dict, json_path: str, echo) -> None:
    """One burst per intake replica count, each on an office of its own; the JSON beside the sweep's."""
    from bench import burst
    result = {"started_at": datetime.now(timezone.utc).isoformat(), "machine": {
        "cpus": CPUS, "python": platform.python_version(), "platform": platform.platform()},
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()}, "bursts": []}
    with private_vhost() as amqp_uri:
        for count in replica_counts:
            run = burst.run_burst(amqp_uri, count, options, echo)
            run["targets"] = burst.targets(run)
            result["bursts"].append(run)
            burst.print_burst(run, echo)
    result["finished_at"] = datetime.now(timezone.utc).isoformat()
    path = Path(json_path if json_path != DEFAULT_JSON else "bench/results/burst.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    echo(f"\nwrote {path}")


if __name__ == "__main__":
    main()
