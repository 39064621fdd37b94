"""Fixtures that run the office on the real RabbitMQ and databases of this machine.

Each test session gets its own RabbitMQ virtual host, so its queues never
mix with a running `lianxin up`; PostgreSQL databases are created per test
and dropped afterwards.
"""
from __future__ import annotations

import os
import socket
import subprocess
import uuid
from contextlib import contextmanager
from urllib.parse import quote

import eventlet
import httpx
import kombu
import pytest
from nameko.containers import ServiceContainer

from lianxin.events import CATALOGUE
from lianxin.messaging import dead_letter_queue, subscriber_queue
from lianxin.runner import SERVICES, load
from tests.personal_data import EventCapture

BROKER_HOST = os.environ.get("LIANXIN_TEST_BROKER", "127.0.0.1:5672")
POSTGRES_URL = os.environ.get("LIANXIN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


@contextmanager
def broker_vhost():
    """A RabbitMQ virtual host of our own, removed afterwards; yields its AMQP URI."""
    name = f"lianxin-test-{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"amqp://guest:guest@{BROKER_HOST}/{quote(name, safe='')}"
    finally:
        rabbitmqctl("delete_vhost", name)


@pytest.fixture(scope="session")
def amqp_uri():
    with broker_vhost() as uri:
        yield uri


@pytest.fixture
def event_capture(amqp_uri):
    """A copy of every event published in the session's virtual host during the test (what a bureau bound to
    all would get); request it before the office, so it is listening before anything is emitted."""
    capture = EventCapture(amqp_uri)
    yield capture
    capture.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request, tmp_path):
    """One fresh database per service, on the backend the test is parametrised with."""
    if request.param == "sqlite":
        yield {name: f"sqlite:///{tmp_path / name}.db" for name in SERVICES}
        return
    import sqlalchemy
    admin = sqlalchemy.create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    names = {name: f"lianxin_test_{name}_{uuid.uuid4().hex[:8]}" for name in SERVICES}
    with admin.connect() as conn:
        for db in names.values():
            conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
    yield {name: f"{POSTGRES_URL}/{db}" for name, db in names.items()}
    with admin.connect() as conn:
        for db in names.values():
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin.dispose()


class Office:
    """The four services, each in its own nameko container with its own database and port."""

    def __init__(self, amqp_uri: str, database_urls: dict[str, str], settings: dict | None = None,
                 queue_type: str = "classic"):
        self.amqp_uri, self.database_urls, self.queue_type = amqp_uri, database_urls, queue_type
        self.settings = settings or {}  # per service: settings to override, e.g. {"intake": {"group_size": 3}}
        self.urls: dict[str, str] = {}
        self.containers: dict[str, ServiceContainer] = {}

    def config(self, name: str) -> dict:
        settings = load(SERVICES[name][1])(**{
            "database_url": self.database_urls[name], "http_address": f"127.0.0.1:{free_port()}",
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
        """Tests share a virtual host: what an earlier test's office left unconsumed must not leak in."""
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

    def start_console(self, **settings) -> str:
        """The office console in a container of its own, calling this office's services; returns its URL."""
        from services.console.config import ConsoleSettings
        from services.console.service import ConsoleService
        config = ConsoleSettings(http_address=f"127.0.0.1:{free_port()}", max_workers=10, **{
            f"{name}_url": url for name, url in self.urls.items()}, **settings).nameko_config()
        config["AMQP_URI"] = self.amqp_uri  # it asks accounts (RPC) who a signed-in person is
        container = ServiceContainer(ConsoleService, config)
        container.start()
        self.containers["console"] = container
        self.urls["console"] = "http://" + config["WEB_SERVER_ADDRESS"]
        return self.urls["console"]

    def client(self, name: str, as_staff: str = "hotline-op-01") -> httpx.Client:
        """An HTTP client of one service, carrying a staff member's development token."""
        return httpx.Client(base_url=self.urls[name], timeout=10,
                            headers={"Authorization": f"Bearer dev-{as_staff}"})


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start()
    yield office
    office.stop()
