"""The petitioner's own link: a per-case secret, and a limit on guessing it.

Wrong secrets are counted per client address and per case in a moving window; past the limit every try on
that address or case is refused with 429 until the window has moved on, the right secret too (else the
limit would not slow a guess down). Counts live in memory: a restart forgets them, a short reprieve.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from nameko.extensions import DependencyProvider

from lianxin.errors import NotFound, TooManyTries


class Links:
    def __init__(self, key: str, failures: int, minutes: int):
        self.key, self.window = key.encode(), RateLimitItemPerMinute(failures, minutes)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def secret(self, case_id: str) -> str:
        return hmac.new(self.key, case_id.encode(), hashlib.sha256).hexdigest()[:24]

    def check(self, request, case_id: str) -> None:
        """Pass if the request's ``secret`` opens the case; a wrong one reveals nothing (404)."""
        counted = (("address", request.remote_addr or "?"), ("case", case_id))
        for kind, value in counted:
            if not self.limiter.test(self.window, kind, value):
                wait = self.limiter.get_window_stats(self.window, kind, value).reset_time - time.time()
                raise TooManyTries(f"too many wrong links from this {kind}", max(1, math.ceil(wait)))
        given = request.args.get("secret", "").encode()  # bytes: compare_digest refuses non-ASCII text
        if not hmac.compare_digest(given, self.secret(case_id).encode()):
            for kind, value in counted:
                self.limiter.hit(self.window, kind, value)
            raise NotFound(f"no case {case_id!r} for this link")


class LinkKeeper(DependencyProvider):
    """One Links per service container, so its counts are shared by every worker."""

    def setup(self):
        config = self.container.config
        self.links = Links(config["LINK_KEY"], config["LINK_FAILURES"], config["LINK_FAILURE_MINUTES"])

    def get_dependency(self, worker_ctx):
        return self.links
