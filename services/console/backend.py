"""The four services' HTTP APIs, called as the person signed in to the console.

The console holds no business rule and no permission of its own: it passes on the person's bearer
token, so each service decides what they may see and do, and its refusals are shown as they come; and the
person's language (``Accept-Language``), so what the services write is already in it.
"""
from __future__ import annotations

import httpx
from nameko.extensions import DependencyProvider

from lianxin.http import ApiError
from lianxin.i18n import DEFAULT_LANGUAGE, chosen_language

from .session import LANGUAGE_COOKIE


class BackendError(ApiError):
    """A service refused or failed; carries the service's own error (code, message, details)."""

    def __init__(self, service: str, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message, details)
        self.service, self.status, self.code = service, status, code


class Backend:
    def __init__(self, clients: dict[str, httpx.Client], token: str | None, citizen: str | None = None,
                 lang: str = DEFAULT_LANGUAGE):
        self.clients, self.token, self.citizen, self.lang = clients, token, citizen, lang

    def as_staff(self, token: str | None) -> Backend:
        return Backend(self.clients, token, lang=self.lang)

    def for_citizen(self, address: str) -> Backend:
        """Calls for a citizen (no token), naming their address: supervision counts wrong links per citizen,
        not per console (it trusts the header from the console's address only)."""
        return Backend(self.clients, None, address, self.lang)

    def get(self, service: str, path: str, **params):
        return self.call(service, "GET", path, params={k: v for k, v in params.items() if v not in (None, "")})

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
        """Calls in the language of the page being answered (the person's cookie)."""
        request = worker_ctx.args[0] if worker_ctx.args else None
        cookies = getattr(request, "cookies", None) or {}
        return Backend(self.clients, None, lang=chosen_language(cookies.get(LANGUAGE_COOKIE)))
