"""Request-schema pieces several services' APIs share, validation in the office's words, and the rule for
times staff enter afterwards."""
from datetime import datetime, timezone
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from lianxin.errors import Invalid, Problem
from lianxin.i18n import N_, Term
from lianxin.i18n.fields import label, problem

# The years a date or period asked about may fall in: the office's records span a few of them, and far
# beyond, date arithmetic (a month back, the next one) overflows.
OFFICE_YEARS = range(1900, 2200)
NO_NUL = N_("must not contain NUL characters (\\u0000)")
Model = TypeVar("Model", bound=BaseModel)


class OutOfRange(ValueError):
    """A value of the right form that no record can hold (e.g. a date-time before the year 1 in UTC)."""


def in_utc(value: datetime) -> datetime:
    """An aware date-time in UTC; refused when that leaves the years 1–9999 (0001-01-01T00:00:00+14:00)."""
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise OutOfRange("a date-time that stays within the years 1 to 9999 in UTC") from None


def _aware_and_past(value: datetime | None) -> datetime | None:
    if value is None:
        return value
    if value.tzinfo is None:
        raise ValueError(N_("needs a time zone, e.g. 2026-11-28T09:30:00+08:00"))
    value = in_utc(value)
    if value > datetime.now(timezone.utc):
        raise ValueError(N_("is in the future"))
    return value


# When staff enter something that happened earlier (a paper form, a phone call
# logged afterwards); absent means now.
PastTime = Annotated[datetime | None, AfterValidator(_aware_and_past)]
StaffCode = Annotated[str, Field(min_length=1, max_length=64)]
Signature = Annotated[str | None, Field(min_length=1, max_length=100)]


def entered_time(at: datetime | None, earliest: datetime, field: str, what: str) -> datetime:
    """A time staff entered for something done earlier (a paper form, a call logged afterwards): now when
    absent, never before ``earliest`` (``what`` says what that was)."""
    if at is None:
        return datetime.now(timezone.utc)
    if at < earliest:
        before = Problem(field, N_("%(field)s must not be before %(earliest)s"),
                         {"field": label(field), "earliest": earliest.isoformat()})
        raise Invalid(None, [before])
    return at


def validate(model: type[Model], data) -> Model:
    """``data`` as ``model``, or Invalid saying in one sentence per field what is wrong with it."""
    if (where := _nul_in(data)) is not None:  # PostgreSQL cannot store it, and no text of the office has one
        raise Invalid(None, [Problem(where or "(body)", N_("%(field)s %(problem)s"),
                                     {"field": label(where), "problem": Term(NO_NUL)})])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(None, [_problem(e) for e in exc.errors()]) from None


def _problem(error: dict) -> Problem:
    field = ".".join(str(p) for p in error["loc"])
    message, values = problem(error["type"], field, error.get("ctx") or {}, error["msg"])
    return Problem(field or "(body)", message, values)


def _nul_in(value, where: str = "") -> str | None:
    """Where a NUL character is in JSON data (a dotted path, "" for the top), or None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if "\x00" in str(key):
            return where
        if (found := _nul_in(item, f"{where}.{key}" if where else str(key))) is not None:
            return found
    return None
