"""The office's refusals, in its own words: what the use cases and models raise.

A refusal carries a message id of the catalogue (lianxin/i18n, English, ``%(name)s`` placeholders) with its
values, details (``[{"field", "problem"}]``, each problem a message id too) and the ``code`` a client reads,
never an HTTP status: ``lianxin.http`` maps them to one at the edge, in one table, and says the message in
the language the person asked for (``said_in``). ``message`` and ``details`` are the English text, for logs
and for a message consumer raising one (retried, then dead-lettered with the message as its reason).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lianxin.i18n import N_, said


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a message id and its values (a ``Term`` value is translated too)."""
    field: str
    message: str
    values: dict = field(default_factory=dict)

    def said_in(self, lang: str) -> dict:
        return {"field": self.field, "problem": sentence(self.message, said(self.message, lang, self.values))}


class Refused(Exception):
    """The office cannot take the request as it stands (e.g. an unknown ``format``)."""
    code = "bad_request"

    def __init__(self, message: str | None, details: list | None = None, **values):
        """``message`` None: the details' problems are the message (one sentence per field)."""
        self.message_id, self.message_values = message, values  # translated at the edge
        self.problems = [d if isinstance(d, Problem) else Problem(d["field"], d["problem"]) for d in details or []]
        self.message, self.details = self.said_in("en")
        super().__init__(self.message)

    def said_in(self, lang: str) -> tuple[str, list[dict]]:
        """The message and the details in ``lang``."""
        details = [p.said_in(lang) for p in self.problems]
        if self.message_id is None:
            return said(N_("; "), lang).join(d["problem"] for d in details), details
        return sentence(self.message_id, said(self.message_id, lang, self.message_values)), details


def sentence(message: str, text: str) -> str:
    """A message that starts with a value (a field's label) starts with a capital letter all the same."""
    return text[:1].upper() + text[1:] if message.startswith("%(") else text


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

    def __init__(self, message: str, retry_after: int, **values):
        self.retry_after = retry_after
        super().__init__(message, **values)

    def said_in(self, lang: str) -> tuple[str, list[dict]]:
        message, details = super().said_in(lang)
        if getattr(self, "retry_after", None) is None:  # a subclass telling the wait its own way
            return message, details
        return said(N_("%(refusal)s: try again in %(seconds)s s"), lang,
                    {"refusal": message, "seconds": self.retry_after}), details


class UnknownCase(Exception):
    """An event about a case this service never had: no retry makes it apply, so it ends in the dead-letter
    queue with this reason (``lianxin.messaging``) instead of answering anyone."""
