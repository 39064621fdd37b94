"""A phone number as one string however it was typed: ``138 1234 5678``, ``+86-138…``, ``0086…``, full-width
digits, dots and zero-width spaces all come out as ``+8613812345678`` (E.164, by libphonenumber's rules for
China). Intake's blind index of the reporter's phone and the console's search box both read numbers this way.
"""
from __future__ import annotations

import re
import unicodedata

import phonenumbers

REGION = "CN"  # a number without a country code is dialled in China
# what a typed number may consist of, once full-width forms are folded (NFKC): nothing else is taken for one
WRITTEN = re.compile(r"[0-9+\-.()/\s]{5,40}")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def canonical(text: str | None, *, valid_only: bool = True) -> str | None:
    """The number in E.164, or None if the text is not a Chinese mobile or landline number (any possible
    number when not ``valid_only``: what an older report stored is still indexed the same way)."""
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).translate(INVISIBLE).strip()
    if not WRITTEN.fullmatch(plain):
        return None
    try:
        number = phonenumbers.parse(plain, REGION)
    except phonenumbers.NumberParseException:
        return None
    fits = phonenumbers.is_valid_number(number) if valid_only else phonenumbers.is_possible_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if fits else None


def is_phone(text: str | None) -> bool:
    return canonical(text) is not None


def national(text: str | None) -> str | None:
    """The number as dialled within China (``138 1234 5678``, ``0571 8765 1116``), None if it is not one."""
    number = canonical(text, valid_only=False)
    return number and phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL)
