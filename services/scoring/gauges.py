"""What scoring's gauges say, read from its database at each scrape."""
from collections.abc import Iterator

from sqlalchemy import select

from lianxin.db import UnitOfWork
from lianxin.directory import Directory
from lianxin.metrics import Reading

from .models import Assessment


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    """Each unit's closure ratio (0-1) in the latest published assessment (its rates are percentages)."""
    latest = uow.session.scalars(select(Assessment).order_by(Assessment.id.desc()).limit(1)).first()
    for score in latest.scores if latest else []:
        if score.get("closure_rate") is not None:
            yield "lianxin_unit_closure_ratio", {"unit": score["unit"], "period": latest.period}, \
                score["closure_rate"] / 100
