"""What the notifications service's gauges say, read from its delivery log at each scrape."""
from collections.abc import Iterator

from sqlalchemy import func, select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory
from lianxin.metrics import Reading
from lianxin.notify.contacts import CHANNELS

from .models import Delivery


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    """Messages failed for good and messages waiting, per channel (zeros included)."""
    counted = dict(((status, channel), n) for status, channel, n in uow.session.execute(
        select(Delivery.status, Delivery.channel, func.count()).where(Delivery.status.in_(("failed", "queued")))
        .group_by(Delivery.status, Delivery.channel)))
    for channel in CHANNELS:
        yield "lianxin_notifications_failed", {"channel": channel}, counted.get(("failed", channel), 0)
        yield "lianxin_notifications_queued", {"channel": channel}, counted.get(("queued", channel), 0)
