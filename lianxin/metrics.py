"""Prometheus metrics shared by the services; every series carries a ``service`` label."""
from __future__ import annotations

import time

from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600)


class _Metrics:
    def __init__(self):
        self.entrypoint_calls = Counter(
            "lianxin_entrypoint_calls", "Entrypoint calls by outcome", ["service", "entrypoint", "outcome"])
        self.entrypoint_seconds = Histogram(
            "lianxin_entrypoint_seconds", "Entrypoint latency", ["service", "entrypoint"], buckets=LATENCY_BUCKETS)
        self.outbox_backlog = Gauge("lianxin_outbox_backlog", "Events waiting in the outbox", ["service"])
        self.events_published = Counter("lianxin_events_published", "Events published", ["service", "type"])
        self.events_consumed = Counter(
            "lianxin_events_consumed", "Events consumed by outcome", ["service", "type", "outcome"])
        self.event_lag = Histogram(
            "lianxin_event_lag_seconds", "Event time to applied", ["service", "type"], buckets=LAG_BUCKETS)
        self.report_to_dispatch = Histogram(
            "lianxin_report_to_dispatch_seconds", "Report received to case dispatched", ["service"],
            buckets=LAG_BUCKETS)
        self.cases_open = Gauge("lianxin_cases_open", "Open cases per unit", ["service", "unit"])
        self.cases_overdue = Gauge("lianxin_cases_overdue", "Overdue cases per unit", ["service", "unit"])
        self.alerts_recent = Gauge("lianxin_alerts_recent", "Early-warning alerts of the last 24 hours",
                                   ["service", "kind"])
        self.callbacks_pending = Gauge("lianxin_callbacks_pending", "Cases awaiting a callback", ["service"])
        self.reviews_overdue = Gauge("lianxin_reviews_overdue", "Reviews open past their 30 days", ["service"])
        self.unit_closure_rate = Gauge("lianxin_unit_closure_rate", "Closure rate per unit", ["service", "unit"])


METRICS = _Metrics()


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


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
