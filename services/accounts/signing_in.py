"""Signing in and out, changing one's password, and who a token stands for (asked by every service)."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from lianxin.db import utcnow
from lianxin.i18n import N_

from . import passwords, records
from .models import Account
from .refusals import LockedOut, SignInRefused

NOT_RIGHT = N_("the user name or the password is not right")  # the same whether or not the account exists
LOCKED = N_("too many failed sign-ins: this account is locked for %(minutes)s minutes")
BUSY = N_("too many failed sign-ins from your address: wait a minute and try again")


class Guard:
    """Anti-automation in memory, before any password is checked: failed sign-ins per client address (only
    failures: an office behind one address, or the console signing everyone in, makes many good ones at the
    start of a shift), and failures per user name that has no account (locked out like a known one)."""

    def __init__(self, per_address_minute: int, failures: int, minutes: int):
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_address = RateLimitItemPerMinute(per_address_minute)
        self.per_name = RateLimitItemPerMinute(failures, minutes)

    def check(self, address: str) -> None:
        """Refuses an address that failed too often this minute, before its next try is looked at."""
        if not self.limiter.test(self.per_address, "address", address):
            raise LockedOut(BUSY, 60)

    def failed_from(self, address: str) -> None:
        self.limiter.hit(self.per_address, "address", address)

    def failed_unknown(self, user_name: str) -> bool:
        """Counts a failure for a name without an account; False once that makes it locked, as the account's
        own count would."""
        return self.limiter.hit(self.per_name, "name", user_name.casefold()) and \
            self.limiter.test(self.per_name, "name", user_name.casefold())


def sign_in(uow, guard: Guard, incoming, address: str, rules: dict) -> tuple[Account, str]:
    """A new session token (returned, shown once) for the right user name and password."""
    guard.check(address)
    account = uow.session.scalars(records.select_account(incoming.user_name, for_update=True)).first()
    now = utcnow()
    if account is None:
        passwords.matches(None, incoming.password)  # as long as a real check
        guard.failed_from(address)
        if not guard.failed_unknown(incoming.user_name):
            raise LockedOut(LOCKED, rules["LOCKOUT_MINUTES"] * 60, minutes=rules["LOCKOUT_MINUTES"])
        raise SignInRefused(NOT_RIGHT)
    if account.locked_until and account.locked_until > now:
        raise _locked(account.locked_until - now)
    if not passwords.matches(account.password_hash, incoming.password):
        guard.failed_from(address)
        _count_failure(uow, account, now, rules)
        uow.commit()  # the failure counts even though the sign-in is refused
        if account.locked_until:
            raise _locked(account.locked_until - now)
        raise SignInRefused(NOT_RIGHT)
    if not account.active:
        raise SignInRefused(N_("this account is disabled: ask the office administrator"))
    account.failed_attempts, account.locked_until = 0, None
    secret = open_session(uow, account, now, rules["SESSION_SECONDS"])
    records.audit(uow, account.user_name, "signed_in", account.user_name)
    return account, secret


def sign_out(uow, digest: str) -> None:
    token = records.token_by_hash(uow, digest)
    if token is not None and token.kind == "session" and token.revoked_at is None:
        token.revoked_at = utcnow()
        who = uow.session.get(Account, token.account_id).user_name
        records.audit(uow, who, "signed_out", who)


def change_password(uow, digest: str, incoming, min_length: int, session_seconds: int) -> tuple[Account, str]:
    """The person's new password; their other sessions end and this one is replaced by a fresh one."""
    token = records.token_by_hash(uow, digest)
    if token is None or token.kind != "session" or token.account_id is None:
        raise SignInRefused(N_("sign in with your user name and password to change your password"))
    account = uow.session.get(Account, token.account_id, with_for_update=True)
    if not passwords.matches(account.password_hash, incoming.current_password):
        raise SignInRefused(N_("the current password is not right"))
    passwords.check_new(incoming.new_password, account.user_name, min_length, account.password_hash)
    before = records.audited(account)
    account.password_hash = passwords.hashed(incoming.new_password)
    account.must_change_password = False
    records.revoke_sessions(uow, account.id)
    secret = open_session(uow, account, utcnow(), session_seconds)
    records.audit(uow, account.user_name, "password_changed", account.user_name, before, records.audited(account))
    return account, secret


def identify(uow, digest: str) -> dict | None:
    """Who a token stands for, as the services' authenticator takes it; None for an unknown, expired or
    revoked token, or a disabled person."""
    token = records.token_by_hash(uow, digest)
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if token.kind == "api":
        return {"code": f"api:{token.name}", "role": token.role, "unit": token.unit, "must_change_password": False}
    account = uow.session.get(Account, token.account_id)
    if not account.active:
        return None
    return {"code": account.user_name, "role": account.role, "unit": account.unit, "village": account.village,
            "enterprise": account.enterprise, "must_change_password": account.must_change_password}


def open_session(uow, account: Account, now: datetime, seconds: int) -> str:
    secret = passwords.one_time() + passwords.one_time()  # 32 random bytes
    records.new_token(uow, secret, kind="session", account_id=account.id, issued_by=account.user_name,
                      expires_at=now + timedelta(seconds=seconds))
    return secret


def _count_failure(uow, account: Account, now: datetime, rules: dict) -> None:
    account.failed_attempts += 1
    if account.failed_attempts >= rules["LOCKOUT_FAILURES"]:
        account.failed_attempts, account.locked_until = 0, now + timedelta(minutes=rules["LOCKOUT_MINUTES"])
        records.audit(uow, account.user_name, "locked_out", account.user_name)


def _locked(left: timedelta) -> LockedOut:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return LockedOut(LOCKED, minutes * 60, minutes=minutes)
