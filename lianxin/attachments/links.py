"""Signed links to a case's repair photos for its petitioner.

Supervision holds the petitioner's per-case secret, dispatch holds the photos: once supervision has checked
the secret it hands out links that dispatch honours until they expire, without the secret ever reaching
dispatch. The signing key is derived from the office's redaction key, which every service shares.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

LIFETIME_SECONDS = 3600  # long enough to look at the page, short enough that a copied link goes stale
PURPOSE = b"lianxin attachment links"  # this key signs nothing else


def _signature(shared_key: str, case_id: str, attachment_id: int, expires: int) -> str:
    key = hmac.new(shared_key.encode(), PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{case_id}/{attachment_id}/{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def signed_path(shared_key: str, case_id: str, attachment_id: int, rendition: str, now: float | None = None) -> str:
    """Dispatch's public path of one photo of the case, valid for LIFETIME_SECONDS."""
    expires = int((now or time.time()) + LIFETIME_SECONDS)
    query = urlencode({"rendition": rendition, "expires": expires,
                       "signature": _signature(shared_key, case_id, attachment_id, expires)})
    return f"/public/cases/{case_id}/attachments/{attachment_id}?{query}"


def valid(shared_key: str, case_id: str, attachment_id: int, expires: str, signature: str,
          now: float | None = None) -> bool:
    """Whether a link's ``expires`` and ``signature`` were made by signed_path and have not expired."""
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(_signature(shared_key, case_id, attachment_id, int(expires)), signature)
