"""Prometheus metrics shared by the services; every series carries a ``service`` label.

Counters and histograms count what happens as it happens. Gauges say how things stand, so they are
read from the service's own database and broker queues when ``/metrics`` is scraped (``ScrapeTimeGauges``):
a gauge set by a timer keeps its last value for a label nobody sets again (a unit with no open case
left) and goes on showing it after the service lost its database.
"""
from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import eventlet
from kombu import Connection
from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from lianxin.directory import CountyDirectory
from lianxin.events import CATALOGUE
from lianxin.messaging_tables import outbox

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)
SCRAPE_TIMEOUT = 2.0  # seconds a scrape waits for the database or the broker (Prometheus gives up at 4)

# Every gauge a service exports: name -> (help, labels besides ``service``). Each is read at scrape time.
GAUGES = {
    "lianxin_database_up": ("1 if the service's database answered this scrape, else 0", ()),
    "lianxin_broker_up": ("1 if the service's broker answered this scrape, else 0", ()),
    "lianxin_disk_free_ratio": ("Free share (0-1) of the disk holding the service's SQLite database", ()),
    "lianxin_outbox_backlog": ("Events waiting in the outbox", ()),
    "lianxin_queue_messages": ("Events waiting in a consumer queue of the service", ("queue",)),
    "lianxin_dead_letters": ("Events parked in the service's dead-letter queue", ()),
    "lianxin_cases_open": ("Open cases per unit", ("unit",)),
    "lianxin_cases_overdue": ("Open cases past their deadline per unit", ("unit",)),
    "lianxin_alerts_recent": ("Early-warning alerts of the last 24 hours", ("kind",)),
    "lianxin_callbacks_pending": ("Cases awaiting a callback", ()),
    "lianxin_callbacks_failed": ("Cases whose callback failed (petitioner not reached)", ()),
    "lianxin_reviews_overdue": ("Reviews open past their 30 days", ()),
    "lianxin_notifications_failed": ("Messages failed after their last attempt or reported undelivered, per channel",
                                     ("channel",)),
    "lianxin_notifications_undelivered": ("Messages sent that the provider's receipt reports undelivered, per channel",
                                          ("channel",)),
    "lianxin_notifications_delivered": ("Messages the provider's receipt reports delivered, per channel", ("channel",)),
    "lianxin_notifications_queued": ("Messages waiting to be sent (or tried again), per channel", ("channel",)),
    "lianxin_unit_closure_ratio": ("Closure ratio (0-1) per unit in the latest published assessment",
                                   ("unit", "period")),
}

Reading = tuple[str, dict, float]  # a gauge's name, its labels besides ``service``, its value


class _Metrics:
    def __init__(self):
        self.entrypoint_calls = Counter(
            "lianxin_entrypoint_calls", "Entrypoint calls by outcome", ["service", "entrypoint", "outcome"])
        self.entrypoint_seconds = Histogram(
            "lianxin_entrypoint_seconds", "Entrypoint latency", ["service", "entrypoint"], buckets=LATENCY_BUCKETS)
        self.events_published = Counter("lianxin_events_published", "Events published", ["service", "type"])
        self.events_consumed = Counter(
            "lianxin_events_consumed", "Events consumed by outcome", ["service", "type", "outcome"])
        self.event_lag = Histogram(
            "lianxin_event_lag_seconds", "Event time to applied", ["service", "type"], buckets=LAG_BUCKETS)
        self.report_to_dispatch = Histogram(
            "lianxin_report_to_dispatch_seconds", "Report received to case dispatched", ["service"],
            buckets=LAG_BUCKETS)


METRICS = _Metrics()


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class _ScrapeTimeCollector:
    """The one collector of the process: every running service's gauges, one family per gauge."""

    def __init__(self):
        self.sources: list[ScrapeTimeGauges] = []

    def describe(self):
        return []  # nothing to check against other collectors: the families are built at each scrape

    def collect(self):
        families = {name: GaugeMetricFamily(name, help_, labels=("service", *labels))
                    for name, (help_, labels) in GAUGES.items()}
        for source in list(self.sources):
            for name, labels, value in source.readings():
                families[name].add_metric([source.service, *(labels[k] for k in GAUGES[name][1])], value)
        return [f for f in families.values() if f.samples]


_COLLECTOR = _ScrapeTimeCollector()
REGISTRY.register(_COLLECTOR)


