"""What the notifications service's gauges say, read from its delivery log at each scrape."""
from collections.abc import Iterator

from sqlalchemy import func, select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory
from lianxin.metrics import Reading
from lianxin.notify.contacts import CHANNELS

from .models import Delivery


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    """Per channel (zeros included): messages failed for good (not sent, or reported undelivered), those of
    them the provider's receipt reported undelivered, those it reported delivered, and those waiting."""
    counted = dict(((status, channel, receipted), n) for status, channel, receipted, n in uow.session.execute(
        select(Delivery.status, Delivery.channel, Delivery.receipt_code.is_not(None), func.count())
        .where(Delivery.status.in_(("failed", "queued", "delivered")))
        .group_by(Delivery.status, Delivery.channel, Delivery.receipt_code.is_not(None))))

    def count(status: str, channel: str, receipted: bool | None = None) -> int:
        return sum(n for (s, c, r), n in counted.items() if s == status and c == channel and receipted in (None, r))

    for channel in CHANNELS:
        yield "lianxin_notifications_failed", {"channel": channel}, count("failed", channel)
        yield "lianxin_notifications_undelivered", {"channel": channel}, count("failed", channel, True)
        yield "lianxin_notifications_delivered", {"channel": channel}, count("delivered", channel)
        yield "lianxin_notifications_queued", {"channel": channel}, count("queued", channel)
