"""An office in this process, on a private RabbitMQ virtual host and fresh databases: for the tests and the
benchmarks.

``Office`` runs the services in nameko containers (one per service, each with its own database and port).
bench/harness.py runs them as processes (``lianxin run``), which is a different thing; the virtual host,
the databases, free ports and rabbitmqctl here are what it shares.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing, contextmanager
from functools import partialmethod
from pathlib import Path
from urllib.parse import quote

import eventlet
import httpx
import kombu
from kombu.mixins import ConsumerMixin
from nameko.containers import ServiceContainer
from nameko.messaging import QueueConsumer

from lianxin.events import CATALOGUE
from lianxin.messaging import dead_letter_queue, subscriber_queue
from lianxin.runner import CONSOLE, SERVICES, load

HOST = "127.0.0.1"
BROKER_HOST = os.environ.get("LIANXIN_TEST_BROKER", f"{HOST}:5672")
POSTGRES_URL = os.environ.get("LIANXIN_TEST_POSTGRES", f"postgresql+psycopg://postgres@{HOST}:5432")


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def broker_vhost(prefix: str = "lianxin-test", brokers: str = BROKER_HOST):
    """A RabbitMQ virtual host of our own, removed afterwards; yields its AMQP URI.

    With several brokers (a cluster's nodes, comma-separated) one URI per node joined by ``;``, which kombu
    reads as failover alternates.
    """
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield ";".join(f"amqp://guest:guest@{broker}/{quote(name, safe='')}" for broker in brokers.split(","))
    finally:
        rabbitmqctl("delete_vhost", name)


@contextmanager
def service_databases(kind: str, folder: Path, services=SERVICES, prefix: str = "lianxin_test",
                      postgres_url: str = POSTGRES_URL):
    """One fresh database per service, SQLite files in ``folder`` or PostgreSQL ones dropped afterwards."""
    if kind == "sqlite":
        yield {name: f"sqlite:///{folder / name}.db" for name in services}
        return
    import sqlalchemy
    # a new connection each time, none kept: the fault drill restarts PostgreSQL between create and drop
    admin = sqlalchemy.create_engine(f"{postgres_url}/postgres", isolation_level="AUTOCOMMIT",
                                     poolclass=sqlalchemy.pool.NullPool)
    names = {name: f"{prefix}_{name}_{uuid.uuid4().hex[:8]}" for name in services}
    try:
        with admin.connect() as conn:
            for db in names.values():
                conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
        yield {name: f"{postgres_url}/{db}" for name, db in names.items()}
    finally:
        with admin.connect() as conn:
            for db in names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.dispose()


def migrated_sqlite(folder: Path, services=SERVICES) -> dict[str, Path]:
    """A SQLite database of each service at its newest migration, in ``folder``: made once per test session and
    copied for each test (``sqlite_copies``), since running every migration again cost each office a second."""
    from lianxin.db import Database
    files = {}
    for name in services:
        service = sys.modules[load(SERVICES[name][0]).__module__]
        files[name] = folder / f"{name}.db"
        Database(Path(service.__file__).with_name("migrations")).open(f"sqlite:///{files[name]}").stop()
    return files


def sqlite_copies(migrated: dict[str, Path], folder: Path) -> dict[str, str]:
    """A copy of each migrated database in ``folder`` (SQLite's backup, so the write-ahead log is in it too)."""
    urls = {}
    for name, source in migrated.items():
        with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(folder / f"{name}.db")) as copy:
            original.backup(copy)
        urls[name] = f"sqlite:///{folder / name}.db"
    return urls


class KeptDatabases:
    """PostgreSQL databases kept for a whole test session and emptied between tests rather than dropped and
    created again: a DROP DATABASE waits for a checkpoint (seconds each on a busy machine, six per office),
    emptying its schema does not. Each test still starts on databases with nothing in them."""

    def __init__(self, prefix: str = "lianxin_test", postgres_url: str = POSTGRES_URL):
        import sqlalchemy
        self.prefix, self.postgres_url = prefix, postgres_url
        self.admin = sqlalchemy.create_engine(f"{postgres_url}/postgres", isolation_level="AUTOCOMMIT",
                                              poolclass=sqlalchemy.pool.NullPool)
        self.made: list[str] = []
        self.free: list[str] = []

    @contextmanager
    def lend(self, services=SERVICES):
        """One empty database per service, emptied again afterwards for the next test."""
        names = {name: self.free.pop() if self.free else self._create() for name in services}
        try:
            yield {name: f"{self.postgres_url}/{db}" for name, db in names.items()}
        finally:
            for db in names.values():
                self._empty(db)
                self.free.append(db)

    def close(self) -> None:
        with self.admin.connect() as conn:
            for db in self.made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self.admin.dispose()

    def _create(self, db: str | None = None) -> str:
        db = db or f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
        if db not in self.made:
            self.made.append(db)
        return db

    def _empty(self, db: str) -> None:
        """As new: no one connected, the public schema made again (the test may have dropped the database)."""
        import sqlalchemy
        with self.admin.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": db})
            if not conn.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :db"), {"db": db}).first():
                self._create(db)
                return
        engine = sqlalchemy.create_engine(f"{self.postgres_url}/{db}", poolclass=sqlalchemy.pool.NullPool)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        finally:
            engine.dispose()


def notice_stops_within(seconds: float) -> None:
    """nameko's consumers see that they are to stop between two waits for a message, one second each (kombu's
    default), and a container stops its event handlers before their shared consumers: 3 s per office. The tests
    stop an office after nearly every test, so there they look more often."""
    QueueConsumer.consume = partialmethod(ConsumerMixin.consume, safety_interval=seconds)


class Office:
    """The services, each in its own nameko container with its own database and port."""

    def __init__(self, amqp_uri: str, database_urls: dict[str, str], settings: dict | None = None,
                 queue_type: str = "classic"):
        self.amqp_uri, self.database_urls, self.queue_type = amqp_uri, database_urls, queue_type
        self.settings = settings or {}  # per service: settings to override, e.g. {"intake": {"group_size": 3}}
        self.urls: dict[str, str] = {}
        self.containers: dict[str, ServiceContainer] = {}

    def config(self, name: str) -> dict:
        settings = load(SERVICES[name][1])(**{
            "database_url": self.database_urls[name], "http_address": f"{HOST}:{free_port()}",
            "max_workers": 10, "prefetch_count": 20, "LIANXIN_QUEUE_TYPE": self.queue_type,
            **self.settings.get(name, {})})
        config = settings.nameko_config()
        config["AMQP_URI"] = self.amqp_uri
        return config

    def start(self, *names: str) -> None:
        if not self.containers:
            self.empty_queues()
        for name in names or SERVICES:
            config = self.config(name)
            container = ServiceContainer(load(SERVICES[name][0]), config)
            container.start()
            self.containers[name] = container
            self.urls[name] = "http://" + config["WEB_SERVER_ADDRESS"]

    def empty_queues(self) -> None:
        """Offices may share a virtual host: what an earlier one left unconsumed must not leak in."""
        with kombu.Connection(self.amqp_uri) as conn:
            channel = conn.channel()
            for event_type, entry in CATALOGUE.items():
                for consumer in entry.consumers:
                    subscriber_queue(consumer, event_type, self.queue_type)(channel).declare()
                    subscriber_queue(consumer, event_type, self.queue_type)(channel).purge()
            for service in SERVICES:
                dead_letter_queue(service, self.queue_type)(channel).declare()
                dead_letter_queue(service, self.queue_type)(channel).purge()

    def stop(self, *names: str) -> None:
        stopping = [self.containers.pop(name) for name in (names or list(self.containers))]
        for _ in eventlet.GreenPool().imap(ServiceContainer.stop, stopping):
            pass  # in parallel: each takes about a second to drain its consumers

    def start_console(self, accounts_timeout: float | None = None, **settings) -> str:
        """The office console in a container of its own, calling this office's services; returns its URL.

        ``accounts_timeout``: seconds it waits for accounts to say who a token is (5, not a setting)."""
        config = load(CONSOLE[1])(http_address=f"{HOST}:{free_port()}", max_workers=10, **{
            f"{name}_url": url for name, url in self.urls.items()}, **settings).nameko_config()
        config["AMQP_URI"] = self.amqp_uri  # it asks accounts (RPC) who a signed-in person is
        if accounts_timeout is not None:
            config["ACCOUNTS_TIMEOUT"] = accounts_timeout
        container = ServiceContainer(load(CONSOLE[0]), config)
        container.start()
        self.containers["console"] = container
        self.urls["console"] = "http://" + config["WEB_SERVER_ADDRESS"]
        return self.urls["console"]

    def client(self, name: str, as_staff: str = "hotline-op-01") -> httpx.Client:
        """An HTTP client of one service, carrying a staff member's development token."""
        return httpx.Client(base_url=self.urls[name], timeout=10,
                            headers={"Authorization": f"Bearer dev-{as_staff}"})
