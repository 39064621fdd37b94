"""How every Lianxin process logs: plain lines or JSON (``LOG_FORMAT``), each carrying the service, the request
id and the event id it belongs to, so one report can be followed through the four services' logs.

Nothing personal is written: sensitive query parameters are masked in every line (eventlet's access lines
included). The routine (probes and metric scrapes, Alembic's set-up lines, the console's HTTP client lines)
goes to DEBUG, so at INFO an operator reads what happened to the office's work.
"""
from __future__ import annotations

import logging
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Literal

import pythonjsonlogger.json
from pydantic import BeforeValidator

# the request a line or an event belongs to: X-Request-ID at the edge, then the events' ``requestid``
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
EVENT_ID: ContextVar[str | None] = ContextVar("event_id", default=None)  # the event being applied
SERVICE: ContextVar[str | None] = ContextVar("service", default=None)

# query parameters whose value is a secret or a person's data: masked wherever a path is logged
SENSITIVE_PARAMETERS = ("api_key", "secret", "token", "phone", "email", "first_name", "last_name", "name",
                        "q", "reporter_id", "id_number", "address", "address_string", "device_id", "account_id",
                        "lat", "long")
MASK = "***"
_SENSITIVE = re.compile(r"(?<=[?&;])(" + "|".join(SENSITIVE_PARAMETERS) + r")=[^&;\s\"'#]*", re.IGNORECASE)
REQUEST_ID_KEY = "request_id"  # in the WSGI environ and a worker's context data
# a request id from outside is kept if it looks like one (a proxy's hex or UUID), so no one writes into the logs
REQUEST_ID_FORM = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# access lines of routes probed or scraped every few seconds
_ROUTINE_PATHS = re.compile(r'"(?:GET|HEAD) /(?:health|livez|readyz|metrics)[ ?]')
_ROUTINE_LOGGERS = ("httpx", "httpcore", "alembic")
_KEPT_ALEMBIC = "Running upgrade"  # a migration applied is worth an operator's attention

LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                     BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value)]
LogFormat = Annotated[Literal["plain", "json"],
                      BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value)]

PLAIN = "%(asctime)s %(levelname)s %(service)s %(name)s [%(request_id)s %(event_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(service)s %(name)s %(request_id)s %(event_id)s %(message)s"


def masked(text: str) -> str:
    """``text`` with the value of every sensitive query parameter replaced by ``***``."""
    return _SENSITIVE.sub(lambda match: f"{match.group(1)}={MASK}", text)


def request_id_from(header: str | None) -> str:
    """The request id a proxy sent (X-Request-ID), or a new one when there is none fit to log."""
    return header if header and REQUEST_ID_FORM.match(header) else uuid.uuid4().hex


@contextmanager
def following(request_id: str | None = None, event_id: str | None = None):
    """Lines logged and events emitted inside belong to this request (and event)."""
    tokens = [REQUEST_ID.set(request_id), EVENT_ID.set(event_id)]
    try:
        yield
    finally:
        EVENT_ID.reset(tokens[1])
        REQUEST_ID.reset(tokens[0])


class OfficeLines(logging.Filter):
    """On the handler: drops the routine below DEBUG, masks, and adds the service, request and event ids."""

    def __init__(self, service: str = "-"):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        if _routine(record):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
        message = record.getMessage()
        record.msg, record.args = masked(message), None
        record.service = SERVICE.get() or self.service
        record.request_id = REQUEST_ID.get() or "-"
        record.event_id = EVENT_ID.get() or "-"
        return True


def _routine(record: logging.LogRecord) -> bool:
    if record.levelno != logging.INFO:
        return False
    if record.name.split(".")[0] in _ROUTINE_LOGGERS:
        return not str(record.msg).startswith(_KEPT_ALEMBIC)
    return record.name == "nameko.web.server" and bool(_ROUTINE_PATHS.search(str(record.msg)))


class _OfficeTime:
    """ISO 8601 times with milliseconds and the time zone: offices and servers differ."""

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class PlainFormatter(_OfficeTime, logging.Formatter):
    pass


class JsonFormatter(_OfficeTime, pythonjsonlogger.json.JsonFormatter):
    pass


def config(level: str = "INFO", fmt: str = "plain", service: str = "-") -> dict:
    """The ``logging.config.dictConfig`` of a service: every line through one handler on stderr."""
    formatter = {"()": JsonFormatter, "fmt": JSON_FIELDS, "json_ensure_ascii": False,
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}} \
        if fmt == "json" else {"()": PlainFormatter, "fmt": PLAIN}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"office": {"()": OfficeLines, "service": service}},
        "formatters": {"office": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "office", "filters": ["office"]}},
        "root": {"level": level.upper(), "handlers": ["console"]},
    }
