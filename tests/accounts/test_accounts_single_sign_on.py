"""Single sign-on (issue 16): a person signs in to the console through a local OpenID Connect provider
(authorization code with PKCE), gets an external account with the role and unit its claims map to and a
normal session; a code the provider refuses, an ID token with a wrong signature, audience or nonce, or a
state not the browser's own, signs no one in."""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import eventlet
import eventlet.wsgi
import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from tests.conftest import Office
from tests.support.console_forms import console_client

pytestmark = pytest.mark.integration
CLIENT_ID, CLIENT_SECRET = "lianxin-console", "a-secret-of-the-office"
ADMIN = {"Authorization": "Bearer dev-admin", "Accept-Language": "en"}


class Provider:
    """A small OpenID provider: discovery, authorize (the person is already signed in there), token, JWKS.
    ``tamper`` makes its next ID tokens wrong in one respect (``code``: refuses the code instead)."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, {"kid": "county-1"})
        self.stranger = RSAKey.generate_key(2048, {"kid": "county-1"})
        self.codes, self.tamper = {}, None
        self.person = {"sub": "gov-000123", "preferred_username": "zhang.wei", "name": "张伟",
                       "groups": ["all-staff", "12345-hotline"], "unit": None}
        self.urls = Map([Rule("/.well-known/openid-configuration", endpoint="discovery"),
                         Rule("/authorize", endpoint="authorize"), Rule("/token", endpoint="token", methods=["POST"]),
                         Rule("/jwks", endpoint="jwks")])
        listener = eventlet.listen(("127.0.0.1", 0))
        self.issuer = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self.server = eventlet.spawn(eventlet.wsgi.server, listener, self.app, log_output=False)

    def app(self, environ, start_response):
        request = Request(environ)
        endpoint, _ = self.urls.bind_to_environ(environ).match()
        return getattr(self, endpoint)(request)(environ, start_response)

    def discovery(self, request):
        return _json({"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                      "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                      "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"]})

    def authorize(self, request):
        asked = request.args
        assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
        assert asked["code_challenge_method"] == "S256" and asked["nonce"] and asked["state"]
        code = secrets.token_urlsafe(16)
        self.codes[code] = dict(asked)
        return redirect(f"{asked['redirect_uri']}?{urlencode({'code': code, 'state': asked['state']})}")

    def token(self, request):
        asked = self.codes.pop(request.form.get("code", ""), None)  # a code is used once
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (asked is None or self.tamper == "code" or request.authorization is None
                or request.authorization.username != CLIENT_ID
                or request.authorization.password != CLIENT_SECRET or challenge != asked["code_challenge"]
                or request.form.get("redirect_uri") != asked["redirect_uri"]):
            return _json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": asked["nonce"],
                  **{k: v for k, v in self.person.items() if v is not None}}
        key = self.key
        if self.tamper == "signature":
            key = self.stranger
        elif self.tamper == "audience":
            claims["aud"] = "another-client"
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-one-sent"
        elif self.tamper == "expired":
            claims["exp"] = now - 600
        id_token = jwt.encode({"alg": "RS256", "kid": "county-1"}, claims, key)
        return _json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": id_token})

    def jwks(self, request):
        return _json({"keys": [self.key.as_dict(private=False)]})


def _json(body, status=200):
    import json
    return Response(json.dumps(body), status=status, content_type="application/json")


@pytest.fixture
def provider():
    provider = Provider()
    yield provider
    provider.server.kill()


@pytest.fixture
def office(amqp_uri, tmp_path, provider):
    office = Office(amqp_uri, {name: f"sqlite:///{tmp_path / name}.db" for name in
                               ("intake", "dispatch", "supervision", "scoring", "accounts")},
                    settings={"accounts": {"oidc_issuer": provider.issuer, "oidc_client_id": CLIENT_ID,
                                           "oidc_client_secret": CLIENT_SECRET,
                                           "oidc_roles": {"12345-hotline": "operator", "county-office": "supervisor"}}})
    office.start("accounts")
    office.start_console(single_sign_on=True)
    yield office
    office.stop()


def through_the_provider(browser: httpx.Client, state: str | None = None) -> httpx.Response:
    """Clicks 'sign in with single sign-on', is signed in at the provider, and comes back to the console."""
    assert 'id="single-sign-on"' in browser.get("/sign-in").text
    away = browser.get("/sign-in/single-sign-on")
    assert away.status_code == 303 and away.headers["location"].startswith(browser.headers["Origin"]) is False
    back = httpx.get(away.headers["location"])
    assert back.status_code == 302
    returned = urlsplit(back.headers["location"])
    query = {k: v[0] for k, v in parse_qs(returned.query).items()}
    if state is not None:
        query["state"] = state
    return browser.get(f"{returned.path}?{urlencode(query)}")


def test_a_person_signs_in_through_the_identity_platform_and_gets_an_external_account(office, provider):
    with console_client(office.urls["console"]) as browser:
        signed = through_the_provider(browser)
        assert signed.status_code == 303 and signed.headers["location"] == "/intake", signed.text
        assert "lianxin_session" in signed.cookies and browser.get("/").headers["location"] == "/intake"
    with httpx.Client(base_url=office.urls["accounts"], headers=ADMIN) as accounts:
        account = accounts.get("/accounts/zhang.wei").json()
        assert account["role"] == "operator" and account["external"] is True and not account["must_change_password"]
        refused = accounts.post("/sessions", json={"user_name": "zhang.wei", "password": "anything-at-all-1"})
        assert refused.status_code == 401  # no password signs an external person in

        provider.person.update(groups=["county-office"], unit=None)  # the platform moved them: so does the office
        with console_client(office.urls["console"]) as browser:
            assert through_the_provider(browser).headers["location"] == "/board"
        assert accounts.get("/accounts/zhang.wei").json()["role"] == "supervisor"
        changes = accounts.get("/audit-log", params={"subject": "zhang.wei"}).json()["entries"]
        assert [e["action"] for e in changes if e["actor"] == "single-sign-on"] == ["changed", "added"]


@pytest.mark.parametrize("tamper", ["code", "signature", "audience", "nonce", "expired"])
def test_an_id_token_wrong_in_any_respect_signs_no_one_in(office, provider, tamper):
    provider.tamper = tamper
    with console_client(office.urls["console"]) as browser:
        browser.cookies.set("lianxin_lang", "en")
        refused = through_the_provider(browser)
        assert refused.status_code == 401 and "could not be verified" in refused.text, refused.text
        assert "lianxin_session" not in refused.cookies and browser.get("/").headers["location"] == "/sign-in"
    with httpx.Client(base_url=office.urls["accounts"], headers=ADMIN) as accounts:
        assert accounts.get("/accounts/zhang.wei").status_code == 404


def test_a_return_with_another_state_or_no_platform_role_signs_no_one_in(office, provider):
    with console_client(office.urls["console"]) as browser:
        refused = through_the_provider(browser, state="a-state-this-browser-never-sent")
        assert refused.status_code == 401 and "统一身份认证平台的应答与本浏览器发起的登录不符" in refused.text
        provider.person["groups"] = ["all-staff"]
        refused = through_the_provider(browser)
        assert refused.status_code == 401 and "未给出您在本单位的角色" in refused.text
        assert browser.get("/").headers["location"] == "/sign-in"
