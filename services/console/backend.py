"""The four services' HTTP APIs, called as the person signed in to the console.

The console holds no business rule and no permission of its own: it passes on the person's bearer
token, so each service decides what they may see and do, and its refusals are shown as they come; the
person's language (``Accept-Language``), so what the services write is already in it; and the page request's
id (``X-Request-ID``), so what a page set off is followed by one id from the console through the four services.
"""
from __future__ import annotations

import httpx
from nameko.extensions import DependencyProvider

from lianxin.http import MAX_PAGE, REQUEST_ID_HEADER, ApiError
from lianxin.i18n import DEFAULT_LANGUAGE, chosen_language
from lianxin.logs import REQUEST_ID, REQUEST_ID_KEY, SERVICE, request_id_from

from .session import LANGUAGE_COOKIE


class BackendError(ApiError):
    """A service refused or failed; carries the service's own error (code, message, details)."""

    def __init__(self, service: str, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message, details)
        self.service, self.status, self.code = service, status, code


class Backend:
    def __init__(self, clients: dict[str, httpx.Client], token: str | None, citizen: str | None = None,
                 lang: str = DEFAULT_LANGUAGE, request_id: str | None = None):
        self.clients, self.token, self.citizen, self.lang = clients, token, citizen, lang
        self.request_id = request_id

    def as_staff(self, token: str | None) -> Backend:
        return Backend(self.clients, token, lang=self.lang, request_id=self.request_id)

    def for_citizen(self, address: str) -> Backend:
        """Calls for a citizen (no token), naming their address: supervision counts wrong links per citizen,
        not per console (it trusts the header from the console's address only)."""
        return Backend(self.clients, None, address, self.lang, self.request_id)

    def get(self, service: str, path: str, **params):
        return self.call(service, "GET", path, params={k: v for k, v in params.items() if v not in (None, "")})

    def every(self, service: str, path: str, listed: str, **params) -> list[dict]:
        """Every row of a list the service pages (``listed`` names it in the answer), page after page."""
        rows, after = [], None
        while True:
            found = self.get(service, path, **params, limit=MAX_PAGE, after=after)
            rows += found[listed]
            if (after := found["next_after"]) is None:
                return rows

    def post(self, service: str, path: str, body: dict | None = None, **params):
        return self.call(service, "POST", path, json=body or {}, params=params or None)

    def put(self, service: str, path: str, body: dict):
        return self.call(service, "PUT", path, json=body)

    def call(self, service: str, method: str, path: str, headers: dict | None = None, **kwargs):
        """The answer's JSON (or text for documents); a refusal raises BackendError with the service's reason."""
        answer = self.raw(service, path, method, headers, **kwargs)
        if answer.headers.get("content-type", "").startswith("application/json"):
            return answer.json()
        return answer.text

    def raw(self, service: str, path: str, method: str = "GET", headers: dict | None = None, **kwargs):
        """The service's answer as it came (a photo's bytes); a refusal raises BackendError."""
        headers = {"Accept-Language": self.lang, **(headers or {}),
                   **({REQUEST_ID_HEADER: self.request_id} if self.request_id else {}),
                   **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                   **({"X-Forwarded-For": self.citizen} if self.citizen else {})}
        try:
            answer = self.clients[service].request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            problem = f"{service} is not answering ({exc.__class__.__name__})"
            raise BackendError(service, 503, "unavailable", problem) from None
        if answer.status_code >= 400:
            raise _refusal(service, answer)
        return answer


def _refusal(service: str, answer: httpx.Response) -> BackendError:
    try:
        error = answer.json()["error"]
        return BackendError(service, answer.status_code, error["code"], error["message"], error.get("details"))
    except (ValueError, KeyError, TypeError):
        return BackendError(service, answer.status_code, "http_error", answer.text[:300] or answer.reason_phrase)


class Backends(DependencyProvider):
    """One pooled HTTP client per service (config ``BACKENDS``), shared by all workers."""

    def setup(self):
        config = self.container.config
        self.clients = {name: httpx.Client(base_url=url, timeout=config["BACKEND_TIMEOUT"])
                        for name, url in config["BACKENDS"].items()}

    def stop(self):
        for client in self.clients.values():
            client.close()

    def get_dependency(self, worker_ctx):
        """Calls in the language of the page being answered (the person's cookie) under its request id, which
        the worker's own log lines carry too."""
        request = worker_ctx.args[0] if worker_ctx.args else None
        cookies = getattr(request, "cookies", None) or {}
        environ = getattr(request, "environ", None) or {}
        request_id = environ.get(REQUEST_ID_KEY)
        SERVICE.set(self.container.service_name)
        REQUEST_ID.set(request_id)
        return Backend(self.clients, None, lang=chosen_language(cookies.get(LANGUAGE_COOKIE)), request_id=request_id)


def followed(app, service: str):
    """The console's WSGI app with each page request followed by an id: the proxy's ``X-Request-ID`` (or a new
    one), put on the request for the services it calls and on its log lines, and answered back."""
    def followed_app(environ, start_response):
        request_id = environ[REQUEST_ID_KEY] = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        SERVICE.set(service)
        REQUEST_ID.set(request_id)  # the connection's own lines (eventlet's access line) until its next request

        def start(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() != REQUEST_ID_HEADER.lower()]
            return start_response(status, [*kept, (REQUEST_ID_HEADER, request_id)], exc_info)
        return app(environ, start)
    return followed_app
