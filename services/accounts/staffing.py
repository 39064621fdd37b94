"""What the administrator does: add people, change their role or place, disable them, reset their
password, and issue and revoke the machines' API tokens. Every change goes into the audit log."""
from __future__ import annotations

import secrets
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from lianxin.db import utcnow
from lianxin.errors import Conflict, Invalid, NotFound, Problem
from lianxin.i18n import N_
from lianxin.i18n.fields import not_in_directory
from lianxin.vocabulary import role_named

from . import passwords, records
from .models import Account, Token

PLACED = {"unit_handler", "unit_head"}  # roles that act for one unit only
PLACE = ("unit", "village", "enterprise")


def add(uow, directory, incoming, actor: str) -> tuple[Account, str]:
    """A new account with a one-time password (returned, shown once) to be replaced at the first sign-in."""
    if uow.session.scalars(select(Account.id).where(Account.user_name == incoming.user_name)).first():
        raise Conflict(N_("the user name '%(user_name)s' is taken"), user_name=incoming.user_name)
    _check_place(directory, incoming.role, incoming)
    first = passwords.one_time()
    account = Account(**incoming.model_dump(), password_hash=passwords.hashed(first), must_change_password=True,
                      created_at=utcnow())
    uow.session.add(account)
    records.audit(uow, actor, "account_added", account.user_name, None, records.audited(account))
    return account, first


def change(uow, directory, user_name: str, changes, actor: str) -> Account:
    account = records.account(uow, user_name, for_update=True)
    before = records.audited(account)
    sent = changes.model_dump(exclude_unset=True)
    if PLACE & sent.keys():  # the place is replaced as a whole
        sent.update({field: sent.get(field) for field in PLACE})
    after = {**{field: getattr(account, field) for field in ("role", *PLACE)}, **sent}
    _check_place(directory, after["role"], SimpleNamespace(**after))
    for field, value in sent.items():
        setattr(account, field, value)
    records.audit(uow, actor, "account_changed", user_name, before, records.audited(account))
    return account


def set_active(uow, user_name: str, active: bool, actor: str) -> Account:
    """Disable (every session ends at once) or enable again."""
    account = records.account(uow, user_name, for_update=True)
    before = records.audited(account)
    account.active = active
    if not active:
        records.revoke_sessions(uow, account.id)
    records.audit(uow, actor, "account_enabled" if active else "account_disabled", user_name, before,
                  records.audited(account))
    return account


def reset_password(uow, user_name: str, actor: str) -> tuple[Account, str]:
    """A one-time password (shown once) replacing the forgotten one; sessions end, the lock lifts."""
    account = records.account(uow, user_name, for_update=True)
    before = records.audited(account)
    one_time = passwords.one_time()
    account.password_hash = passwords.hashed(one_time)
    account.must_change_password, account.failed_attempts, account.locked_until = True, 0, None
    records.revoke_sessions(uow, account.id)
    records.audit(uow, actor, "password_reset", user_name, before, records.audited(account))
    return account, one_time


def issue_token(uow, directory, incoming, actor: str) -> tuple[Token, str]:
    """An API token for a machine (Open311 client, a bureau's script), returned once."""
    taken = select(Token.id).where(Token.kind == "api", Token.name == incoming.name, Token.revoked_at.is_(None))
    if uow.session.scalars(taken).first():
        raise Conflict(N_("an API token named '%(name)s' is in use: revoke it first"), name=incoming.name)
    _check_place(directory, incoming.role, incoming)
    secret = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=incoming.valid_days) if incoming.valid_days else None
    token = records.new_token(uow, secret, kind="api", name=incoming.name, role=incoming.role, unit=incoming.unit,
                              issued_by=actor, expires_at=expires)
    uow.session.flush()  # its number goes into the log
    records.audit(uow, actor, "token_issued", f"token:{incoming.name}", None, records.token_view(token))
    return token, secret


def revoke_token(uow, token_id: str, actor: str) -> Token:
    number = token_id[1:] if token_id.startswith("T") and token_id[1:].isdigit() and len(token_id) < 12 else None
    token = uow.session.get(Token, int(number), with_for_update=True) if number else None
    if token is None or token.kind != "api":
        raise NotFound(N_("no API token '%(token_id)s'"), token_id=token_id)
    before = records.token_view(token)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        records.audit(uow, actor, "token_revoked", f"token:{token.name}", before, records.token_view(token))
    return token


ONE_UNIT = N_("the role %(role)s acts for one unit: name it")
ONE_PLACE = N_("an information officer reports for a village or an enterprise: name it")


def _check_place(directory, role: str, place) -> None:
    """A unit's people name a unit of the county; an information officer a village or an enterprise;
    whatever is named must be in the county directory."""
    problems = []
    if role in PLACED and not place.unit:
        problems.append(Problem("unit", ONE_UNIT, {"role": role_named(role)}))
    if role == "officer" and not (getattr(place, "village", None) or getattr(place, "enterprise", None)):
        problems.append(Problem("village", ONE_PLACE))
    for field, known in (("unit", directory.units), ("village", directory.villages),
                         ("enterprise", directory.enterprise_by_code)):
        if (value := getattr(place, field, None)) and value not in known:
            problems.append(not_in_directory(field, value))
            break
    if problems:
        raise Invalid(None, problems)
