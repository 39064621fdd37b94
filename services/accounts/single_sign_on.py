"""Signing in through the office's government identity platform (OpenID Connect, authorization code flow
with PKCE): the ID token verified by joserfc, its OpenID claims checked by Authlib.

The console sends the browser to the platform with a state, a nonce and a code challenge accounts made,
keeps them sealed meanwhile, and hands back the code with the verifier and the nonce. Accounts alone holds
the client secret: it exchanges the code, verifies the ID token's signature against the platform's JWKS
and its issuer, audience, expiry and nonce, then maps the claims to a role and unit by configuration
(``ACCOUNTS_OIDC_*``). The person gets (or has updated) an account marked external, without a password,
and a session like anyone else's.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from nameko.extensions import DependencyProvider

from lianxin.db import utcnow
from lianxin.errors import Refused
from lianxin.i18n import N_

from . import records, signing_in
from .models import Account
from .refusals import SignInRefused

NOT_SET_UP = N_("this office has no single sign-on: sign in with your user name and password")
NOT_VERIFIED = N_("the identity platform's answer could not be verified: sign in again")
NO_ROLE = N_("the identity platform names no role of this office for you: ask the office administrator")
KEYS_KEPT_SECONDS = 600  # the platform's signing keys are fetched again after this (key rotation)
SCOPE = "openid profile"
# signed with the platform's private key only: a token "signed" with HS256 would need the client secret as key
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256"]


@dataclass
class Platform:
    """The identity platform as configured, with its discovery document and keys fetched when first needed."""
    issuer: str
    client_id: str
    client_secret: str
    role_claim: str
    roles: dict[str, str]  # the platform's group or role name -> the office's role
    unit_claim: str
    name_claim: str
    timeout: float = 10.0
    _found: dict = field(default_factory=dict)

    def authorization(self, redirect_uri: str) -> dict:
        """Where to send the browser, and the state, nonce and code verifier to keep until it comes back."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        url = prepare_grant_uri(self._discovery()["authorization_endpoint"], self.client_id, "code", redirect_uri,
                                SCOPE, state, nonce=nonce, code_challenge=create_s256_code_challenge(verifier),
                                code_challenge_method="S256")
        return {"authorization_url": url, "state": state, "nonce": nonce, "code_verifier": verifier}

    def claims(self, incoming) -> dict:
        """The ID token's claims once the code is exchanged and the token verified in every respect."""
        try:
            answer = self._exchanged(incoming)
            token = jwt.decode(answer["id_token"], self._keys(), algorithms=ID_TOKEN_ALGORITHMS)
            claims = CodeIDToken(token.claims, token.header, {
                "iss": {"essential": True, "value": self.issuer}, "aud": {"essential": True, "value": self.client_id}},
                {"nonce": incoming.nonce, "client_id": self.client_id, "access_token": answer.get("access_token")})
            claims.validate(leeway=60)
        except (JoseError, KeyError, ValueError, httpx.HTTPError) as exc:
            raise SignInRefused(NOT_VERIFIED) from exc
        return dict(claims)

    def office_role(self, claims: dict) -> str:
        named = claims.get(self.role_claim)
        for name in [named] if isinstance(named, str) else (named or []):
            if name in self.roles:
                return self.roles[name]
        raise SignInRefused(NO_ROLE)

    def _exchanged(self, incoming) -> dict:
        """The platform's tokens for the code (the client authenticated by HTTP Basic, RFC 6749 2.3.1)."""
        answer = httpx.post(self._discovery()["token_endpoint"], auth=(self.client_id, self.client_secret),
                            data={"grant_type": "authorization_code", "code": incoming.code,
                                  "redirect_uri": incoming.redirect_uri, "code_verifier": incoming.code_verifier},
                            headers={"Accept": "application/json"}, timeout=self.timeout)
        return answer.raise_for_status().json()

    def _discovery(self) -> dict:
        if "discovery" not in self._found:
            answer = httpx.get(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration", timeout=self.timeout)
            self._found["discovery"] = answer.raise_for_status().json()
        return self._found["discovery"]

    def _keys(self) -> KeySet:
        fetched_at, keys = self._found.get("keys", (0, None))
        if keys is None or time.monotonic() - fetched_at > KEYS_KEPT_SECONDS:
            answer = httpx.get(self._discovery()["jwks_uri"], timeout=self.timeout).raise_for_status()
            keys = KeySet.import_key_set(answer.json())
            self._found["keys"] = (time.monotonic(), keys)
        return keys


def platform(config: dict) -> Platform | None:
    """The configured platform, or None when the office signs in with passwords only."""
    settings = config.get("OIDC")
    return Platform(**settings) if settings else None


def require(configured: Platform | None) -> Platform:
    if configured is None:
        raise Refused(NOT_SET_UP)
    return configured


def sign_in(uow, configured: Platform, claims: dict, session_seconds: int) -> tuple[Account, str]:
    """The external person's account, made or brought up to date from the claims, and a new session."""
    subject = f"{configured.issuer}|{claims['sub']}"
    place = {"role": configured.office_role(claims), "unit": claims.get(configured.unit_claim)}
    account = uow.session.scalars(records.select_external(subject)).first()
    if account is None:
        if uow.session.scalars(records.select_account(str(claims.get(configured.name_claim) or ""))).first():
            raise SignInRefused(N_("your user name is taken by another account here: ask the office administrator"))
        account = Account(user_name=str(claims.get(configured.name_claim) or claims["sub"])[:64],
                          display_name=str(claims.get("name") or claims["sub"])[:100], external_subject=subject,
                          password_hash=None, must_change_password=False, created_at=utcnow(), **place)
        uow.session.add(account)
        uow.session.flush()
        records.audit(uow, "single-sign-on", "added", account.user_name, None, records.audited(account))
    elif {k: getattr(account, k) for k in place} != place:
        before = records.audited(account)
        account.role, account.unit = place["role"], place["unit"]
        records.audit(uow, "single-sign-on", "changed", account.user_name, before, records.audited(account))
    if not account.active:
        raise SignInRefused(N_("this account is disabled: ask the office administrator"))
    secret = signing_in.open_session(uow, account, utcnow(), session_seconds)
    records.audit(uow, account.user_name, "signed_in", account.user_name)
    return account, secret


class PlatformProvider(DependencyProvider):
    """One Platform per container, so its discovery document and keys are fetched once for every worker."""

    def setup(self):
        self.platform = platform(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.platform
