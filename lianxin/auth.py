"""Who is calling: staff credentials, stored only as hashes.

Every actor of the office (operator, information officer, unit handler, unit
head, supervisor, leader, bureau, administrator) presents a bearer token. The
credentials file (``deploy/staff.yaml`` by default, ``LIANXIN_CREDENTIALS``
to override) lists each actor's code, role, unit or place, and the SHA-256 of
the token: tokens are long random strings, so a fast hash is enough (as for
API tokens elsewhere) and the file reveals nothing usable.

Any other token (a person's session after signing in with a user name and password, a machine's API
token) is known to the accounts service only: it is asked by RPC, ``accounts.identify(token_sha256)``,
and its answer kept for ``TOKEN_CACHE_SECONDS`` (a revoked token or a disabled person stops working
within that time).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import eventlet
import yaml
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from lianxin import phones
from lianxin.http import ApiError, Unavailable
from lianxin.i18n import N_  # the console shows this refusal to people in their language
from lianxin.vocabulary import role_named, roles_named

Role = Literal["operator", "officer", "unit_handler", "unit_head", "supervisor", "leader", "bureau",
               "administrator"]


class Unauthorised(ApiError):
    status, code = 401, "unauthorised"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class PasswordChangeRequired(Unauthorised):
    code = "password_change_required"


# staff are texted, so a mobile is a number by lianxin.phones' rule that is no landline


def _textable(text: str) -> str:
    """The 11 digits an SMS gateway is given, from a mobile number typed any way intake takes one."""
    digits = phones.textable(text)
    if digits is None:
        raise ValueError(N_("is not a mobile number (text messages reach no landline)"))  # said after the field's name
    return digits


# how a person is reached (the notifications service reads them; accounts keeps them for its people)
Mobile = Annotated[str, Field(max_length=40), AfterValidator(_textable)]
Email = Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$", max_length=254)]
Channel = Literal["sms", "email"]


class Staff(BaseModel):
    """An authenticated actor."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: Annotated[str, Field(min_length=1, max_length=64)]
    role: Role
    unit: str | None = None  # township or department the actor belongs to
    village: str | None = None  # an information officer's village
    enterprise: str | None = None  # or enterprise
    token_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    mobile: Mobile | None = None
    email: Email | None = None
    language: Literal["zh", "en"] | None = None  # of the messages they are sent (lianxin.i18n.LANGUAGES)
    channels: list[Channel] | None = None  # how they want to be told; None: every channel they have an address for


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
        text = Path(path).read_text(encoding="utf-8")
        return Credentials.model_validate(yaml.load(text, Loader=yaml.CSafeLoader))  # libyaml: 20 times faster
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"credentials file {path}: {exc}") from None


class Identities:
    """Who the accounts service said each token stands for, kept a short time (per process, for every worker)."""

    def __init__(self, seconds: float):
        self.seconds, self.known = seconds, {}  # token_sha256 -> (until, identity)

    def get(self, digest: str) -> dict | None:
        until, identity = self.known.get(digest, (0, None))
        return identity if until > time.monotonic() else None

    def keep(self, digest: str, identity: dict) -> None:
        now = time.monotonic()
        if len(self.known) > 10_000:  # forget the expired before growing further
            self.known = {d: kept for d, kept in self.known.items() if kept[0] > now}
        self.known[digest] = (now + self.seconds, identity)


class Authenticator:
    def __init__(self, credentials: Credentials, ask=None, identities: Identities | None = None):
        """``ask(token_sha256)``: who a token not in the credentials file stands for, or None (accounts)."""
        self.credentials, self.ask, self.identities = credentials, ask, identities or Identities(0)

    def identify(self, request) -> Staff:
        """The staff member whose bearer token the request carries."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorised(N_("Send your staff token as 'Authorization: Bearer <token>'"))
        digest = token_hash(token.strip())
        for known, staff in self.credentials.by_hash.items():  # constant-time comparison per entry
            if hmac.compare_digest(known, digest):
                return staff
        if (identity := self._issued(digest)) is None:
            raise Unauthorised(N_("The token is not known; ask the office administrator for yours"))
        if identity.get("must_change_password"):
            raise PasswordChangeRequired(N_("Choose a new password before going on (the administrator reset yours)"))
        return Staff(token_sha256=digest, **{k: v for k, v in identity.items() if k != "must_change_password"})

    def _issued(self, digest: str) -> dict | None:
        """The identity of a token the accounts service issued (a session, an API token)."""
        if self.ask is None:
            return None
        if (identity := self.identities.get(digest)) is None and (identity := self.ask(digest)) is not None:
            self.identities.keep(digest, identity)
        return identity

    def require(self, request, *roles: str) -> Staff:
        staff = self.identify(request)
        if roles and staff.role not in roles:
            raise Forbidden(N_("Your role (%(role)s) may not do this; it takes one of: %(roles)s"),
                            role=role_named(staff.role), roles=roles_named(roles))
        return staff


class Auth(RpcProxy):
    """Injects an Authenticator over the credentials file (config ``CREDENTIALS``) and, for any other token,
    the accounts service (asked within ``ACCOUNTS_TIMEOUT`` seconds, answers kept ``TOKEN_CACHE_SECONDS``)."""

    def __init__(self):
        super().__init__("accounts")

    def setup(self):
        config = self.container.config
        credentials = load_credentials(config["CREDENTIALS"])
        if config.get("ENVIRONMENT") == "production" and (codes := development_tokens(credentials)):
            raise ValueError(f"LIANXIN_ENVIRONMENT is production but {len(codes)} staff still have their "
                             f"development token dev-<code> (e.g. {', '.join(codes[:3])}): give them real ones "
                             f"with `lianxin token`")
        self.credentials = credentials
        self.identities = Identities(config.get("TOKEN_CACHE_SECONDS", 30))
        self.timeout = config.get("ACCOUNTS_TIMEOUT", 5)

    def get_dependency(self, worker_ctx):
        accounts = super().get_dependency(worker_ctx)
        return Authenticator(self.credentials, lambda digest: self._ask(accounts, digest), self.identities)

    def _ask(self, accounts, digest: str) -> dict | None:
        try:
            with eventlet.Timeout(self.timeout):
                return accounts.identify(digest)
        except (UnknownService, eventlet.Timeout):
            raise Unavailable(N_("the accounts service, which knows the issued tokens, is not answering; "
                                 "try again shortly")) from None
