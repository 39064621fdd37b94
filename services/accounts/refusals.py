"""Accounts' refusals, written in English and said in the person's language at the edge (lianxin.i18n)."""
from __future__ import annotations

from lianxin.http import ApiError, Conflict, NotFound, TooManyRequests, Unprocessable
from lianxin.i18n import Term, translations


class Spoken:
    """A refusal whose message is a catalogue entry, with its values apart so it can be translated."""

    def __init__(self, template: str, details: list | None = None, **values):
        self.template, self.values = template, values
        ApiError.__init__(self, template.format(**values), details)

    def say_in(self, lang: str) -> None:
        gettext = translations(lang).gettext
        values = {name: gettext(v) if isinstance(v, Term) else v for name, v in self.values.items()}
        self.message = gettext(self.template).format(**values)

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
