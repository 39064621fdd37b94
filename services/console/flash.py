"""What a refused action leaves for the page it goes back to (post/redirect/get).

A refusal redirects to the form's own address; the reason and what the person had typed wait here,
under a random id in that address, for the person who posted them only. They live in the console's
memory for a few minutes (the draft may hold a reporter's personal data, so never in a cookie or a log);
a restart forgets them, and the form simply comes back empty.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cachetools import TTLCache
from nameko.extensions import DependencyProvider

from .backend import BackendError

KEPT_SECONDS = 600
KEPT_AT_MOST = 2000


@dataclass(frozen=True)
class Refusal:
    """A service's refusal as the page shows it, with the form the person had filled."""
    status: int
    code: str
    message: str
    details: list | None
    draft: dict
    action: str | None

    @classmethod
    def of(cls, refused: BackendError, draft: dict, action: str | None = None) -> Refusal:
        return cls(refused.status, refused.code, refused.message, refused.details, draft, action)


class Refusals:
    def __init__(self, kept: TTLCache):
        self.kept = kept

    def keep(self, holder: str | None, refusal: Refusal) -> str:
        """Keeps the refusal for ``holder`` (their session token, or a browser's for the public); its id."""
        key = secrets.token_urlsafe(12)
        self.kept[key] = (_owner(holder), refusal)
        return key

    def find(self, holder: str | None, key: str | None) -> Refusal | None:
        """The refusal kept under ``key`` if ``holder`` left it (a reload shows it again); else None."""
        owner, refusal = self.kept.get(key or "", (None, None))
        return refusal if refusal is not None and owner == _owner(holder) else None


def _owner(holder: str | None) -> str:
    return hashlib.sha256((holder or "").encode()).hexdigest()


class RefusalKeeper(DependencyProvider):
    """One store for the console's workers (nameko runs them as green threads of one process)."""

    def setup(self):
        self.refusals = Refusals(TTLCache(maxsize=KEPT_AT_MOST, ttl=KEPT_SECONDS))

    def get_dependency(self, worker_ctx):
        return self.refusals
