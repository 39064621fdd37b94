"""Intake's reports as the digest and the monthly analysis read them, at county times."""
from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the sample county's


def county_time(y, m, d, hour=9, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI).astimezone(timezone.utc)


def report(pk, category, township, received_at, **extra):
    values = dict(id=pk, channel="hotline", category=category, township=township, village=None,
                  content=f"{category} 反映第{pk}件", people_count=1, gathering=False, received_at=received_at,
                  status="received", duplicate_of=None, case_id=None, unit=None,
                  reporter_name="张秀英", reporter_phone="13800001111",  # must never reach the digest
                  reporter_id_number=None, reporter_address=None)
    return SimpleNamespace(**{**values, **extra})
