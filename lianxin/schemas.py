"""Request-schema pieces several services' APIs share, and the rule for times staff enter afterwards."""
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, Field

from lianxin.errors import Invalid

# The years a date or period asked about may fall in: the office's records span a few of them, and far
# beyond, date arithmetic (a month back, the next one) overflows.
OFFICE_YEARS = range(1900, 2200)


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
        raise ValueError("needs a time zone, e.g. 2026-11-28T09:30:00+08:00")
    value = in_utc(value)
    if value > datetime.now(timezone.utc):
        raise ValueError("is in the future")
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
        raise Invalid(f"{field} is before {what}", [
            {"field": field, "problem": f"must not be before {earliest.isoformat()}"}])
    return at
