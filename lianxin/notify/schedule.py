"""When a message may go: quiet hours at night for SMS, and retries that back off."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from lianxin.vocabulary import COUNTY_TIME


@dataclass(frozen=True)
class QuietHours:
    """No SMS that is not urgent between ``start`` and ``end`` in the county's time (it may cross midnight)."""
    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, span: str, zone: ZoneInfo | str = COUNTY_TIME) -> "QuietHours":
        """From ``"22:00-07:00"``, in the county's time unless told; an empty span means none."""
        zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        if not span.strip():
            return cls(time(0), time(0), zone)
        try:
            start, end = (time.fromisoformat(part.strip()) for part in span.split("-"))
        except ValueError:
            raise ValueError(f"quiet hours must read like 22:00-07:00, not {span!r}") from None
        return cls(start, end, zone)

    def covers(self, at: datetime) -> bool:
        local = at.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def morning_after(self, at: datetime) -> datetime:
        """The end of the quiet hours that cover ``at``."""
        local = at.astimezone(self.zone)
        morning = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return morning if morning > local else morning + timedelta(days=1)


def not_before(at: datetime, channel: str, urgent: bool, quiet: QuietHours) -> datetime:
    """The earliest a message may go: at once, or in the morning for a non-urgent SMS at night."""
    if channel == "sms" and not urgent and quiet.covers(at):
        return quiet.morning_after(at)
    return at


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> timedelta:
    """Exponential backoff after the given number of failed attempts: base, 2×base, 4×base…"""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))
