"""The staff's reads at scale (issue 20, item 4): p50/p95 of each read on a seeded county, RSS, a rebuild.

    .venv/bin/python -m bench.seed --reports 1000000 --database-prefix lianxin_bench_million
    .venv/bin/python -m bench.reads --database-prefix lianxin_bench_million --repeat 20

Starts the four services (``bench.harness``) on the databases ``bench.seed`` made, on a private RabbitMQ
virtual host, and calls each read ``--repeat`` times one after the other over HTTP, with the token of a
role that reads it. A year's assessment is published once and recomputed ``--repeat`` times (each is
the whole computation), after the last twelve months' assessments were published, so a unit's scorecard
has a history to read. Then, unless ``--no-rebuild``, it rebuilds scoring on an empty database from a
replay (``lianxin.recovery.replay``, what ``lianxin replay`` runs) of the last ``--rebuild-days`` of events
in the outboxes and prints events/s. Prints the table with the targets beside (p95 < 300 ms; < 2 s for a year's
assessment)
and each service's peak RSS; writes ``bench/results/reads.json``. Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psycopg

from bench import harness
from bench.seed import database_urls
from lianxin.recovery import replay

LEADER = {"Authorization": "Bearer dev-li-secretary"}
TARGET_MS, YEAR_TARGET_MS = 300, 2000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-prefix", default="lianxin_bench_seed", help="what bench.seed made")
    parser.add_argument("--repeat", type=int, default=20, help="calls of each read (after one to warm up)")
    parser.add_argument("--no-rebuild", action="store_true", help="skip scoring's rebuild from a replay")
    parser.add_argument("--rebuild-days", type=int, default=7, help="replay the events of this many last days")
    parser.add_argument("--json", type=Path, default=harness.REPO_ROOT / "bench" / "results" / "reads.json")
    parser.add_argument("--only", help="measure only the reads whose name holds one of these, comma-separated "
                                       "(e.g. board,digest); no assessments")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    urls = database_urls(args.database_prefix)
    facts = seeded_facts(urls)
    print(f"seeded: {facts['reports']:,} reports, {facts['cases']:,} cases; unit {facts['unit']}, "
          f"month {facts['month']}, year {facts['year']}, case {facts['case_id']}")
    with harness.private_vhost() as amqp_uri, tempfile.TemporaryDirectory(prefix="lianxin-reads-") as tmp:
        office = harness.Office()
        try:
            harness.start_office(office, amqp_uri, urls, Path(tmp), 1, args.log_level)
            sampler = harness.Sampler(office.pids())
            sampler.start()
            started = time.monotonic()
            rows = measure(office, facts, args.repeat, args.only)
            sampler.stop()
            memory = sampler.window(started, time.monotonic())
        finally:
            harness.stop_office(office)
        rebuild = None if args.no_rebuild else rebuild_scoring(amqp_uri, urls, args.database_prefix, Path(tmp),
                                                               args.log_level, args.rebuild_days)
    print_table(rows, memory, rebuild)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"facts": facts, "reads": rows, "memory": memory, "rebuild": rebuild,
                                     "taken_at": datetime.now(timezone.utc).isoformat()}, indent=2, default=str))
    print(f"JSON: {args.json}")


def seeded_facts(urls: dict[str, str]) -> dict:
    """What to ask for: the busiest unit, the last full month and year, a reopened case, an instructing leader."""
    with psycopg.connect(_libpq(urls["dispatch"])) as db:
        cases, = db.execute("SELECT count(*) FROM cases").fetchone()
        unit, = db.execute("SELECT unit FROM cases GROUP BY unit ORDER BY count(*) DESC LIMIT 1").fetchone()
        case_pk, = db.execute("SELECT max(id) FROM cases WHERE reopen_count > 0").fetchone() or (1,)
        leader = db.execute("SELECT leader FROM leader_instructions GROUP BY leader ORDER BY count(*) DESC "
                            "LIMIT 1").fetchone()
        newest, = db.execute("SELECT max(received_at) FROM cases").fetchone()
    with psycopg.connect(_libpq(urls["intake"])) as db:
        reports, = db.execute("SELECT count(*) FROM reports").fetchone()
        word = db.execute("SELECT substr(content, 12, 2) FROM reports WHERE id = (SELECT max(id) / 2 FROM reports)"
                          ).fetchone()[0]
    last_month = (newest.replace(day=1) - timedelta(days=1))
    return {"reports": reports, "cases": cases, "unit": unit, "case_id": f"C{case_pk or 1:08d}",
            "leader": leader[0] if leader else "li-secretary", "month": last_month.strftime("%Y-%m"),
            "months": months_before(last_month, 12),
            "year": str(newest.year - 1), "day": (newest - timedelta(days=3)).date().isoformat(), "word": word,
            "from": (newest - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")}


def months_before(last: datetime, count: int) -> list[str]:
    """``last``'s month and the ``count - 1`` before it, as YYYY-MM."""
    n = last.year * 12 + last.month - 1
    return [f"{(n - k) // 12}-{(n - k) % 12 + 1:02d}" for k in range(count)]


