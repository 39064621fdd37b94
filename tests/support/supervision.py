"""Supervision's worker for the fast use-case tests (worker_factory over a SQLite file), its configuration,
and what it put in its outbox; a handled case as the closure rules read it."""
from datetime import datetime, timezone
from types import SimpleNamespace

from nameko.testing.services import worker_factory
from sqlalchemy import select

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database
from lianxin.directory import load_directory
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from lianxin.redaction import DEVELOPMENT_REDACTION_KEY
from services.supervision import models
from services.supervision.links import Links
from services.supervision.service import SupervisionService
from tests.support.builders import request as staff_request
from tests.support.county import SAMPLE

CONFIG = {"CALLBACKS": {"retry_hours": 4, "max_attempts": 3}, "REOPEN_NOTICE_AFTER": 2, "REVIEW_SAMPLE_PERCENT": 0,
          "LINK_KEY": "a-test-link-key", "REDACTION_KEY": DEVELOPMENT_REDACTION_KEY}  # signs the repair photos' links


def request(body, as_staff="callback-op-01"):
    return staff_request(body, as_staff)


def office_request(body, as_staff="supervisor-01"):
    return request(body, as_staff)


def supervision_database(tmp_path) -> Database:
    return Database.of_service(models, f"sqlite:///{tmp_path / 'supervision.db'}")


def supervision_worker(database: Database):
    return worker_factory(SupervisionService, uow=database.unit_of_work(), directory=load_directory(SAMPLE),
                          config=CONFIG, auth=Authenticator(load_credentials(SAMPLE.with_name("staff.yaml"))),
                          links=Links(CONFIG["LINK_KEY"], failures=3, minutes=10))


def emitted(database: Database, event_type: str) -> list:
    with database.engine.connect() as conn:
        return [parse_event(r.body) for r in conn.execute(select(outbox.c.body).where(outbox.c.type == event_type))]


HANDLED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def handled_case(**overrides):
    """A case reported on with both signatures and a satisfied callback: nothing keeps it from closing."""
    callback = SimpleNamespace(reached=True, for_report_at=HANDLED_AT, satisfaction="satisfied", resolved="yes")
    values = dict(finding="substantiated", actions_taken="修好了", responsible_person="刘建国", unit_head="陈志强",
                  reported_at=HANDLED_AT, last_callback=callback, reviews=[], anonymous=False)
    return SimpleNamespace(**{**values, **overrides})
