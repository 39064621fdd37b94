"""The office's refusals, in its own words: what the use cases and models raise.

They carry a message and details (``[{"field", "problem"}]``) and the ``code`` a client reads, never an HTTP
status: ``lianxin.http`` maps them to one at the edge, in one table. A message consumer raising one is
retried and then dead-lettered with the message as its reason (``lianxin.messaging``).
"""
from __future__ import annotations


class Refused(Exception):
    """The office cannot take the request as it stands (e.g. an unknown ``format``)."""
    code = "bad_request"

    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class Invalid(Refused):
    """Something given does not pass the office's rules (a field out of range, a unit not in the directory)."""
    code = "invalid"


class NotFound(Refused):
    """No such case, report, review or assessment."""
    code = "not_found"


class Conflict(Refused):
    """Not now: the case's state (or what was done before) does not allow it."""
    code = "conflict"


class NotIdentified(Refused):
    """No staff token, or one the office does not know."""
    code = "unauthorised"


class NotAllowed(Refused):
    """The person's role or unit may not do this."""
    code = "forbidden"


class Unavailable(Refused):
    """Something the office needs is away just now; trying again later may work."""
    code = "unavailable"


class TooManyTries(Refused):
    """Too many tries from one place; the next one is taken after ``retry_after`` seconds."""
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(f"{message}: try again in {retry_after} s")
        self.retry_after = retry_after


class UnknownCase(Exception):
    """An event about a case this service never had: no retry makes it apply, so it ends in the dead-letter
    queue with this reason (``lianxin.messaging``) instead of answering anyone."""
