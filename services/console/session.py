"""Who is using the console: the session token accounts gave them when they signed in with their user
name and password (or, in development only, a staff token they pasted), kept in an encrypted HttpOnly cookie.

The cookie is sealed with Fernet (authenticated encryption with a timestamp), so it can be neither read
nor forged in the browser and it expires; SameSite=Lax keeps other sites from posting forms with it.
It also names a session the console keeps: signing out ends that session here, so a copy of the cookie
(a shared computer, a proxy's log) no longer signs anyone in; a restart of the console ends them all.
"""
from __future__ import annotations

import copy
import json
import secrets
import time
from dataclasses import dataclass
from types import SimpleNamespace

from cryptography.fernet import Fernet, InvalidToken
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from lianxin.auth import Auth, Authenticator, PasswordChangeRequired, Staff, Unauthorised
from lianxin.i18n import chosen_language

SESSION_COOKIE = "lianxin_session"
AWAY_COOKIE = "lianxin_sso"  # the state, nonce and code verifier while the browser is at the identity platform
AWAY_SECONDS = 600
LANGUAGE_COOKIE = "lianxin_lang"


@dataclass(frozen=True)
class Visitor:
    """A person at the console: signed-in staff (with their token) or a member of the public."""
    lang: str
    staff: Staff | None = None
    token: str | None = None
    must_change_password: bool = False  # signed in, but must choose a new password before anything else
    name: str | None = None  # the display name accounts gave at sign-in (none for a pasted development token)

    @property
    def role(self) -> str | None:
        return self.staff.role if self.staff else None


class Sessions:
    def __init__(self, key: str, max_age: int, attempts_per_minute: int = 10):
        self.fernet, self.max_age, self.authenticator = Fernet(key.encode()), max_age, None
        self.open: dict[str, float] = {}  # session id -> when it ends (epoch seconds)
        # accounts sees every sign-in come from the console, so the console holds back each browser's address and
        # each user name; only failures count, so a shift signing in behind one address is never held back
        self.limiter, self.failures = MovingWindowRateLimiter(MemoryStorage()), RateLimitItemPerMinute(
            attempts_per_minute)

    def held_back(self, address: str, user_name: str) -> str | None:
        """What is held back from trying to sign in now ("address" or "account"), after too many failures this
        minute; None when the attempt may go on."""
        if not self.limiter.test(self.failures, "address", address):
            return "address"
        if user_name and not self.limiter.test(self.failures, "account", user_name.casefold()):
            return "account"
        return None

    def failed(self, address: str, user_name: str) -> None:
        """Counts a refused sign-in against the address and the user name tried."""
        self.limiter.hit(self.failures, "address", address)
        if user_name:
            self.limiter.hit(self.failures, "account", user_name.casefold())

    def knowing(self, authenticator: Authenticator) -> "Sessions":
        """The same sessions, asking this worker's authenticator who a token stands for."""
        bound = copy.copy(self)
        bound.authenticator = authenticator
        return bound

    def staff_of(self, token: str) -> Staff:
        """The staff member a token belongs to (the credentials file the services read too)."""
        return self.authenticator.identify(SimpleNamespace(headers={"Authorization": f"Bearer {token.strip()}"}))

    def seal(self, token: str, name: str | None = None) -> str:
        """A new session for the token (and the person's display name), as the cookie's value."""
        now = time.time()
        for sid in [sid for sid, ends in self.open.items() if ends <= now]:  # forget the expired
            del self.open[sid]
        session = secrets.token_urlsafe(18)
        self.open[session] = now + self.max_age
        opened = {"session": session, "token": token.strip(), "name": name}
        return self.fernet.encrypt(json.dumps(opened).encode()).decode()

    def visitor(self, request) -> Visitor:
        lang = chosen_language(request.cookies.get(LANGUAGE_COOKIE))
        if (opened := self._opened(request)) is None:
            return Visitor(lang)
        try:
            return Visitor(lang, self.staff_of(opened["token"]), opened["token"], name=opened.get("name"))
        except PasswordChangeRequired:
            return Visitor(lang, token=opened["token"], must_change_password=True)
        except Unauthorised:  # the token was withdrawn, the session expired or the person disabled
            return Visitor(lang)

    def end(self, request) -> str | None:
        """Sign out: the session ends here, whatever copies of its cookie remain; returns its token."""
        if (opened := self._opened(request)) is not None:
            self.open.pop(opened["session"], None)
            return opened["token"]
        return None

    def _opened(self, request) -> dict | None:
        """The cookie's session and token, if the cookie is genuine and its session still open."""
        sealed = request.cookies.get(SESSION_COOKIE)
        if not sealed:
            return None
        try:  # expired, forged, or sealed before the session was kept here
            opened = json.loads(self.fernet.decrypt(sealed.encode(), ttl=self.max_age))
        except (InvalidToken, ValueError):
            return None
        if not isinstance(opened, dict) or self.open.get(opened.get("session"), 0) <= time.time():
            return None
        return opened

    def send_away(self, response, kept: dict) -> None:
        """Keeps what single sign-on must check when the browser returns, sealed, for this browser only."""
        response.set_cookie(AWAY_COOKIE, self.fernet.encrypt(json.dumps(kept).encode()).decode(),
                            max_age=AWAY_SECONDS, httponly=True, samesite="Lax", path="/sign-in")

    def returned(self, request) -> dict:
        """What ``send_away`` kept; empty when it is missing, forged or too old."""
        try:
            return json.loads(self.fernet.decrypt(request.cookies.get(AWAY_COOKIE, "").encode(), ttl=AWAY_SECONDS))
        except (InvalidToken, ValueError):
            return {}

    def set_cookie(self, response, token: str, name: str | None = None) -> None:
        response.set_cookie(SESSION_COOKIE, self.seal(token, name), max_age=self.max_age, httponly=True, samesite="Lax",
                            path="/")


class SessionKeeper(Auth):
    """Injects Sessions over the service's session key, knowing staff from the credentials file and any
    other token from the accounts service (as every service does)."""

    def setup(self):
        super().setup()
        config = self.container.config
        self.sessions = Sessions(config["SESSION_KEY"], config["SESSION_SECONDS"], config["SIGN_IN_ATTEMPTS"])

    def get_dependency(self, worker_ctx):
        return self.sessions.knowing(super().get_dependency(worker_ctx))
