"""Citizens on the public pages: who they are for the limits on guessing a case's secret.

The console limits wrong codes per browser address itself (``CONSOLE_CITIZEN_CODE_FAILURES`` in
``CONSOLE_CITIZEN_CODE_MINUTES``), before supervision's own limit, and names the address to supervision, so
one citizen's wrong tries never lock out the others who all reach supervision through the console.
"""
from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from nameko.extensions import DependencyProvider


class CodeGuesses:
    def __init__(self, failures: int, minutes: int):
        self.window, self.limiter = RateLimitItemPerMinute(failures, minutes), MovingWindowRateLimiter(MemoryStorage())

    def wait(self, address: str) -> int:
        """Seconds this address must wait before trying a code again; 0: it may try now."""
        if self.limiter.test(self.window, "code", address):
            return 0
        return max(1, math.ceil(self.limiter.get_window_stats(self.window, "code", address).reset_time - time.time()))

    def wrong(self, address: str) -> None:
        self.limiter.hit(self.window, "code", address)


class CitizenGuard(DependencyProvider):
    """One count for every worker of the console."""

    def setup(self):
        config = self.container.config
        self.guesses = CodeGuesses(config["CITIZEN_CODE_FAILURES"], config["CITIZEN_CODE_MINUTES"])

    def get_dependency(self, worker_ctx):
        return self.guesses
