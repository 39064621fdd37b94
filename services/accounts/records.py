"""Reading and recording: accounts and tokens by what names them, views, and the audit log."""
from __future__ import annotations

from pydantic_core import to_jsonable_python
from sqlalchemy import select

from lianxin.auth import token_hash
from lianxin.db import utcnow
from lianxin.errors import NotFound
from lianxin.i18n import N_

from .models import Account, AuditEntry, Token


def select_account(user_name: str, for_update: bool = False):
    query = select(Account).where(Account.user_name == user_name)
    return query.with_for_update() if for_update else query


def select_external(subject: str):
    """The account of a person the identity platform knows as ``subject`` (issuer|sub)."""
    return select(Account).where(Account.external_subject == subject)


def account(uow, user_name: str, for_update: bool = False) -> Account:
    found = uow.session.scalars(select_account(user_name, for_update)).first()
    if found is None:
        raise NotFound(N_("no account '%(user_name)s'"), user_name=user_name)
    return found


def token_by_hash(uow, digest: str) -> Token | None:
    return uow.session.scalars(select(Token).where(Token.token_sha256 == digest)).first()


def new_token(uow, secret: str, **fields) -> Token:
    token = Token(token_sha256=token_hash(secret), issued_at=utcnow(), **fields)
    uow.session.add(token)
    return token


def revoke_sessions(uow, account_id: int) -> None:
    """Ends every open session of a person (disabled, password reset or changed)."""
    now = utcnow()
    for session in uow.session.scalars(select(Token).where(
            Token.account_id == account_id, Token.kind == "session", Token.revoked_at.is_(None))):
        session.revoked_at = now


def audit(uow, actor: str, action: str, subject: str, before: dict | None = None, after: dict | None = None):
    uow.session.add(AuditEntry(at=utcnow(), actor=actor, action=action, subject=subject,
                               before=to_jsonable_python(before), after=to_jsonable_python(after)))


def account_view(account: Account) -> dict:
    """An account as the office reads it (never its password hash)."""
    return {"user_name": account.user_name, "display_name": account.display_name, "role": account.role,
            "unit": account.unit, "village": account.village, "enterprise": account.enterprise,
            "mobile": account.mobile, "email": account.email, "active": account.active,
            "must_change_password": account.must_change_password, "external": account.external_subject is not None,
            "locked_until": account.locked_until, "created_at": account.created_at}


def audited(account: Account) -> dict:
    """What the audit log keeps of an account: who and where, contacts masked (supervisors read the log)."""
    view = account_view(account)
    del view["locked_until"], view["created_at"]
    return {**view, "mobile": _masked(account.mobile), "email": _masked(account.email)}


def token_view(token: Token) -> dict:
    return {"token_id": f"T{token.id:06d}", "name": token.name, "role": token.role, "unit": token.unit,
            "issued_by": token.issued_by, "issued_at": token.issued_at, "expires_at": token.expires_at,
            "revoked_at": token.revoked_at}


def audit_view(entry: AuditEntry) -> dict:
    return {"entry_id": f"AU{entry.id:08d}", "at": entry.at, "actor": entry.actor, "action": entry.action,
            "subject": entry.subject, "before": entry.before, "after": entry.after}


def _masked(contact: str | None) -> str | None:
    if not contact:
        return contact
    if "@" in contact:
        return contact[0] + "***" + contact[contact.index("@"):]
    return contact[:3] + "****" + contact[-4:]
