"""Who is calling: staff credentials, stored only as hashes.

Every actor of the office (operator, information officer, unit handler, unit
head, supervisor, leader, bureau, administrator) presents a bearer token. The
credentials file (``deploy/staff.yaml`` by default, ``LIANXIN_CREDENTIALS``
to override) lists each actor's code, role, unit or place, and the SHA-256 of
the token: tokens are long random strings, so a fast hash is enough (as for
API tokens elsewhere) and the file reveals nothing usable.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from nameko.extensions import DependencyProvider
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lianxin.http import ApiError

Role = Literal["operator", "officer", "unit_handler", "unit_head", "supervisor", "leader", "bureau",
               "administrator"]


class Unauthorised(ApiError):
    status, code = 401, "unauthorised"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class Staff(BaseModel):
    """An authenticated actor."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Annotated[str, Field(min_length=1, max_length=64)]
    role: Role
    unit: str | None = None  # township or department the actor belongs to
    village: str | None = None  # an information officer's village
    enterprise: str | None = None  # or enterprise
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    staff: list[Staff]

    @cached_property
    def by_hash(self) -> dict[str, Staff]:
        return {s.token_sha256: s for s in self.staff}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def development_tokens(credentials: Credentials) -> list[str]:
    """Codes of the staff whose token is still the sample county's development token ``dev-<code>``."""
    return [s.code for s in credentials.staff if hmac.compare_digest(s.token_sha256, token_hash(f"dev-{s.code}"))]


def load_credentials(path: str | Path) -> Credentials:
    try:
        return Credentials.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"credentials file {path}: {exc}") from None


class Authenticator:
    def __init__(self, credentials: Credentials):
        self.credentials = credentials

    def identify(self, request) -> Staff:
        """The staff member whose bearer token the request carries."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorised("send your staff token as 'Authorization: Bearer <token>'")
        digest = token_hash(token.strip())
        for known, staff in self.credentials.by_hash.items():  # constant-time comparison per entry
            if hmac.compare_digest(known, digest):
                return staff
        raise Unauthorised("the token is not known; ask the office administrator for yours")

    def require(self, request, *roles: str) -> Staff:
        staff = self.identify(request)
        if roles and staff.role not in roles:
            raise Forbidden(f"the role {staff.role!r} may not do this; it takes one of: {', '.join(roles)}")
        return staff


class Auth(DependencyProvider):
    """Injects an Authenticator over the credentials file (config ``CREDENTIALS``)."""

    def setup(self):
        credentials = load_credentials(self.container.config["CREDENTIALS"])
        if self.container.config.get("ENVIRONMENT") == "production" and (codes := development_tokens(credentials)):
            raise ValueError(f"LIANXIN_ENVIRONMENT is production but {len(codes)} staff still have their "
                             f"development token dev-<code> (e.g. {', '.join(codes[:3])}): give them real ones "
                             f"with `lianxin token`")
        self.authenticator = Authenticator(credentials)

    def get_dependency(self, worker_ctx):
        return self.authenticator
