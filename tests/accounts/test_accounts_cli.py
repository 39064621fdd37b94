"""`lianxin accounts`: the first administrator and the way back in, through accounts' own use cases."""
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import services.accounts
from lianxin.cli import main
from lianxin.db import Database
from services.accounts import passwords
from services.accounts.models import Account, AuditEntry


@pytest.fixture
def accounts_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    monkeypatch.setenv("ACCOUNTS_DATABASE_URL", url)
    return url


def lianxin(*args):
    return CliRunner().invoke(main, list(args))


def stored(url):
    database = Database.of_service(services.accounts, url)
    try:
        with database.unit_of_work() as uow:
            return list(uow.session.scalars(select(Account))), list(uow.session.scalars(select(AuditEntry)))
    finally:
        database.stop()


def one_time_password(output: str) -> str:
    return re.search(r"\(shown only now\): (\S+)", output)[1]


def test_the_first_administrator_is_made_once_with_a_password_to_replace(accounts_db):
    made = lianxin("accounts", "create-admin", "wang.admin", "--display-name", "王管理", "--email", "wang@example.org")
    assert made.exit_code == 0, made.output
    (account,), (entry,) = stored(accounts_db)
    assert (account.role, account.display_name, account.must_change_password) == ("administrator", "王管理", True)
    assert passwords.matches(account.password_hash, one_time_password(made.output))
    assert (entry.actor, entry.action, entry.subject) == ("command line", "account_added", "wang.admin")

    second = lianxin("accounts", "create-admin", "li.admin", "--display-name", "李")
    assert second.exit_code == 1 and "administrators already (wang.admin)" in second.output
    assert len(stored(accounts_db)[0]) == 1


def test_a_bad_user_name_is_refused_naming_the_field(accounts_db):
    refused = lianxin("accounts", "create-admin", "Wang Admin", "--display-name", "王")
    assert refused.exit_code == 2 and "user_name" in refused.output and "Traceback" not in refused.output
    assert stored(accounts_db)[0] == []


def test_reset_password_lets_an_administrator_back_in(accounts_db):
    first = one_time_password(lianxin("accounts", "create-admin", "wang.admin", "--display-name", "王").output)
    reset = lianxin("accounts", "reset-password", "wang.admin")
    assert reset.exit_code == 0, reset.output
    (account,), entries = stored(accounts_db)
    assert passwords.matches(account.password_hash, one_time_password(reset.output))
    assert not passwords.matches(account.password_hash, first)
    assert [e.action for e in entries] == ["account_added", "password_reset"]

    unknown = lianxin("accounts", "reset-password", "nobody")
    assert unknown.exit_code == 1 and "no account 'nobody'" in unknown.output