class ScrapeTimeGauges(DependencyProvider):
    """The service's gauges, read when ``/metrics`` is scraped: its outbox, queues and dead letters, and
    whatever ``read(uow, directory)`` yields from its own tables (every known label, zeros included)."""

    def __init__(self, database, read: Callable[..., Iterable[Reading]] | None = None):
        self.database, self.read = database, read
        self._broker: Connection | None = None
        self._broker_turn = eventlet.semaphore.Semaphore(1)
        super().__init__()

    def setup(self):
        self.service = self.container.service_name
        self.queues = [f"{self.service}.{event_type}" for event_type, entry in CATALOGUE.items()
                       if self.service in entry.consumers]
        _COLLECTOR.sources.append(self)

    def stop(self):
        if self in _COLLECTOR.sources:
            _COLLECTOR.sources.remove(self)
        if self._broker is not None:
            self._broker.release()

    def kill(self):
        self.stop()

    def readings(self) -> Iterator[Reading]:
        yield from self._database_readings()
        yield from self._broker_readings()
        free = _disk_free_ratio(self.database.engine)
        if free is not None:
            yield "lianxin_disk_free_ratio", {}, free

    def _database_readings(self) -> Iterator[Reading]:
        readings = []
        try:
            with eventlet.Timeout(SCRAPE_TIMEOUT), self.database.unit_of_work() as uow:
                readings.append(("lianxin_outbox_backlog", {}, uow.session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None)))))
                if self.read is not None:
                    readings.extend(self.read(uow, self._directory()))
        except (SQLAlchemyError, OSError, eventlet.Timeout) as exc:
            log.warning("%s: gauges not read, the database did not answer (%r)", self.service, exc)
            yield "lianxin_database_up", {}, 0
            return
        yield "lianxin_database_up", {}, 1
        yield from readings

    def _broker_readings(self) -> Iterator[Reading]:
        """Depth of each consumer queue and of the dead-letter queue, by passive declares on one connection."""
        with self._broker_turn:
            try:
                with eventlet.Timeout(SCRAPE_TIMEOUT):
                    depths = self._queue_depths([*self.queues, f"{self.service}.dead-letter"])
            except (Exception, eventlet.Timeout) as exc:  # whatever stops the broker answering is the answer
                log.warning("%s: queue depths not read, the broker did not answer (%r)", self.service, exc)
                if self._broker is not None:
                    self._broker.release()
                    self._broker = None
                yield "lianxin_broker_up", {}, 0
                return
        yield "lianxin_broker_up", {}, 1
        dead = depths.pop(f"{self.service}.dead-letter", None)
        if dead is not None:
            yield "lianxin_dead_letters", {}, dead
        for queue, depth in depths.items():
            yield "lianxin_queue_messages", {"queue": queue}, depth

    def _queue_depths(self, queues: list[str]) -> dict[str, int]:
        if self._broker is None:
            self._broker = Connection(self.container.config["AMQP_URI"], connect_timeout=SCRAPE_TIMEOUT)
        depths = {}
        channel = self._broker.channel()
        try:
            for queue in queues:
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except self._broker.channel_errors:  # not declared yet: nothing waits in it
                    channel = self._broker.channel()
        finally:
            channel.close()
        return depths

    def _directory(self):
        return next((d.directory for d in self.container.dependencies if isinstance(d, CountyDirectory)), None)


def _disk_free_ratio(engine) -> float | None:
    """For SQLite, the share of its disk still free; PostgreSQL's disk is its server's to watch."""
    if engine is None or engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    try:
        usage = shutil.disk_usage(Path(engine.url.database).resolve().parent)
    except OSError:
        return None
    return usage.free / usage.total


class EntrypointMetrics(DependencyProvider):
    """Counts and times every entrypoint call of the service."""

    def __init__(self):
        self._started = {}
        super().__init__()

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        service, entrypoint = self.container.service_name, worker_ctx.entrypoint.method_name
        outcome = "error" if exc_info is not None or _is_error_response(result) else "ok"
        METRICS.entrypoint_calls.labels(service, entrypoint, outcome).inc()
        if started is not None:
            METRICS.entrypoint_seconds.labels(service, entrypoint).observe(time.perf_counter() - started)

    def worker_teardown(self, worker_ctx):
        self._started.pop(worker_ctx, None)


def _is_error_response(result) -> bool:
    status = getattr(result, "status_code", None)
    return status is not None and status >= 500
