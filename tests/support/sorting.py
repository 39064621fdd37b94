"""Intake's sorting step run by hand, for tests of its use cases without the broker: what its consumer of
``report.registered`` does once the relay has published the take-in."""
from sqlalchemy import create_engine, func, select

from lianxin.db import AlreadyApplied, Database
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox


def sort_registered(database: Database, intake) -> None:
    """Apply every ``report.registered`` in the outbox with ``intake.sort``, each once (the inbox)."""
    with database.engine.connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "report.registered")
                              .order_by(outbox.c.id)).all()
    try:
        database.unit_of_work().apply([parse_event(body) for body in bodies], intake.sort)
    except AlreadyApplied:
        pass


def announced(database_url: str) -> int:
    """The ``report.received`` intake's sorting has put in its outbox, published or not."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(outbox).where(outbox.c.type == "report.received"))
    finally:
        engine.dispose()
