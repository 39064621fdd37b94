"""Passwords: argon2id hashes (argon2-cffi's defaults exceed OWASP's minimum) and what a new one must be
(OWASP ASVS V2.1: long enough, no composition rules, not a known-breached one, not the user name)."""
from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

from lianxin.errors import Invalid, Problem
from lianxin.i18n import N_

HASHER = PasswordHasher()
# verified against when the user name is unknown, so an unknown name costs as much time as a known one
_NOBODY = HASHER.hash(secrets.token_urlsafe(16))


# hashing is tens of milliseconds of memory-hard work: done in a real thread, so other requests go on meanwhile
def hashed(password: str) -> str:
    return tpool.execute(HASHER.hash, password)


def matches(password_hash: str | None, password: str) -> bool:
    try:
        return tpool.execute(HASHER.verify, password_hash or _NOBODY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def one_time() -> str:
    """A password the administrator hands over once; the person must replace it at their next sign-in."""
    return secrets.token_urlsafe(12)


@cache
def common() -> frozenset[str]:
    lines = Path(__file__).with_name("common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def check_new(password: str, user_name: str, min_length: int, current_hash: str | None = None) -> None:
    """Refuses a new password that is too short, names its owner, is common or is the current one."""
    problem = None
    if len(password) < min_length:
        problem = N_("a password must have at least %(min_length)s characters")
    elif user_name.casefold() in password.casefold():
        problem = N_("a password must not contain the user name")
    elif password.casefold() in common():
        problem = N_("this password is among the most common ones found in breaches: choose another")
    elif current_hash is not None and matches(current_hash, password):
        problem = N_("the new password must differ from the current one")
    if problem:
        raise Invalid(problem, [Problem("new_password", problem, {"min_length": min_length})],
                      min_length=min_length)
