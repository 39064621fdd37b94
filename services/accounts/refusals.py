"""Accounts' refusals, written in English and said in the person's language at the edge (lianxin.i18n)."""
from __future__ import annotations

from dataclasses import dataclass

from lianxin.errors import Problem
from lianxin.http import ApiError, Conflict, NotFound, TooManyRequests, Unprocessable
from lianxin.i18n import Term, translations


def _put(values: dict, gettext) -> dict:
    """The values of a message, those that are themselves message ids (a role, a field) said too."""
    return {name: gettext(v) if isinstance(v, Term) else v for name, v in values.items()}


@dataclass(frozen=True)
class SpokenProblem(Problem):
    """A field's problem written as accounts writes its messages (``{name}`` placeholders)."""

    def said_in(self, lang: str) -> dict:
        gettext = translations(lang).gettext
        return {"field": self.field, "problem": gettext(self.message).format(**_put(self.values, gettext))}


class Spoken:
    """A refusal whose message is a catalogue entry, with its values apart so it can be translated."""

    def __init__(self, template: str, details: list | None = None, **values):
        self.template, self.values = template, values
        ApiError.__init__(self, template.format(**values), details)

    def say_in(self, lang: str) -> None:
        gettext = translations(lang).gettext
        self.message = gettext(self.template).format(**_put(self.values, gettext))

    def said_in(self, lang: str) -> tuple[str, list[dict]]:
        """As ``lianxin.errors.Refused.said_in``, from the template and values kept here."""
        self.say_in(lang)
        return self.message, [problem.said_in(lang) for problem in self.problems]


class Refused(Spoken, ApiError):
    pass


class SignInRefused(Spoken, ApiError):
    status, code = 401, "sign_in_refused"


class LockedOut(Spoken, TooManyRequests):
    def __init__(self, template: str, retry_after: int, **values):
        super().__init__(template, **values)
        self.retry_after = retry_after


class Unknown(Spoken, NotFound):
    pass


class Taken(Spoken, Conflict):
    pass


class Invalid(Spoken, Unprocessable):
    pass
