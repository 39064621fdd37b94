"""Personal data taken out of free text before it travels or reaches someone who may not see it.

Reporters say who they are in their own words ("我叫…，电话…"), and staff copy a petitioner's name or
number into a handling report or a reason. Every free-text field of every event passes through
``without_personal_numbers`` (``lianxin.events.Text``), whoever wrote it. Names are harder: only intake
knows the reporter's, so it sends keyed "reporter marks" (HMACs of the name, phone and ID number,
``marks_of``) with the report; dispatch and supervision keep them with the case and strip staff-written
text with ``without_marked``, which never needs the name itself.

Matching happens on a normalised copy of the text (Unicode NFKC, zero-width characters dropped, the
separators people put inside numbers ignored) and replaces the original characters, so what stays is
exactly as written.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

from lianxin.i18n import N_, said

ID_NUMBER = "〔身份证号〕"
PHONE = "〔电话〕"
BANK_CARD = "〔银行卡号〕"
EMAIL = "〔邮箱〕"
PERSONAL = "〔个人信息〕"
# what each mark says to a reader (the catalogue gives the office's own mark back in Chinese)
MARK_WORDS = {ID_NUMBER: N_("[ID number]"), PHONE: N_("[phone number]"), BANK_CARD: N_("[bank card number]"),
              EMAIL: N_("[e-mail address]"), PERSONAL: N_("[personal data]")}
MARKS = re.compile("|".join(map(re.escape, MARK_WORDS)))
DEVELOPMENT_REDACTION_KEY = "lianxin-development-redaction-key"  # the default of LIANXIN_REDACTION_KEY

INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
# what people put between the digits of one number: spaces, dots, dashes of every width, brackets
SEPARATOR = r"[\s.\-‐‑‒–—―−_·•/()]"
NUMBER = re.compile(rf"\+?\d(?:{SEPARATOR}{{0,3}}\d)*(?:{SEPARATOR}{{0,2}}[Xx](?![A-Za-z]))?")
GROUP = re.compile(r"\d+[Xx]?")
EMAIL_ADDRESS = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.ASCII)
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·]+")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
DATE = re.compile(r"(?:19|20)\d\d[^\d]{1,3}(?:0?[1-9]|1[0-2])(?:[^\d]{1,3}(?:0?[1-9]|[12]\d|3[01]))?")


def marks_said(text: str, lang: str) -> str:
    """The text with each mark left where personal data was taken out said in ``lang``: texts keep the office's
    mark wherever they travel, and are said in the reader's language when read."""
    if "〔" not in text:
        return text
    return MARKS.sub(lambda mark: said(MARK_WORDS[mark.group()], lang), text)


# --- normalising ------------------------------------------------------------------------------------------

