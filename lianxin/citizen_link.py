"""The petitioner's lookup code: what opens their case's public page, made from the report's number.

Intake tells the petitioner the code by SMS the moment it takes the report in, before any case exists, and
it may not send it on the bus (bureaus subscribe to the events). So the code is not stored or sent anywhere:
intake and supervision each derive it, as an HMAC of the report number under a key both hold
(``LIANXIN_LINK_KEY``). Supervision opens a case for the code of the report it was made from; a report
that joined an open case gets that case's code. Twelve hex characters (48 bits) are short enough to read out
on the phone; guessing is slowed by supervision's limit on wrong tries.
"""
from __future__ import annotations

import hashlib
import hmac

DEVELOPMENT_LINK_KEY = "lianxin-development-link-key"  # the tests' and development's; refused in production
LINK_KEY_VARIABLE = "LIANXIN_LINK_KEY"  # one variable, read by intake and supervision alike
CODE_LENGTH = 12


def lookup_code(key: str, report_id: str) -> str:
    """The code that opens the case of ``report_id`` (the case's first report)."""
    return hmac.new(key.encode(), report_id.encode(), hashlib.sha256).hexdigest()[:CODE_LENGTH]


def opens(key: str, report_id: str | None, given: str) -> bool:
    """Whether ``given`` (as the petitioner typed it) is the code of ``report_id``; compared in constant time."""
    wanted = lookup_code(key, report_id or "").encode()
    return hmac.compare_digest(given.strip().lower().encode(), wanted) and report_id is not None


def public_path(number: str, code: str) -> str:
    """The public page of a case, by its case number (or, until dispatch made it a case, its report number)."""
    return f"/public/cases/{number}?secret={code}"
