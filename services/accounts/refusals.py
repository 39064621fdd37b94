"""Accounts' own refusals, beside the office's common ones (lianxin.errors): a sign-in refused is its own code,
and a locked account says in its own words how long it waits."""
from __future__ import annotations

from lianxin.errors import NotIdentified, Refused, TooManyTries


class SignInRefused(NotIdentified):
    """The user name, password, account or identity platform's answer does not let the person in."""
    code = "sign_in_refused"


class LockedOut(TooManyTries):
    """Too many failed sign-ins: the message names the wait (minutes or a minute), no seconds appended."""

    def said_in(self, lang: str) -> tuple[str, list[dict]]:
        return Refused.said_in(self, lang)