class _CharNormalised(dict):
    """A character's code point → what NFKC makes of it alone ("" for an invisible one), worked out once per
    character: a report's text is then normalised by ``str.translate`` instead of a Python loop."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = "" if char in INVISIBLE else unicodedata.normalize("NFKC", char)
        if len(value) != 1:
            _NOT_ONE_FOR_ONE.add(char)
        if code < 0x10000:  # the Basic Multilingual Plane: a bounded table whatever people send
            self[code] = value
        return value


_NOT_ONE_FOR_ONE: set[str] = set()  # characters that vanish or become several (㎡ → m2): their origins shift
_CHAR_NORMALISED = _CharNormalised()


def normalised(text: str) -> tuple[str, list[int] | range]:
    """NFKC, without invisible characters, and for each character kept the index it came from."""
    plain = text.translate(_CHAR_NORMALISED)
    if len(plain) == len(text) and _NOT_ONE_FOR_ONE.isdisjoint(text):
        return plain, range(len(text))  # one character for one, the common case
    chars, origin = [], []
    for index, char in enumerate(text):
        for each in _CHAR_NORMALISED[ord(char)]:
            chars.append(each)
            origin.append(index)
    return "".join(chars), origin


def _replace(text: str, spans: Iterable[tuple[int, int, str]], origin: list[int]) -> str:
    """Replace spans of the normalised text in the original, the earliest-starting of overlapping ones kept."""
    out, at = [], 0
    for start, end, label in sorted(spans):
        first, last = origin[start], origin[end - 1] + 1
        if first < at:
            continue
        out += [text[at:first], label]
        at = last
    return "".join(out) + text[at:]


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx").upper()


# --- numbers and addresses --------------------------------------------------------------------------------

def without_personal_numbers(text: str) -> str:
    """The text with ID, phone and bank card numbers and e-mail addresses replaced by what they were."""
    plain, origin = normalised(text)
    spans = [(m.start(), m.end(), EMAIL) for m in EMAIL_ADDRESS.finditer(plain)]
    for match in NUMBER.finditer(plain):
        if not DATE.fullmatch(match.group()):
            spans += _numbers_in(plain, match)
    return _replace(text, spans, origin) if spans else text


def _numbers_in(plain: str, match: re.Match) -> list[tuple[int, int, str]]:
    """The personal numbers within one run of digit groups: the whole run, or else its longest parts."""
    groups = list(GROUP.finditer(plain, match.start(), match.end()))
    after_letter = match.start() > 0 and plain[match.start() - 1].isascii() and plain[match.start() - 1].isalpha()
    found, i = [], 0
    while i < len(groups):
        for j in range(len(groups), i, -1):
            label = _kind([g.group() for g in groups[i:j]], after_letter and i == 0)
            if label:
                found.append((groups[i].start(), groups[j - 1].end(), label))
                i = j
                break
        else:
            i += 1
    return found


def _kind(groups: list[str], after_letter: bool) -> str | None:
    """What a number written as these digit groups is, if it identifies a person.

    After letters only the long numbers count: case and report numbers (C00000012) are not phones.
    Short local phone numbers (7–8 digits) are written whole or in groups of three or four, unlike dates.
    """
    digits = "".join(groups).upper()
    n, x = len(digits), digits.endswith("X")
    if x:
        return ID_NUMBER if n == 18 and digits[:-1].isdigit() else None
    if n in (15, 18):
        return ID_NUMBER
    if re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits):
        return PHONE
    if 16 <= n <= 19:
        return BANK_CARD
    if after_letter:
        return None
    if re.fullmatch(r"0[1-9]\d{8,10}", digits):  # area code and number
        return PHONE
    if n in (7, 8) and digits[0] != "0" and (len(groups) == 1 or len(groups) == 2 and
                                             all(3 <= len(g) <= 4 for g in groups)):
        return PHONE
    return None


# --- the reporter's own name and contacts -----------------------------------------------------------------

def without_own(text: str, *own: str | None) -> str:
    """The text without the given values (a reporter's name, phone, ID number, address) in any letter
    case, width or spacing."""
    plain, origin = normalised(text)
    folded = plain.casefold()
    # the text without the separators people put inside a value, and where each character kept stood:
    # a value is then found by plain substring search (compiling a pattern per reporter cost most of the time)
    if SEPARATORS.search(folded):
        kept = [i for i, ch in enumerate(folded) if not SEPARATORS.match(ch)]
        bare = "".join(folded[i] for i in kept)
    else:
        kept, bare = range(len(folded)), folded
    spans = []
    for value in filter(None, own):
        spans += [(start, end, PERSONAL) for start, end in _found(_bare_value(value), bare, kept, folded)]
    return _replace(text, spans, origin) if spans else text


SEPARATORS = re.compile(SEPARATOR)


def _bare_value(value: str) -> str:
    """A value as compared: normalised, folded, without separators."""
    return "".join(ch for ch in normalised(value)[0].casefold() if not SEPARATORS.match(ch))


def _found(value: str, bare: str, kept, folded: str):
    """(start, end) in ``folded`` of each occurrence of ``value`` in ``bare``, left to right, not overlapping; a
    value starting with a Latin letter or digit only as a whole word (no letter or digit on either side)."""
    if len(value) < 2:
        return
    latin = value[0].isascii() and value[0].isalnum()
    at = bare.find(value)
    while at >= 0:
        start, end = kept[at], kept[at + len(value) - 1] + 1
        if latin and (start > 0 and _ASCII_WORD.match(folded[start - 1]) or
                      end < len(folded) and _ASCII_WORD.match(folded[end])):
            at = bare.find(value, at + 1)
            continue
        yield start, end
        at = bare.find(value, at + len(value))


_ASCII_WORD = re.compile(r"[a-z0-9]")


# --- reporter marks ---------------------------------------------------------------------------------------

def _marker(key: str):
    keyed = hmac.new(key.encode(), digestmod=hashlib.sha256)  # copied per token: the key is hashed once

    def marked(token: str) -> str:
        each = keyed.copy()
        each.update(token.encode())
        return each.hexdigest()[:32]
    return marked


def marks_of(key: str, name: str | None = None, phone: str | None = None, id_number: str | None = None) -> list[str]:
    """Keyed marks of a reporter's name, phone digits and ID number: what ``without_marked`` strips,
    recognisable only with the key (shared by the office's services, never by bureaus)."""
    tokens = set()
    if name:
        tokens.add(_name_token(name))
    if phone and (digits := _digits(phone)):
        tokens |= {digits, digits[2:] if digits.startswith("86") and len(digits) == 13 else digits}
    if id_number:
        tokens.add(_digits(id_number))
    return sorted(_marker(key)(t) for t in tokens if len(t) >= 2)


def _name_token(name: str) -> str:
    return "".join(ch for ch in normalised(name)[0].casefold() if ch.isalnum())


def without_marked(text: str, marks: Iterable[str], key: str) -> str:
    """The text with every word whose mark is among ``marks`` replaced: Chinese names (runs of 2–4
    characters), numbers (separators ignored) and Latin names (one to three words in any case)."""
    marks = frozenset(marks)
    if not marks or not text:
        return text
    plain, origin = normalised(text)
    marked = _marker(key)
    spans = [(start, end, PERSONAL) for start, end, token in _candidates(plain) if marked(token) in marks]
    return _replace(text, spans, origin) if spans else text


def _candidates(plain: str):
    """(start, end, token) of every piece of the text that could be a name, phone or ID number."""
    for run in CJK_RUN.finditer(plain):
        for size in (4, 3, 2):
            for start in range(run.start(), run.end() - size + 1):
                yield start, start + size, _name_token(plain[start:start + size])
    for match in NUMBER.finditer(plain):
        groups = list(GROUP.finditer(plain, match.start(), match.end()))
        for i in range(len(groups)):
            for j in range(i + 1, len(groups) + 1):
                yield groups[i].start(), groups[j - 1].end(), _digits(plain[groups[i].start():groups[j - 1].end()])
    words = list(LATIN_WORD.finditer(plain))
    for i in range(len(words)):
        for j in range(i + 1, min(i + 4, len(words) + 1)):
            yield words[i].start(), words[j - 1].end(), "".join(w.group().casefold() for w in words[i:j])


# --- the office's key -------------------------------------------------------------------------------------

class OfficeKey:
    """The redaction key of the running service (config ``REDACTION_KEY``, set when it starts), so that the
    use cases that strip staff-written text need not carry it; tests run with the development key."""
    value = DEVELOPMENT_REDACTION_KEY


def use_key(key: str) -> None:
    OfficeKey.value = key


def staff_text(text: str, marks: Iterable[str]) -> str:
    """What a member of staff wrote, fit to store and send: personal numbers and the petitioners' marked
    names and numbers taken out."""
    return without_marked(without_personal_numbers(text), marks or (), OfficeKey.value) if text else text
