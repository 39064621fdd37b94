"""The dashboard's figures on a seeded county (issue 18): read from dispatch's lists, as the console did, against
dispatch's own count (``GET /statistics/days``), which the console asks now.

    .venv/bin/python -m bench.seed --reports 100000 --database-prefix lianxin_bench_dash
    .venv/bin/python -m bench.dashboard --database-prefix lianxin_bench_dash --repeat 5

Starts dispatch alone as a process (``bench.harness``) on the seeded database and a private RabbitMQ
virtual host, and times, one after the
other, ``--repeat`` times each: every case received in the last 60 days and every open case, page by page
(what the dashboard read before), and the fortnight's count. Prints the median and the rows each moved.
Asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bench import harness
from bench.seed import database_urls
from lianxin.http import MAX_PAGE
from lianxin.vocabulary import COUNTY_TIME

SUPERVISOR = {"Authorization": "Bearer dev-supervisor-01"}


def read_lists(client: httpx.Client) -> int:
    """The cases the dashboard read before: received in the last 60 days, and open; the rows read."""
    since = datetime.combine(datetime.now(COUNTY_TIME).date() - timedelta(days=60), datetime.min.time(), COUNTY_TIME)
    rows = 0
    for query in ({"sort": "received_at", "received_from": since.isoformat()}, {"open": "true", "sort": "received_at"}):
        page = 1
        while True:
            found = client.get("/cases", params={**query, "page": page, "limit": MAX_PAGE}).json()["cases"]
            rows += len(found)
            if len(found) < MAX_PAGE:
                break
            page += 1
    return rows


def count(client: httpx.Client) -> int:
    today = datetime.now(COUNTY_TIME).date()
    answer = client.get("/statistics/days", params={"from": str(today - timedelta(days=13)), "to": str(today)})
    answer.raise_for_status()
    found = answer.json()
    return len(found["days"]) + len(found["open"]) + len(found["townships"])


def timed(call, client, repeat: int) -> tuple[float, int]:
    rows = call(client)  # warm
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call(client)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-prefix", default="lianxin_bench_seed", help="what bench.seed made")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    dispatch = {"dispatch": database_urls(args.database_prefix)["dispatch"]}
    with harness.private_vhost() as amqp_uri, tempfile.TemporaryDirectory(prefix="lianxin-dashboard-") as tmp:
        office = harness.Office()
        try:
            harness.start_office(office, amqp_uri, dispatch, Path(tmp), 1, "WARNING")
            with httpx.Client(base_url=office.urls("dispatch")[0], headers=SUPERVISOR, timeout=120) as client:
                for name, call in (("lists (before)", read_lists), ("GET /statistics/days", count)):
                    median, rows = timed(call, client, args.repeat)
                    print(f"{name:24} {median * 1000:9.0f} ms median of {args.repeat}   {rows:7,} rows")
        finally:
            harness.stop_office(office)

if __name__ == "__main__":
    main()
