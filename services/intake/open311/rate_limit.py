"""How often one client may call the public Open311 API."""
from __future__ import annotations

import time

from nameko.extensions import SharedExtension


class ClientRateLimit(SharedExtension):
    """The public Open311 API's limit per client: a token bucket of ``OPEN311_RATE_PER_MINUTE`` requests,
    refilled evenly, per client address (one bucket shared by all the Open311 routes of the service)."""

    MAX_CLIENTS = 10000

    def setup(self):
        self.per_minute = self.container.config.get("OPEN311_RATE_PER_MINUTE", 120)
        self.buckets: dict[str, tuple[float, float]] = {}

    def wait(self, client: str) -> float:
        """0 if the client may go on now, else the seconds until it may."""
        now, rate = time.monotonic(), self.per_minute / 60
        tokens, since = self.buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - since) * rate)
        if len(self.buckets) >= self.MAX_CLIENTS and client not in self.buckets:
            self.buckets.clear()  # forget idle clients rather than grow without bound
        self.buckets[client] = (tokens - 1, now) if tokens >= 1 else (tokens, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / rate
