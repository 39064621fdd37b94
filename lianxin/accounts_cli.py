"""`lianxin accounts create-admin|reset-password`: the first administrator, and the way back in for one
locked out, straight in accounts' database (the service may be running). After that, administrators
manage everyone in the console; these go through the same use cases and the same audit log."""
from __future__ import annotations

from contextlib import contextmanager

import click

# who the audit log names for a change made here (a staff code is never this long with a space)
ACTOR = "command line"


@click.group()
def accounts():
    """Staff accounts kept by the accounts service."""


@accounts.command("create-admin")
@click.argument("user_name")
@click.option("--display-name", required=True, help="The administrator's name as the office reads it.")
@click.option("--mobile", help="For notifications, e.g. 13800138000.")
@click.option("--email", help="For notifications.")
def create_admin(user_name, display_name, mobile, email):
    """Add the office's first administrator with a one-time password, shown only now."""
    from services.accounts import staffing
    from services.accounts.schemas import AccountIn
    incoming = _valid(AccountIn, user_name=user_name, display_name=display_name, role="administrator",
                      mobile=mobile, email=email)
    with _unit_of_work() as (uow, directory):
        if existing := _administrators(uow):
            raise click.ClickException(f"the office has its administrators already ({', '.join(existing)}): one of "
                                       f"them adds people in the console; `lianxin accounts reset-password` lets "
                                       f"one locked out back in")
        account, one_time = _done(uow, lambda: staffing.add(uow, directory, incoming, ACTOR))
    _tell(account.user_name, one_time)


@accounts.command("reset-password")
@click.argument("user_name")
def reset_password(user_name):
    """Give an account a one-time password, shown only now (its sessions end, a lock lifts)."""
    from services.accounts import staffing
    with _unit_of_work() as (uow, _directory):
        account, one_time = _done(uow, lambda: staffing.reset_password(uow, user_name, ACTOR))
    _tell(account.user_name, one_time)


def _tell(user_name: str, one_time: str) -> None:
    click.echo(f"one-time password of {user_name} (shown only now): {one_time}")
    click.echo("sign in with it at the console; it asks for a password of their own at once")


def _valid(model, **fields):
    from pydantic import ValidationError
    try:
        return model(**{name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise click.BadParameter("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) \
            from None


def _administrators(uow) -> list[str]:
    from sqlalchemy import select

    from services.accounts.models import Account
    query = select(Account.user_name).where(Account.role == "administrator", Account.active.is_(True))
    return list(uow.session.scalars(query))


def _done(uow, change):
    """Run the use case and commit; its refusal (a name taken, no such account) ends the command in one line."""
    from lianxin.errors import Refused
    try:
        result = change()
    except Refused as exc:
        raise click.ClickException(exc.message) from None
    uow.commit()
    return result


@contextmanager
def _unit_of_work():
    """Accounts' database as its settings name it, migrated like the service's, with the county directory."""
    from sqlalchemy.exc import SQLAlchemyError

    import services.accounts
    from lianxin.cli import settings
    from lianxin.db import Database
    from lianxin.directory import DirectoryError, load_directory
    own = settings("accounts")
    try:
        directory = load_directory(own.directory)
        database = Database.of_service(services.accounts, own.resolved_database_url)
    except (DirectoryError, SQLAlchemyError) as exc:
        raise click.ClickException(f"accounts' database or county cannot be opened: {exc}") from None
    try:
        with database.unit_of_work() as uow:
            yield uow, directory
    finally:
        database.stop()
