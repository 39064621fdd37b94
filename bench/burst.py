"""A burst: intake takes a peak at once while the office catches up behind it (issue 20, target 1).

``bench/intake_peak.py --burst 1000 --duration 60`` offers 1,000 reports/s for 60 s on the open loop of
the harness, to as many intake replicas as ``--replicas`` says, and prints every few seconds what is
waiting: the reports intake holds, the cases dispatch opened, each service's outbox not yet published
and each event queue's ready messages. After the burst it waits until every accepted report has its
case and prints how long that took after the last report was due. Lost and duplicated are counted
from dispatch's table; the accept and report-to-dispatch latencies from the generator's clock and
dispatch's ``dispatched_at``.

The downstream services (dispatch, supervision, scoring) run niced and with a smaller prefetch and
batch (``--downstream-nice``, ``--downstream-prefetch``, ``--downstream-batch``): the kernel gives
intake the CPU first, and the backlog waits in the queues and outboxes, which is what they are for.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench.harness import (
    REPO_ROOT,
    SERVICES,
    Databases,
    Office,
    QueueDepths,
    ReportMaker,
    Sampler,
    Tuning,
    broker_pid,
    log_tail,
    offer,
    quantiles_ms,
    service_databases,
    start_office,
    stop_office,
)

TARGETS = {"accepted_percent": 99.9, "accept_p99_ms": 250, "dispatched_within_s": 180}
DOWNSTREAM = ("dispatch", "supervision", "scoring")


def tunings(options: dict) -> dict[str, Tuning]:
    downstream = Tuning(nice=options["downstream_nice"], prefetch=options["downstream_prefetch"],
                        batch=options["downstream_batch"])
    return {service: downstream for service in DOWNSTREAM}


class Backlog:
    """What waits where, read from the databases and the broker; one line every ``every`` seconds."""

    def __init__(self, databases: Databases, queues: QueueDepths, echo, every: float):
        self.databases, self.queues, self.echo, self.every = databases, queues, echo, every
        self.began = time.monotonic()
        self.lines: list[dict] = []

    def read(self, phase: str) -> dict:
        depths = self.queues.read()
        line = {"t_s": round(time.monotonic() - self.began, 1), "phase": phase,
                "reports": self.databases.reports(), "cases": self.databases.cases(),
                "outbox": self.databases.outbox_backlog(), "queues": {q: n for q, n in depths.items() if n}}
        self.lines.append(line)
        waiting = ", ".join(f"{q} {n}" for q, n in sorted(line["queues"].items(), key=lambda i: -i[1])) or "none"
        self.echo(f"  {line['t_s']:6.1f}s {phase:<7} reports {line['reports']:>6}  cases {line['cases']:>6}  "
                  f"outbox " + "/".join(str(line["outbox"][s]) for s in SERVICES) + f"  queued: {waiting}")
        return line

    def follow(self, running: threading.Thread, phase: str) -> None:
        while running.is_alive():
            self.read(phase)
            running.join(self.every)


def offer_in_thread(urls: list[str], bodies: list[bytes], rate: float, options: dict) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run():
        try:
            result["records"], result["start"], result["start_wall"] = asyncio.run(
                offer(urls, bodies, rate, options["connections"], options["request_timeout"]))
        except BaseException as exc:  # reported by the caller
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="burst-generator")
    thread.start()
    return thread, result


def drain(databases: Databases, backlog: Backlog, accepted: set[str], timeout: float) -> tuple[float, bool]:
    """Until every accepted report has a case (its own, or joined to one as a repeat)."""
    began = time.monotonic()
    next_line = began
    while True:
        counted = databases.count_cases(list(accepted))
        if counted["lost"] == 0:
            return time.monotonic() - began, True
        if time.monotonic() - began > timeout:
            return time.monotonic() - began, False
        if time.monotonic() >= next_line:
            backlog.read("drain")
            next_line += backlog.every
        time.sleep(1.0)


def catch_up(backlog: Backlog, timeout: float) -> bool:
    """Until no queue and no outbox holds anything: the whole office has caught up (intake following its cases,
    supervision and scoring), not only dispatch."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        line = backlog.read("catch up")
        ours = [q for q in line["queues"] if q.split(".")[0] in SERVICES]  # notifications' queues: not run here
        if not ours and not any(line["outbox"].values()):
            return True
        time.sleep(backlog.every)
    return False


