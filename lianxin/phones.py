"""A phone number as one string however it was typed: ``138 1234 5678``, ``+86-138…``, ``0086…``, full-width
digits, dots and zero-width spaces all come out as ``+8613812345678`` (E.164, by libphonenumber's rules for
China). Intake's blind index of the reporter's phone and the console's search box both read numbers this way,
and every API that takes a number in (``PhoneNumber``) refuses what is not one: a hotline that saved "12345"
could never text the petitioner.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, Field

from lianxin.i18n import N_

REGION = "CN"  # a number without a country code is dialled in China
CHINA = 86  # the county takes and texts Chinese numbers only
TEXTABLE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
# what a typed number may consist of, once full-width forms are folded (NFKC): nothing else is taken for one
WRITTEN = re.compile(r"[0-9+\-.()/\s]{5,40}")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _parsed(text: str | None, valid_only: bool = True) -> phonenumbers.PhoneNumber | None:
    """The number read from the text, None if it is not a Chinese mobile or landline number (any possible
    number when not ``valid_only``)."""
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).translate(INVISIBLE).strip()
    if not WRITTEN.fullmatch(plain):
        return None
    try:
        number = phonenumbers.parse(plain, REGION)
    except phonenumbers.NumberParseException:
        return None
    if valid_only:  # a foreign number (+44 20 …) is valid where it is dialled, not one the office can call
        return number if number.country_code == CHINA and phonenumbers.is_valid_number(number) else None
    return number if phonenumbers.is_possible_number(number) else None


def canonical(text: str | None, *, valid_only: bool = True) -> str | None:
    """The number in E.164, or None if the text is not a Chinese mobile or landline number (any possible
    number when not ``valid_only``: what an older report stored is still indexed the same way)."""
    number = _parsed(text, valid_only)
    return number and phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def textable(text: str | None) -> str | None:
    """The 11 digits an SMS gateway is given, or None for no number, a landline or what is not a number."""
    number = _parsed(text)  # read once: intake asks this for every petitioner it texts
    if number is None or phonenumbers.number_type(number) not in TEXTABLE:
        return None
    return phonenumbers.national_significant_number(number)


def is_phone(text: str | None) -> bool:
    return canonical(text) is not None


def _taken(text: str) -> str:
    if not is_phone(text):  # said after the field's name: "phone number is not a mobile or landline number"
        raise ValueError(N_("is not a mobile number or a landline number with its area code"))
    return text


# A number taken in as typed (the petitioner's own way of writing it), refused unless it is a Chinese mobile or
# a landline with its area code (+86, spaces, dashes and brackets allowed)
PhoneNumber = Annotated[str, Field(max_length=40), AfterValidator(_taken)]


def national(text: str | None) -> str | None:
    """The number as dialled within China (``138 1234 5678``, ``0571 8765 1116``), None if it is not one."""
    number = _parsed(text, valid_only=False)
    return number and phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
