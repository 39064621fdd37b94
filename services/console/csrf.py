"""Forms only from the console's own pages (cross-site request forgery).

SameSite=Lax keeps most other sites' posts from carrying the session cookie, but not a sibling site of
the same domain nor every browser. So every request that changes something must come from the console's
own origin (its ``Origin``, else its ``Referer``, else the browser's ``Sec-Fetch-Site``) and carry the
form token of this browser's session: every form the pages post has it as a hidden field, and the pages'
script sends it as ``X-Form-Token``. The token is an HMAC of the browser's random nonce (a cookie) and
its session cookie, so it changes at sign-in and is checked without keeping anything.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from jinja2.ext import Extension

from lianxin.i18n import N_

from .session import SESSION_COOKIE

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FIELD, HEADER = "_form_token", "X-Form-Token"
BROWSER_COOKIE = "lianxin_browser"
_ISSUED = "lianxin.form_token"  # where the request keeps its token for the page (WSGI environ)
_NEW_NONCE = "lianxin.new_nonce"
NOT_FROM_HERE = N_("this form was not sent from a page of the console (or the page is too old): "
                   "go back, reload the page and send it again")


class FormGuard:
    def __init__(self, key: str, public_origin: str | None):
        """``key``: the console's session key; ``public_origin``: where browsers see the console
        (``https://12345.example.gov.cn`` behind a proxy), else the request's own Host is compared."""
        self.key = hashlib.sha256(b"form-token\0" + key.encode()).digest()
        self.public_origin = public_origin.rstrip("/") if public_origin else None

    def admit(self, request) -> str | None:
        """Gives the request its form token; for a request that changes something, the reason it is
        refused (a message to translate), or None."""
        nonce = request.cookies.get(BROWSER_COOKIE)
        if not nonce:
            nonce = request.environ[_NEW_NONCE] = secrets.token_urlsafe(18)
        request.environ[_ISSUED] = expected = self._token(nonce, request.cookies.get(SESSION_COOKIE, ""))
        if request.method not in UNSAFE:
            return None
        sent = request.form.get(FIELD) or request.headers.get(HEADER, "")
        if not (self._same_origin(request) and hmac.compare_digest(sent.encode(), expected.encode())):
            return NOT_FROM_HERE
        return None

    def remember(self, request, response) -> None:
        """Gives a new browser its nonce (the tokens on the page it is shown are made from it)."""
        if nonce := request.environ.get(_NEW_NONCE):
            response.set_cookie(BROWSER_COOKIE, nonce, httponly=True, samesite="Lax", path="/")

    def _token(self, nonce: str, session: str) -> str:
        return hmac.new(self.key, f"{nonce}\0{session}".encode(), hashlib.sha256).hexdigest()

    def _same_origin(self, request) -> bool:
        if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return False  # a sibling site (another.example.gov.cn) is same-site, not the console
        source = request.headers.get("Origin") or _origin_of(request.headers.get("Referer"))
        if source is None:  # a browser says where a post comes from in one of these three
            return request.headers.get("Sec-Fetch-Site") in ("same-origin", "none")
        if self.public_origin:
            return source == self.public_origin
        return urlsplit(source).netloc == request.host  # behind a proxy that keeps Host, the scheme may differ


def form_token(request) -> str:
    """The token the page's forms carry (FormGuard.admit gave it to the request)."""
    return request.environ[_ISSUED]


def _origin_of(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class FormTokenField(Extension):
    """Puts the hidden form-token field into every ``<form method="post">`` of the templates as they are
    loaded, so no form can forget it (the page's context gives ``form_token``)."""

    POST_FORM = re.compile(r"(<form\b[^>]*\bmethod=\"post\"[^>]*>)", re.IGNORECASE)

    def preprocess(self, source, name, filename=None):
        return self.POST_FORM.sub(rf'\1<input type="hidden" name="{FIELD}" value="{{{{ form_token }}}}">', source)
