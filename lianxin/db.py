"""Each service's own database: engine, migrations at start, and the unit of work.

A unit of work is one transaction. Whatever a handler changes and whatever
events it emits are committed together (the outbox), and an event it consumes
is recorded in the inbox in that same transaction, so a redelivered event is
recognised and skipped.
"""
from __future__ import annotations

import logging
import zlib
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Sequence

import eventlet
from alembic import command
from alembic.config import Config as AlembicConfig
from nameko.extensions import DependencyProvider, SharedExtension
from sqlalchemy import DateTime, TypeDecorator, create_engine, event, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as SqlAlchemyTimeout
from sqlalchemy.orm import Session, sessionmaker

from lianxin.events import CloudEvent, EventData, new_event
from lianxin.logs import following
from lianxin.messaging_tables import inbox, outbox

log = logging.getLogger(__name__)


# built once: every report and every consumed event runs them, and building SQL costs more than running it
INTO_OUTBOX = insert(outbox)
INTO_INBOX = insert(inbox)


class AlreadyApplied(Exception):
    """The consumed event was applied before (its id is in the inbox)."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """Timestamps stored in UTC and always read back time-zone aware (SQLite forgets the zone)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Lianxin stores aware times only")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


TRANSIENT_DATABASE_TROUBLE = ("database is locked", "could not connect", "connection", "server closed",
                              "terminating", "timeout", "deadlock", "could not serialize")


def database_unavailable(error: BaseException) -> bool:
    """The database away, restarting, locked or in a deadlock: worth trying again shortly. A bug (no such
    column, a constraint broken) is not."""
    if isinstance(error, SqlAlchemyTimeout):  # no connection free in the pool
        return True
    if isinstance(error, DBAPIError):
        text = str(error.orig).lower()
        return error.connection_invalidated or any(sign in text for sign in TRANSIENT_DATABASE_TROUBLE)
    return False


POOL_RECYCLE_SECONDS = 1800


