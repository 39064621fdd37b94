"""Accounts' lists page as every list does (issue 15): the people by user name, the machines' tokens and the
audit log newest first, each ``?limit=&after=`` with ``next_after`` and the same refusals of a bad page."""
import pytest
from nameko.testing.services import worker_factory

from lianxin.auth import Authenticator, load_credentials
from lianxin.db import Database, utcnow
from services.accounts import models, records
from services.accounts.service import AccountsService
from tests.support.county import SAMPLE
from tests.support.paging import every_page, refuses_bad_pages

ADMIN = "admin"


@pytest.fixture
def database(tmp_path):
    db = Database.of_service(models, f"sqlite:///{tmp_path / 'accounts.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def accounts(database):
    return worker_factory(AccountsService, uow=database.unit_of_work(),
                          auth=Authenticator(load_credentials(SAMPLE.with_name("staff.yaml"))))


def test_people_tokens_and_the_audit_log_page_each_in_its_order(accounts, database):
    now = utcnow()
    with database.unit_of_work() as uow:
        for name in ("wang.fang", "li.na", "zhao.lei"):
            uow.session.add(models.Account(user_name=name, display_name="王芳", role="operator", created_at=now))
            records.audit(uow, ADMIN, "added", name)
        for n in range(3):
            uow.session.add(models.Token(token_sha256=f"{n:064d}", kind="api", name=f"script-{n}", role="bureau",
                                         issued_by=ADMIN, issued_at=now))
        uow.commit()
    assert every_page(accounts.list_accounts, "accounts", "user_name", ADMIN) == ["li.na", "wang.fang", "zhao.lei"]
    assert every_page(accounts.list_tokens, "api_tokens", "token_id", ADMIN) == ["T000003", "T000002", "T000001"]
    assert every_page(accounts.audit_log, "entries", "entry_id", ADMIN) == [
        "AU00000003", "AU00000002", "AU00000001"]
    refuses_bad_pages(accounts.list_accounts, ADMIN, bad_after=None)  # a user name is where the next page starts
    refuses_bad_pages(accounts.list_tokens, ADMIN)
    refuses_bad_pages(accounts.audit_log, ADMIN)
