"""Fixtures that run the office on the real RabbitMQ and databases of this machine.

Each test session gets its own RabbitMQ virtual host, so its queues never
mix with a running `lianxin up`; its PostgreSQL databases are emptied after each
test and dropped at its end.
"""
from __future__ import annotations

import pytest

from lianxin.testing import KeptDatabases, Office, broker_vhost, migrated_sqlite, notice_stops_within, sqlite_copies
from tests.support.browser import People, launched
from tests.support.personal_data import EventCapture

# The long runs, kept out of `bin/lianxin test` to keep it shorter, and run by CI after it
# (`bin/lianxin test -m slow`): the fault drill and the restarts, the fuzzing, the installed wheel, the demo
# and the seeding. Listed here, in one place, rather than marked module by module.
LONG_RUNS = {"test_fault_drill", "test_broker_restart", "test_database_restart", "test_fuzz_http",
             "test_fuzz_events", "test_install", "test_cli", "test_bench_seed"}


def pytest_configure(config):
    notice_stops_within(0.1)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rpartition(".")[2] in LONG_RUNS or item.get_closest_marker("broker_restart"):
            item.add_marker(pytest.mark.slow)


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


@pytest.fixture(scope="session")
def kept_databases():
    """The session's PostgreSQL databases, emptied after each test that used them and dropped at the end."""
    databases = KeptDatabases()
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory):
    """Each service's SQLite database at its newest migration, copied for every test that asks for SQLite."""
    return migrated_sqlite(tmp_path_factory.mktemp("migrated"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_urls(request, tmp_path):
    """One database per service with nothing in it, on the backend the test is parametrised with."""
    if request.param == "postgresql":
        with request.getfixturevalue("kept_databases").lend() as urls:
            yield urls
    else:
        yield sqlite_copies(request.getfixturevalue("migrated"), tmp_path)


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start()
    yield office
    office.stop()


@pytest.fixture
def console(amqp_uri, database_urls):
    """The office with its console; no handling report drawn for review, so a good callback closes the case."""
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    office.start_console()
    yield office
    office.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium, launched once per module: each test's people get browser contexts of their own. Not for the
    session: while Playwright's asyncio loop lives, aiosmtpd's (the notification tests' mail server) cannot."""
    with launched() as browser:
        yield browser


@pytest.fixture
def people(browser, console):
    """The people of the office in Chromium, over the test's console, each with their own cookies; their
    contexts close before the office stops."""
    everyone = People(browser, console.urls["console"])
    yield everyone
    everyone.close()
