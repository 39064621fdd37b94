"""Other bureaus that subscribe to the office's events, and the broker users that let them.

``deploy/bureaus.yaml`` says which events each bureau is entitled to; `lianxin bureau-definitions`
turns it into RabbitMQ definitions (``deploy/rabbitmq/definitions.json``): one user per bureau that
may declare, bind and read queues named ``<bureau>.<anything>``, read the event exchanges that
carry its events, bind only its events' routing keys there (topic permissions), and write to no
exchange at all, so it can publish nothing into the office.
"""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lianxin.events import CATALOGUE
from lianxin.settings import deploy_file

SERVICES = tuple(dict.fromkeys(entry.publisher for entry in CATALOGUE.values()))
# A bureau's queues are ``<code>.*``: a code equal to a service's name would reach its queues.
RESERVED_CODES = frozenset({*SERVICES, "lianxin", "amq"})
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


class BureauError(ValueError):
    """A bureaus file that cannot be used; the message names the entry."""


class Bureau(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Annotated[str, Field(min_length=2, max_length=48, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    events: Annotated[list[str], Field(min_length=1)]

    @field_validator("code")
    @classmethod
    def _not_reserved(cls, code: str) -> str:
        if code in RESERVED_CODES:
            raise ValueError(f"{code!r} is reserved: its queues would be the office's own")
        return code

    @field_validator("events")
    @classmethod
    def _catalogued(cls, events: list[str]) -> list[str]:
        unknown = [event for event in events if event not in CATALOGUE]
        if unknown:
            raise ValueError(f"unknown event type {', '.join(map(repr, unknown))}")
        if len(set(events)) != len(events):
            raise ValueError("an event type is listed twice")
        return events

    @property
    def queues(self) -> str:
        """The names of the queues this bureau owns, as a RabbitMQ permission pattern."""
        return rf"^{_literal(self.code)}\..+$"

    def entitlements(self) -> dict[str, list[str]]:
        """Event exchange -> the routing keys (event types) this bureau may receive from it."""
        by_exchange: dict[str, list[str]] = {}
        for event in self.events:
            by_exchange.setdefault(events_exchange(CATALOGUE[event].publisher), []).append(event)
        return by_exchange


class BureausFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bureaus: list[Bureau]

    @model_validator(mode="after")
    def _unique(self) -> "BureausFile":
        codes = [bureau.code for bureau in self.bureaus]
        if twice := sorted({code for code in codes if codes.count(code) > 1}):
            raise ValueError(f"bureau {', '.join(twice)} is listed twice")
        return self


def events_exchange(publisher: str) -> str:
    return f"{publisher}.events"


def load_bureaus(path: str | Path | None = None) -> list[Bureau]:
    """The bureaus of the file (``LIANXIN_BUREAUS`` or deploy/bureaus.yaml); raises BureauError."""
    path = Path(path or os.environ.get("LIANXIN_BUREAUS") or deploy_file("bureaus.yaml"))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BureauError(f"{path}: {exc}") from None
    try:
        return BureausFile.model_validate(raw).bureaus
    except ValidationError as exc:
        raise BureauError(f"{path}: {_reasons(raw, exc)}") from None


def definitions(bureaus: list[Bureau], vhost: str = "/", passwords: dict[str, str] | None = None) -> dict:
    """RabbitMQ definitions (for ``rabbitmqctl import_definitions``) of the bureaus' users.

    Without a password a user has an empty hash and cannot log in until operations set one
    (``rabbitmqctl change_password``), so the file holds no secret.
    """
    passwords = passwords or {}
    if unknown := sorted(map(str, set(passwords) - {bureau.code for bureau in bureaus})):
        raise BureauError(f"password for unknown bureau {', '.join(unknown)}")
    if not_text := sorted(code for code, password in passwords.items() if not (password and isinstance(password, str))):
        raise BureauError(f"the password of {', '.join(not_text)} must be text, not empty (quote it in YAML)")
    publishers = sorted({CATALOGUE[event].publisher for bureau in bureaus for event in bureau.events})
    return {
        "users": [_user(bureau, passwords.get(bureau.code)) for bureau in bureaus],
        "vhosts": [{"name": vhost}],
        "permissions": [_permissions(bureau, vhost) for bureau in bureaus],
        "topic_permissions": [
            # bind only the entitled routing keys (RabbitMQ checks `read` on queue.bind); publish none
            {"user": bureau.code, "vhost": vhost, "exchange": exchange, "write": "^$", "read": _any_of(keys)}
            for bureau in bureaus for exchange, keys in bureau.entitlements().items()],
        # declared as nameko declares them, so a bureau can bind before the office first starts
        "exchanges": [{"name": events_exchange(publisher), "vhost": vhost, "type": "topic", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}} for publisher in publishers],
    }


def _user(bureau: Bureau, password: str | None) -> dict:
    return {"name": bureau.code, "password_hash": password_hash(password) if password else "",
            "hashing_algorithm": HASHING_ALGORITHM, "tags": []}


def _permissions(bureau: Bureau, vhost: str) -> dict:
    return {"user": bureau.code, "vhost": vhost,
            "configure": bureau.queues,  # declare and delete its own queues
            "write": bureau.queues,  # bind its own queues (binding writes to the queue); no exchange matches
            "read": rf"^({_literal(bureau.code)}\..+|{_alternatives(bureau.entitlements())})$"}


def _any_of(names) -> str:
    return f"^({_alternatives(names)})$"


def _alternatives(names) -> str:
    return "|".join(_literal(name) for name in names)


def _literal(name: str) -> str:
    """A name as a pattern: codes, exchanges and event types have no other special character than '.'."""
    return name.replace(".", r"\.")


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)), 4-byte salt."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode("utf-8")).digest()).decode("ascii")


def _reasons(raw, exc: ValidationError) -> str:
    return "; ".join(f"{_where(raw, err['loc'])}: {err['msg']}" for err in exc.errors()[:5])


def _where(raw, loc) -> str:
    """``bureaus[2] (petition-bureau).events`` rather than bare indices."""
    if len(loc) >= 2 and loc[0] == "bureaus" and isinstance(loc[1], int):
        entry = raw["bureaus"][loc[1]]
        code = entry.get("code") if isinstance(entry, dict) else None
        rest = "".join(f".{part}" for part in loc[2:])
        return f"bureaus[{loc[1]}]{f' ({code})' if code else ''}{rest}"
    return ".".join(str(part) for part in loc) or "(file)"
