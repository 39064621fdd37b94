"""What supervision's gauges say, read from its database at each scrape."""
from collections.abc import Iterator

from sqlalchemy import func, select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.metrics import Reading

from .models import Review, SupervisedCase

CALLBACK_GAUGES = {"awaiting_callback": "lianxin_callbacks_pending", "callback_failed": "lianxin_callbacks_failed"}


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    states = dict(uow.session.execute(
        select(SupervisedCase.state, func.count()).where(SupervisedCase.state.in_(CALLBACK_GAUGES))
        .group_by(SupervisedCase.state)).all())
    for state, gauge in CALLBACK_GAUGES.items():
        yield gauge, {}, states.get(state, 0)
    yield "lianxin_reviews_overdue", {}, uow.session.scalar(select(func.count()).select_from(Review).where(
        Review.outcome.is_(None), Review.due_at < utcnow()))