def reads(facts: dict) -> list[tuple[str, str, str, dict, int]]:
    """(name, service, path, headers, target ms) of every read measured."""
    s, f = harness.SUPERVISOR, facts
    return [
        ("case board", "dispatch", "/cases", s, TARGET_MS),
        ("board: unit", "dispatch", f"/cases?unit={f['unit']}", s, TARGET_MS),
        ("board: state=accepted", "dispatch", "/cases?state=accepted", s, TARGET_MS),
        ("board: overdue", "dispatch", "/cases?overdue=true", s, TARGET_MS),
        ("board: unit + overdue", "dispatch", f"/cases?unit={f['unit']}&overdue=true", s, TARGET_MS),
        ("board: leader", "dispatch", f"/cases?leader={f['leader']}", s, TARGET_MS),
        ("board: level=county", "dispatch", "/cases?level=county", s, TARGET_MS),
        ("board: lead_leader", "dispatch", f"/cases?lead_leader={f['leader']}", s, TARGET_MS),
        ("board: received_from", "dispatch", f"/cases?received_from={f['from']}", s, TARGET_MS),
        ("board: category+township", "dispatch", "/cases?category=subsistence-allowance&township=qingshui", s,
         TARGET_MS),
        ("reports: q= (operator)", "intake", f"/reports?q={f['word']}", harness.OPERATOR, TARGET_MS),
        ("reports: q= (no match)", "intake", "/reports?q=%E6%97%A0%E6%AD%A4%E4%BA%8B", harness.OPERATOR, TARGET_MS),
        ("reports: township", "intake", "/reports?township=qingshui", harness.OPERATOR, TARGET_MS),
        ("case page", "dispatch", f"/cases/{f['case_id']}", s, TARGET_MS),
        ("case history", "dispatch", f"/cases/{f['case_id']}/history", s, TARGET_MS),
        ("ten-day digest", "intake", f"/digests/ten-day?date={f['day']}", LEADER, TARGET_MS),
        ("monthly analysis", "intake", f"/analyses/monthly/{f['month']}", LEADER, TARGET_MS),
        ("live rankings (month)", "scoring", f"/rankings?period={f['month']}", LEADER, TARGET_MS),
        ("live rankings (year)", "scoring", f"/rankings?period={f['year']}", LEADER, YEAR_TARGET_MS),
    ]


def measure(office: harness.Office, facts: dict, repeat: int, only: str | None = None) -> list[dict]:
    base = {service: office.urls(service)[0] for service in harness.SERVICES}
    rows = []
    with httpx.Client(timeout=120) as client:
        for name, service, path, headers, target in reads(facts):
            if only and not any(part in name for part in only.split(",")):
                continue
            url = base[service] + path
            rows.append(timed(name, target, repeat, lambda url=url, headers=headers: client.get(url, headers=headers)))
        if only:
            return rows
        scoring, sup = base["scoring"], harness.SUPERVISOR
        for month in facts["months"]:  # a history for the scorecard
            client.post(f"{scoring}/assessments", json={"period": month, "kind": "regular"}, headers=sup)
        first = client.post(f"{scoring}/assessments", json={"period": facts["year"], "kind": "regular"}, headers=sup)
        year_id = first.json().get("assessment_id") or client.get(  # published by an earlier run on these databases
            f"{scoring}/assessments", params={"period": facts["year"]}, headers=sup).json()["assessments"][0][
            "assessment_id"]
        rows.append(timed(f"assessment of {facts['year']}", YEAR_TARGET_MS, repeat, lambda: client.post(
            f"{scoring}/assessments/{year_id}/recomputation", headers=sup), warm=False))
        rows.append(timed("assessment report (html)", TARGET_MS, repeat, lambda: client.get(
            f"{scoring}/assessments/{year_id}?format=html", headers=LEADER)))
        rows.append(timed("unit scorecard", TARGET_MS, repeat, lambda: client.get(
            f"{scoring}/units/{facts['unit']}/scorecard", headers=LEADER)))
    return rows


