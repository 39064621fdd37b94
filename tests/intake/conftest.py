"""Intake's use cases on a SQLite unit of work, without services: the Intake and its database."""
import pytest

from lianxin.db import Database
from lianxin.directory import load_directory
from services.intake import reporting
from services.intake.config import IntakeSettings
from services.intake.protection import use_keys
from tests.support.county import SAMPLE


@pytest.fixture(scope="module")
def intake():
    config = IntakeSettings().nameko_config()
    use_keys(config["PII_KEYS"])
    return reporting.Intake(load_directory(SAMPLE), config)


@pytest.fixture
def database(tmp_path):
    db = Database.of_service(reporting, f"sqlite:///{tmp_path / 'intake.db'}")
    yield db
    db.engine.dispose()