def run_burst(amqp_uri: str, replicas: int, options: dict, echo) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="lianxin-burst-"))
    office, sampler = Office(), None
    rate, duration = options["burst"], options["duration"]
    run = {"replicas": replicas, "database": options["database"], "rate": rate, "duration_s": duration,
           "downstream": {"nice": options["downstream_nice"], "prefetch": options["downstream_prefetch"],
                          "batch": options["downstream_batch"]}}
    try:
        with service_databases(options["database"], data_dir) as urls:
            databases, queues = Databases(urls), QueueDepths(amqp_uri)
            try:
                echo(f"starting the office ({replicas} intake replica{'s' * (replicas > 1)}, {options['database']}, "
                     f"downstream nice {options['downstream_nice']}) …")
                start_office(office, amqp_uri, urls, data_dir, replicas, options["log_level"], tunings(options))
                pids = office.pids()
                if (broker := broker_pid()) is not None:
                    pids["rabbitmq"] = broker
                sampler = Sampler(pids)
                sampler.start()
                maker = ReportMaker(REPO_ROOT / "deploy" / "county.yaml", options["seed"])
                bodies = [maker.body(n) for n in range(int(rate * duration))]
                echo(f"offering {rate:g} reports/s for {duration:g} s ({len(bodies)} reports); backlog every "
                     f"{options['report_every']:g} s (reports held by intake, cases opened, outboxes "
                     f"{'/'.join(SERVICES)}, ready messages per queue)")
                backlog = Backlog(databases, queues, echo, options["report_every"])
                began = time.monotonic()
                thread, offered = offer_in_thread(office.urls("intake"), bodies, rate, options)
                backlog.follow(thread, "burst")
                if "error" in offered:
                    raise RuntimeError(f"the generator failed: {offered['error']!r}")
                answered = time.monotonic()
                records, start = offered["records"], offered["start"]
                burst_end = start + duration  # when the last report was due
                accepted = [r for r in records if r.status == 201]
                ids = {r.report_id for r in accepted}
                drain_s, drained = drain(databases, backlog, ids, options["drain_timeout"])
                dispatched_after_s = time.monotonic() - burst_end
                backlog.read("done" if drained else "gave up")
                caught_up = catch_up(backlog, options["drain_timeout"]) if drained else False
                run["caught_up_after_burst_s"] = round(time.monotonic() - burst_end, 1) if caught_up else None
                sampler.sample()  # the drain's last moment, however short it was
                ended = time.monotonic()
                run.update(summarise(records, start, databases, ids, drained, dispatched_after_s))
                run["drain_s"] = round(drain_s, 1)
                run["backlog"] = backlog.lines
                run["burst_usage"] = sampler.window(began, answered)
                run["drain_usage"] = sampler.window(answered, ended)
                if dead := office.dead():
                    raise RuntimeError(f"{dead[0].name} exited during the burst:\n{log_tail(dead[0])}")
            finally:
                if sampler is not None:
                    sampler.stop()
                    run["rss_growth"] = sampler.growth()
                queues.close()
                stop_office(office)
                databases.close()
    finally:
        if options["keep_data"]:
            echo(f"  data and service logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return run


def summarise(records: list, start: float, databases: Databases, ids: set[str], drained: bool,
              dispatched_after_s: float) -> dict:
    accepted = [r for r in records if r.status == 201]
    failed = [r for r in records if r.status != 201]
    dispatched_at = databases.dispatched_at(ids)
    last_accept = max((r.answered for r in accepted), default=start)
    counted = databases.count_cases(list(ids))
    return {
        "offered": len(records), "accepted": len(accepted),
        "accepted_percent": round(100 * len(accepted) / max(1, len(records)), 2),
        "accepted_per_s": round(len(accepted) / max(1e-9, last_accept - start), 1),
        "not_accepted": {kind: sum(1 for r in failed if kind_of(r) == kind) for kind in {kind_of(r) for r in failed}},
        "errors": sorted({r.error for r in failed if r.error})[:5],
        "accept_ms": quantiles_ms([r.answered - r.scheduled for r in accepted]),
        "scheduler_lag_ms": quantiles_ms([r.released - r.scheduled for r in records if r.released is not None]),
        "dispatch_ms": quantiles_ms([dispatched_at[r.report_id] - r.accepted_wall for r in accepted
                                     if r.report_id in dispatched_at]),
        "lost": counted["lost"], "duplicated": counted["duplicated"], "linked": counted["linked"],
        "drained": drained, "all_dispatched_after_burst_s": round(dispatched_after_s, 1) if drained else None,
    }


def kind_of(record) -> str:
    if record.status is not None:
        return str(record.status)
    return "not sent" if (record.error or "").startswith("not sent") else "no answer"


def targets(run: dict) -> list[dict]:
    after = run.get("all_dispatched_after_burst_s")
    return [
        {"target": f"≥ {TARGETS['accepted_percent']} % accepted", "measured": f"{run['accepted_percent']} %",
         "met": run["accepted_percent"] >= TARGETS["accepted_percent"]},
        {"target": f"accept p99 < {TARGETS['accept_p99_ms']} ms", "measured": f"{run['accept_ms']['p99']} ms",
         "met": run["accept_ms"]["p99"] is not None and run["accept_ms"]["p99"] < TARGETS["accept_p99_ms"]},
        {"target": "none lost or duplicated (dispatch's table)",
         "measured": f"lost {run['lost']}, duplicated {run['duplicated']}",
         "met": run["lost"] == 0 and run["duplicated"] == 0},
        {"target": f"every report dispatched ≤ {TARGETS['dispatched_within_s']} s after the burst",
         "measured": "not within the drain timeout" if after is None else f"{after} s",
         "met": after is not None and after <= TARGETS["dispatched_within_s"]},
    ]


def cpu_ms_per_report(run: dict) -> dict[str, float]:
    """Each process's CPU over the burst and the catch-up after it, per report accepted, and the services' sum
    (RabbitMQ apart: the node may serve others' virtual hosts too)."""
    spent: dict[str, float] = {}
    for phase in ("burst_usage", "drain_usage"):
        for name, used in ((run.get(phase) or {}).get("services") or {}).items():
            spent[name] = spent.get(name, 0.0) + used.get("cpu_seconds", 0.0)
    if not run.get("accepted") or not spent:
        return {}
    per_report = {name: round(1000 * s / run["accepted"], 2) for name, s in spent.items()}
    services = sum(ms for name, ms in per_report.items() if name != "rabbitmq")
    return {**per_report, "services": round(services, 2)}


def print_burst(run: dict, echo) -> None:
    title = (f"burst: {run['rate']:g} reports/s for {run['duration_s']:g} s, {run['replicas']} intake "
             f"replica(s), {run['database']}; downstream nice {run['downstream']['nice']}, prefetch "
             f"{run['downstream']['prefetch']}, batch {run['downstream']['batch']}")
    echo(f"\n{title}\n{'=' * len(title)}")
    echo(f"offered {run['offered']}, accepted {run['accepted']} ({run['accepted_percent']} %, "
         f"{run['accepted_per_s']}/s); not accepted: {run['not_accepted'] or 'none'}")
    echo(f"accept ms p50/p95/p99: {'/'.join(str(run['accept_ms'][k]) for k in ('p50', 'p95', 'p99'))}; "
         f"report to dispatch ms p50/p95/p99: {'/'.join(str(run['dispatch_ms'][k]) for k in ('p50', 'p95', 'p99'))}; "
         f"generator lag p99 {run['scheduler_lag_ms']['p99']} ms")
    echo(f"lost {run['lost']}, duplicated {run['duplicated']}, joined as repeats {run['linked']}; every report "
         f"dispatched {run['all_dispatched_after_burst_s']} s after the burst ended, every queue and outbox empty "
         f"{run.get('caught_up_after_burst_s')} s after")
    for phase in ("burst_usage", "drain_usage"):
        usage = run.get(phase) or {}
        echo(f"{phase.split('_')[0]}: peak RSS MiB (CPU % of a core): " + ", ".join(
            f"{name} {u['peak_rss_mib']} ({u['cpu_percent']}%)" for name, u in usage.get("services", {}).items())
            + f"; the generator {usage.get('generator_cpu_percent')} %"
            + f"; machine busy {usage.get('machine_busy_percent')} %")
    if per_report := cpu_ms_per_report(run):
        echo("CPU ms per accepted report, burst and catch-up (holds on a busy machine, unlike wall time): "
             + ", ".join(f"{name} {ms}" for name, ms in per_report.items()))
    for error in run["errors"][:3]:
        echo(f"  e.g. {error}")
    echo("targets (issue 20; printed, not asserted)")
    for row in targets(run):
        echo(f"  {row['target']}: {row['measured']} — {'met' if row['met'] else 'NOT met'}")