def timed(name: str, target: int, repeat: int, call, warm: bool = True) -> dict:
    if warm:
        call()
    seconds, statuses = [], set()
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - t0)
        statuses.add(answer.status_code)
    q = harness.quantiles_ms(seconds)
    row = {"read": name, "p50_ms": q["p50"], "p95_ms": q["p95"], "mean_ms": round(statistics.mean(seconds) * 1000, 1),
           "target_ms": target, "met": q["p95"] < target and statuses <= {200, 201}, "statuses": sorted(statuses)}
    print(f"  {name:<28} p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms  {row['statuses']}", flush=True)
    return row


def rebuild_scoring(amqp_uri: str, urls: dict[str, str], prefix: str, data_dir: Path, log_level: str,
                    days: int) -> dict:
    """Scoring on an empty database, rebuilt by replaying the last ``days`` of events the publishers' outboxes
    hold (bench.seed keeps ``--replay-days`` of them)."""
    fresh = f"{prefix}_rebuild"
    with psycopg.connect(dbname="postgres", autocommit=True, **harness.POSTGRES) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{fresh}"')
    target = {**urls, "scoring": urls["scoring"].rsplit("/", 1)[0] + f"/{fresh}"}
    office = harness.Office()
    try:
        harness.start_office(office, amqp_uri, target, data_dir, {s: 0 for s in harness.SERVICES} | {"scoring": 1},
                             log_level)
        started = time.monotonic()
        sent = sum(replay("scoring", datetime.now(timezone.utc) - timedelta(days=days), amqp_uri, target).values())
        published = time.monotonic() - started
        applied = wait_applied(target["scoring"], sent)
        elapsed = time.monotonic() - started
    finally:
        harness.stop_office(office)
        with psycopg.connect(dbname="postgres", autocommit=True, **harness.POSTGRES) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    result = {"events": sent, "applied": applied, "publish_s": round(published, 1), "total_s": round(elapsed, 1),
              "events_per_s": round(applied / elapsed, 1)}
    print(f"  rebuild: {applied:,} of {sent:,} events applied in {elapsed:.0f} s: {result['events_per_s']:,} "
          f"events/s (replay published in {published:.0f} s)")
    return result


def wait_applied(scoring_url: str, sent: int, idle_timeout: float = 60.0) -> int:
    """Until scoring's inbox holds every replayed event, or stops growing for ``idle_timeout`` s."""
    last, last_change = -1, time.monotonic()
    while True:
        with psycopg.connect(_libpq(scoring_url)) as db:
            applied, = db.execute("SELECT count(*) FROM inbox").fetchone()
        if applied >= sent or time.monotonic() - last_change > idle_timeout:
            return applied
        if applied != last:
            last, last_change = applied, time.monotonic()
        time.sleep(1)


def print_table(rows: list[dict], memory: dict, rebuild: dict | None) -> None:
    print(f"\n{'read':<30}{'p50 ms':>10}{'p95 ms':>10}{'target':>10}  met")
    for row in rows:
        print(f"{row['read']:<30}{row['p50_ms']:>10}{row['p95_ms']:>10}{'< ' + str(row['target_ms']):>10}  "
              f"{'yes' if row['met'] else 'NO'}")
    print("\npeak RSS during the reads: " + ", ".join(
        f"{name} {value['peak_rss_mib']} MiB" for name, value in memory["services"].items()) +
          f"; machine busy {memory['machine_busy_percent']} %")
    if rebuild:
        print(f"scoring rebuilt from a replay: {rebuild['events_per_s']:,} events/s "
              f"({rebuild['applied']:,} of {rebuild['events']:,})")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg", "postgresql")


if __name__ == "__main__":
    main()