def make_engine(url: str) -> Engine:
    # hide_parameters: an error message must never carry a reporter's personal data into the logs
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # no pre-ping (a round trip before every transaction): a unit of work that meets a connection a database
    # restart broke fails as database_unavailable (503 with Retry-After, an event retried), SQLAlchemy then
    # discards every connection of the pool, and the next one reconnects; recycling bounds how long an
    # idle connection is trusted (a proxy or firewall dropping it silently). docs/scaling.md measures it.
    return create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS, pool_size=10, max_overflow=20,
                         hide_parameters=True)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine, migrations: Path) -> None:
    """Bring the schema to the newest revision; replicas starting together take turns."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            key = zlib.crc32(str(migrations).encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


class Database(SharedExtension):
    """The engine of this service's own database, migrated when the service starts.

    The URL comes from the container config key ``DATABASE_URL``.
    """

    def __init__(self, migrations: Path):
        self.migrations = Path(migrations)
        self.engine: Engine | None = None
        self.sessions: sessionmaker | None = None
        self.outbox_written = eventlet.event.Event()
        super().__init__()

    @property
    def sharing_key(self):
        return (type(self), self.migrations)

    def setup(self):
        self.open(self.container.config["DATABASE_URL"])

    def open(self, url: str) -> "Database":
        """Connect and migrate; ``setup`` does this in a container, tests and tools call it directly."""
        _ensure_sqlite_folder(url)
        self.engine = make_engine(url)
        migrate(self.engine, self.migrations)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite serialises writers anyway and its driver blocks the whole
        # process while waiting for a lock, so greenthreads take turns instead.
        self._turn = eventlet.semaphore.Semaphore(1) if self.engine.dialect.name == "sqlite" else None
        return self

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    @contextmanager
    def turn(self):
        with self._turn if self._turn is not None else nullcontext():
            yield

    @classmethod
    def of_service(cls, service_module, url: str) -> "Database":
        """A migrated database of the service a module belongs to, outside a container (tests, tools)."""
        return cls(Path(service_module.__file__).with_name("migrations")).open(url)

    def unit_of_work(self) -> "UnitOfWork":
        return UnitOfWork(self)

    def watch_outbox(self) -> eventlet.event.Event:
        """A fresh event that the next commit with outgoing events will fire."""
        self.outbox_written = eventlet.event.Event()
        return self.outbox_written

    def outbox_has_news(self):
        if not self.outbox_written.ready():
            self.outbox_written.send(True)


class UnitOfWork:
    """One transaction: state, emitted events (outbox) and consumed event ids (inbox)."""

    def __init__(self, database: Database):
        self._database = database
        self.session: Session | None = None
        self._emitted = 0
        self._held = None

    def __enter__(self) -> "UnitOfWork":
        with ExitStack() as stack:
            stack.enter_context(self._database.turn())
            self.session = stack.enter_context(self._database.sessions())  # closes (and rolls back) on exit
            self._emitted = 0
            self._exit = stack.pop_all()
        return self

    def __exit__(self, *exc_info):
        self._exit.__exit__(*exc_info)

    def apply(self, events: Sequence[CloudEvent], handler, *args, load=None) -> list:
        """Apply consumed events exactly once, all in one transaction: ``handler(uow, payload, *args)`` each.

        ``load(uow, payloads)``, if given, first reads what the handlers will look up one by one (their rows)
        in one query for the batch; what it returns is held until the commit, so the session finds it.
        Returns the handler's results in the order of ``events``, None for an event applied before.
        Raises AlreadyApplied when every one of them was applied before: the consumer acks a
        redelivery quietly.
        """
        with self:
            fresh = self.consuming(*events)
            payloads = [event.payload() for event in fresh]
            self._held = load(self, payloads) if load is not None else None  # the session holds rows weakly
            results = {}
            for event, payload in zip(fresh, payloads, strict=True):
                with following(event.requestid, event.id):  # its lines and the events it causes name its request
                    results[id(event)] = handler(self, payload, *args)
            self.commit()
        self._held = None
        return [results.get(id(e)) for e in events]

    def consuming(self, *events: CloudEvent) -> list[CloudEvent]:
        """Record in the inbox that these events are being applied; returns those not applied before.

        Raises AlreadyApplied if there are none. A concurrent delivery of the same event that commits
        first makes the insert (and so the transaction) fail: the consumer tries again.
        """
        if len(events) == 1:  # the common case, one statement: the event id's primary key does the looking up
            try:
                self.session.execute(INTO_INBOX, _inbox_row(events[0]))
            except IntegrityError:
                raise AlreadyApplied(events[0].id) from None
            return list(events)
        seen = set(self.session.scalars(select(inbox.c.event_id).where(inbox.c.event_id.in_([e.id for e in events]))))
        fresh = []
        for consumed in events:
            if consumed.id not in seen:
                seen.add(consumed.id)
                fresh.append(consumed)
        if not fresh:
            raise AlreadyApplied(", ".join(e.id for e in events))
        self.session.execute(INTO_INBOX, [_inbox_row(e) for e in fresh])
        return fresh

    def emit(self, event_type: str, subject: str, data: dict | EventData) -> CloudEvent:
        """Validate an event and put it in the outbox of this transaction."""
        cloud_event = new_event(event_type, subject, data)
        # the outbox needs nothing flushed first: pending rows go at the commit, a whole batch's together
        with self.session.no_autoflush:
            self.session.execute(INTO_OUTBOX, {"event_id": cloud_event.id, "type": cloud_event.type,
                                               "body": cloud_event.to_json(), "created_at": utcnow()})
        self._emitted += 1
        return cloud_event

    def commit(self) -> None:
        self.session.commit()
        if self._emitted:
            self._database.outbox_has_news()
            self._emitted = 0


def insert_new(session: Session, table, row: dict, unique: tuple[str, ...]) -> bool:
    """Insert the row unless one with the same ``unique`` columns is there; returns whether it was new.

    One statement (ON CONFLICT DO NOTHING), built once per table: what consumers record once per event runs
    it, where looking the row up first and adding it through the ORM cost several times more."""
    statement = _insert_new(table, unique, session.get_bind().dialect.name)
    return session.execute(statement, row).rowcount == 1


@cache
def _insert_new(table, unique: tuple[str, ...], dialect: str):
    return _insert_with_conflicts(dialect)(table).on_conflict_do_nothing(index_elements=list(unique))


def upsert(session: Session, table, row: dict, unique: tuple[str, ...], updated: tuple[str, ...]) -> None:
    """Insert the row, or where one with the same ``unique`` columns is there set its ``updated`` columns from
    it: one statement (ON CONFLICT DO UPDATE), built once per table, where a look-up that misses and an ORM add
    cost several. Rows of the table already in the session are not refreshed: for consumers that keep a read
    model row by row."""
    session.execute(_upsert(table, unique, updated, session.get_bind().dialect.name), row)


@cache
def _upsert(table, unique: tuple[str, ...], updated: tuple[str, ...], dialect: str):
    statement = _insert_with_conflicts(dialect)(table)
    return statement.on_conflict_do_update(index_elements=list(unique),
                                           set_={name: statement.excluded[name] for name in updated})


def _insert_with_conflicts(dialect: str):
    """The dialect's INSERT that can say what a conflict does (the two databases Lianxin runs on)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _inbox_row(event: CloudEvent) -> dict:
    return {"event_id": event.id, "type": event.type, "applied_at": utcnow()}


def _ensure_sqlite_folder(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        Path(url[len(prefix):]).expanduser().parent.mkdir(parents=True, exist_ok=True)


class UnitOfWorkProvider(DependencyProvider):
    """Injects a fresh unit of work per worker: ``with self.uow as uow: ...; uow.commit()``."""

    def __init__(self, database: Database):
        self.database = database
        super().__init__()

    def get_dependency(self, worker_ctx):
        return self.database.unit_of_work()
