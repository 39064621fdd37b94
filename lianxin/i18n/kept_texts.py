"""What a service keeps to be read later — why a case went to a unit, a line of its history, an alert, why a
handling report is reviewed — kept as codes with their values, and said in the reader's language when read.

Stored as JSON text (a list of parts ``{"say": code, ...values}``) in the column that held the prose; a row
written before (plain prose) reads as it was. The values named in ``NAMED`` are the county directory's codes
(a unit, a township, a subject, a leader): a reader sees the name, an event keeps the code.
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable

from lianxin.directory import Directory
from lianxin.i18n import DEFAULT_LANGUAGE, N_, said

Part = dict  # {"say": code, **values}
# a value under one of these keys is a code of the county directory, shown by its name
NAMED = {"unit": "unit", "from_unit": "unit", "to_unit": "unit", "township": "unit", "category": "category",
         "leader": "leader", "approved_by": "leader", "lead_leader": "leader", "village": "village",
         "enterprise": "enterprise", "subject": "category", "subjects": "category", "place": "unit"}


def part(code: str, **values) -> Part:
    """One sentence of a kept text: a code of the service's own table of messages, and its values."""
    return {"say": code, **values}


def kept(*parts: Part | None) -> str:
    """The parts (None ones left out) as stored; read back with ``read``."""
    return json.dumps([p for p in parts if p], ensure_ascii=False)


def parts(stored: str | None) -> list[Part] | None:
    """The parts of a kept text, or None for prose written before texts were kept as codes."""
    if not stored or not stored.startswith("[{"):
        return None
    try:
        found = json.loads(stored)
    except ValueError:
        return None
    return found if all(isinstance(p, dict) and "say" in p for p in found) else None


def read(stored: str | None, lang: str, messages: dict[str, str], name: Callable[[str, str], str]) -> str:
    """A kept text in ``lang``: each part's message from ``messages`` (code -> message id), the directory's
    codes put in by ``name(kind, code)``; prose kept before is said as it is (translated if the catalogue has it)."""
    found = parts(stored)
    if found is None:
        return said(stored or "", lang)
    return said(N_("; "), lang).join(said_part(p, lang, messages, name) for p in found)


def said_part(p: Part, lang: str, messages: dict[str, str], name: Callable[[str, str], str]) -> str:
    """One part said; a value that is itself a part (or a list of them, or of names) is said within it."""
    def value_of(key, value):
        if isinstance(value, dict) and "say" in value:
            return said_part(value, lang, messages, name)
        if isinstance(value, list):
            return said(N_(", "), lang).join(value_of(key, v) for v in value)
        return name(NAMED[key], value) if key in NAMED and isinstance(value, str) else value
    values = {key: value_of(key, value) for key, value in p.items() if key != "say"}
    return said(messages.get(p["say"], p["say"]), lang, values)


@dataclass(frozen=True)
class Reader:
    """Who reads what a worker answers: their language and the county's names for its codes."""
    lang: str = DEFAULT_LANGUAGE
    name: Callable[[str, str], str] = lambda kind, code: code

    def read(self, stored: str | None, messages: dict[str, str]) -> str:
        return read(stored, self.lang, messages, self.name)


# the reader of the request a worker serves (set for each worker by lianxin.service.FollowedWork)
ANYONE = Reader()  # outside a request: Chinese, and the codes as they are
READER = ContextVar("reader", default=ANYONE)


def for_reader(stored: str | None, messages: dict[str, str]) -> str:
    """A kept text said to the reader of the request being answered."""
    return READER.get().read(stored, messages)


def to_reader(message: str, **values) -> str:
    """A message id said to the reader of the request being answered (a closure blocker in a case's view)."""
    return said(message, READER.get().lang, values)


def named(kind: str, code: str) -> str:
    """The county's name for a code, for the reader of the request being answered (a refusal naming a unit)."""
    return READER.get().name(kind, code)


def directory_names(directory: Directory, lang: str = DEFAULT_LANGUAGE) -> Callable[[str, str], str]:
    """``name(kind, code)``: the directory's name for a unit, subject, leader, village or enterprise in ``lang``
    (the code itself if the directory no longer has it)."""
    return lambda kind, code: directory.named(code, lang)
