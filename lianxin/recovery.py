"""Backup, restore and catching up after a restore (``lianxin backup``, ``restore``, ``replay``).

A restored database is as old as its backup. Two things bring the service up to date, and the inbox
makes both safe to overdo: its relay publishes what its outbox had not yet published at backup time
(consumers skip event ids they already applied), and ``replay`` sends it again, from each publisher's
outbox, every event of the types it consumes published since the backup (the service skips those the
backup had already applied). docs/operations.md says what cannot come back this way.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from kombu import Connection
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lianxin.db import make_engine
from lianxin.events import CATALOGUE
from lianxin.messaging import ConfirmedBatch, subscriber_queue
from lianxin.messaging_tables import outbox

REPLAY_BATCH = 500  # events published before one wait for their confirms


class RecoveryError(Exception):
    """A backup, restore or replay that could not be done, with the reason."""


def backup(database_url: str, file: Path) -> None:
    """A consistent copy of a service's database taken while it runs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), Path(file))
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={file}", _libpq(url)])


def restore(database_url: str, file: Path) -> None:
    """Put a backup back as the service's database; the service must be stopped."""
    if not Path(file).is_file():
        raise RecoveryError(f"no backup at {file}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(file), _sqlite_path(url))
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq(url)}", str(file)])


def replay(service: str, since: datetime, amqp_uri: str, database_urls: dict[str, str],
           queue_type: str = "classic") -> Counter:
    """Send ``service`` again every event of the types it consumes that its publishers published since
    ``since``, straight to its own queues (other consumers see nothing); returns how many of each type."""
    sent: Counter = Counter()
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        sources = _sources(service)
        queues = {t: subscriber_queue(service, t, queue_type)(channel) for types in sources.values() for t in types}
        for queue in queues.values():
            queue.declare()
        # pipelined like the relay: one wait for the broker's confirms per batch, not one per event
        batch = ConfirmedBatch(conn, channel, "", route=lambda row: queues[row.type].name)
        for publisher, types in sources.items():
            for rows in _published_since(database_urls[publisher], types, since):
                confirmed = batch.publish(rows)
                sent.update(row.type for row in confirmed)
                if len(confirmed) < len(rows):
                    refused = rows[len(confirmed)]
                    raise RecoveryError(f"the broker refused {refused.type} {refused.event_id}; "
                                        f"{sum(sent.values())} events were replayed before it")
    return sent


def _sources(service: str) -> dict[str, list[str]]:
    """The event types a service consumes, by publisher."""
    sources: dict[str, list[str]] = {}
    for event_type, entry in CATALOGUE.items():
        if service in entry.consumers:
            sources.setdefault(entry.publisher, []).append(event_type)
    return sources


def _published_since(database_url: str, types: list[str], since: datetime):
    """The published events of those types since then, oldest first, in lists of REPLAY_BATCH."""
    # what is still unpublished the publisher's own relay will send; times are stored in UTC
    since = since.astimezone(timezone.utc)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            yield from conn.execute(
                select(outbox.c.event_id, outbox.c.type, outbox.c.body)
                .where(outbox.c.type.in_(types), outbox.c.created_at >= since, outbox.c.published_at.is_not(None))
                .order_by(outbox.c.id)).yield_per(REPLAY_BATCH).partitions()
    finally:
        engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the source is being written (WAL included)."""
    if not source.is_file():
        raise RecoveryError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _sqlite_path(url) -> Path:
    return Path(url.database).expanduser()


def _libpq(url) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise RecoveryError(f"{command[0]} is not installed (PostgreSQL client tools)")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RecoveryError(f"{command[0]} failed: {done.stderr.strip()[-1000:]}")
