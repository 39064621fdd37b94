"""Supervision's use cases on a SQLite unit of work, without the broker: its database and its worker."""
import pytest

from tests.support.supervision import supervision_database, supervision_worker


@pytest.fixture
def database(tmp_path):
    db = supervision_database(tmp_path)
    yield db
    db.engine.dispose()


@pytest.fixture
def supervision(database):
    return supervision_worker(database)
