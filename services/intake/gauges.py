"""What intake's gauges say, read from its database at each scrape."""
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.metrics import Reading

from .digest_writing import ALERT_KINDS
from .models import Alert

RECENT = timedelta(hours=24)


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    """Early-warning alerts of the last 24 hours, every kind (0 when none was raised)."""
    counts = dict(uow.session.execute(
        select(Alert.kind, func.count()).where(Alert.raised_at >= utcnow() - RECENT).group_by(Alert.kind)).all())
    for kind in ALERT_KINDS:
        yield "lianxin_alerts_recent", {"kind": kind}, counts.get(kind, 0)
