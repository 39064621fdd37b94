"""HTTP plumbing shared by the services' APIs: JSON in and out, one error format.

Every refusal has the shape ``{"error": {"code", "message", "details"}}``;
an unexpected failure answers 500 in that shape without a stack trace.
"""
from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import re
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, TypeVar

import eventlet
import eventlet.semaphore
from eventlet import wsgi as eventlet_wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from pydantic import BaseModel
from sqlalchemy import Select, func, select, text, tuple_
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, LengthRequired
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from lianxin.db import database_unavailable
from lianxin.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    NotIdentified,
    Problem,
    Refused,
    TooManyTries,
    Unavailable,
)
from lianxin.i18n import DEFAULT_LANGUAGE, N_, Term, said, spoken_language
from lianxin.logs import REQUEST_ID, REQUEST_ID_KEY, SERVICE, request_id_from
from lianxin.metrics import exposition
from lianxin.numbers import row_id  # noqa: F401  (intake and accounts import it from here)
from lianxin.schemas import NO_NUL, OFFICE_YEARS, OutOfRange, in_utc, validate

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_PAGE = 200
# a million pages of MAX_PAGE rows: deeper than any list, and an offset SQLite and PostgreSQL both hold
MAX_PAGE_NUMBER = 1_000_000
DATABASE_RETRY_AFTER = 5  # seconds a client is asked to wait while the database is away
HEALTH_TIMEOUT = 2.0  # seconds a health check waits for the broker
REQUEST_ID_HEADER = "X-Request-ID"  # set by the proxy in front, else made here
Model = TypeVar("Model", bound=BaseModel)
# every answer of a service: its documents (assignment notice, digests, assessment report) load nothing, run
# nothing and are framed by no one; a browser takes each answer for the type it says it is
DOCUMENT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
                   "form-action 'none'")


def security_headers(policy: str) -> dict:
    """The headers every HTML (and other) answer carries, under the given Content-Security-Policy."""
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


SERVICE_HEADERS = security_headers(DOCUMENT_POLICY)


def with_headers(app, headers: dict):
    """A WSGI application whose every answer carries ``headers`` (unless it set them itself)."""
    def answered(environ, start_response):
        def start(status, response_headers, exc_info=None):
            present = {name.lower() for name, _ in response_headers}
            extra = [(name, value) for name, value in headers.items() if name.lower() not in present]
            return start_response(status, [*response_headers, *extra], exc_info)
        return app(environ, start)
    return answered


TOO_LARGE = N_("What was sent is larger than %(limit)s bytes")
NOT_A = N_("%(value)s is not %(expected)s")
PAGE_NUMBER = N_("Page numbers run from 1 to %(most)s, not %(page)s")
# The office's refusals (lianxin.errors) under the names intake and accounts still import from here.
ApiError = Refused
Unprocessable = Invalid
TooManyRequests = TooManyTries

# The one place a refusal becomes an HTTP status: the nearest class in the refusal's ancestry decides.
HTTP_STATUS = {Invalid: 422, NotFound: 404, Conflict: 409, NotIdentified: 401, NotAllowed: 403, Unavailable: 503,
               TooManyTries: 429, Refused: 400}


def http_status(refusal: Refused) -> int:
    """The status answering ``refusal``; a subclass not yet converted (auth's, accounts') may still name its own."""
    if (own := getattr(refusal, "status", None)) is not None:
        return own
    return next(HTTP_STATUS[kind] for kind in type(refusal).__mro__ if kind in HTTP_STATUS)


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, default=_json_default), status=status,
                    headers=headers, mimetype="application/json")


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return json_response({"error": {"code": code, "message": message, "details": details or []}}, status)


MEDIA_TYPES = {"json": "application/json", "markdown": "text/markdown; charset=utf-8",
               "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def respond(request: Request, document, formats: dict):
    """``document`` in the format ``?format=`` asks for, rendered by ``formats[format](document)``; the first
    format is the default. JSON renderings are views (dicts); the others are text."""
    names = list(formats)
    chosen = query_param(request, "format", names[0])
    if chosen not in formats:
        raise Refused(N_("The format must be %(formats)s, not %(format)s"), formats=", ".join(names), format=chosen)
    rendered = formats[chosen](document)
    return rendered if chosen == "json" else Response(rendered, content_type=MEDIA_TYPES[chosen])


def parse_body(request: Request, model: type[Model]) -> Model:
    """The request's JSON body validated as ``model``, or an ApiError saying what is wrong."""
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise ApiError(TOO_LARGE, limit=MAX_BODY_BYTES)
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(TOO_LARGE, limit=MAX_BODY_BYTES)
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(N_("What was sent is not UTF-8 JSON (%(problem)s)"), problem=str(exc)) from None
    except RecursionError:
        raise ApiError(N_("What was sent nests lists or objects too deeply")) from None
    return validate(model, data)


REQUIRED = N_("The query parameter %(name)s is required, e.g. ?%(name)s=%(example)s")


def required_param(request: Request, name: str, example: str) -> str:
    """A query parameter the request cannot do without (``example`` shows one in the refusal)."""
    if not (value := query_param(request, name)):
        raise Refused(REQUIRED, name=name, example=example)
    return value


def query_param(request: Request, name: str, default=None, cast=str):
    value = request.args.get(name)
    if value is None or value == "":
        return default
    try:
        return cast(value)
    except OutOfRange as exc:
        raise Unprocessable(NOT_A, [Problem(name, NOT_A, {"value": value, "expected": str(exc)})],
                            value=value, expected=str(exc)) from None
    except ValueError as exc:
        raise ApiError(NOT_A, [Problem(name, NOT_A, {"value": value, "expected": _described(cast, exc)})],
                       value=value, expected=_described(cast, exc)) from None


def aware_datetime(text: str) -> datetime:
    """A date-time with its time zone, e.g. 2026-11-28T09:30:00+08:00."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("a date-time with a time zone, e.g. 2026-11-28T09:30:00+08:00")
    return in_utc(value)  # compared with stored UTC times, it must have one


def office_date(text: str) -> date:
    """A date YYYY-MM-DD in the years the office's records can span."""
    value = date.fromisoformat(text)
    if value.year not in OFFICE_YEARS:
        raise ValueError(f"a date YYYY-MM-DD from {OFFICE_YEARS[0]} to {OFFICE_YEARS[-1]}")
    return value


def _described(cast, exc: ValueError) -> str:
    known = {int: Term(N_("a whole number")), float: Term(N_("a number")), str: Term(N_("text")),
             date.fromisoformat: Term(N_("a date YYYY-MM-DD")), office_date: Term(N_("a date YYYY-MM-DD"))}
    return known.get(cast) or str(exc)


def page_limit(request: Request, default: int = 50) -> int:
    limit = query_param(request, "limit", default, int)
    if not 1 <= limit <= MAX_PAGE:
        raise ApiError(N_("A page holds 1 to %(most)s rows, not %(limit)s"), most=MAX_PAGE, limit=limit)
    return limit


@dataclass(frozen=True)
class Pager:
    """How a list is read page by page (``?after=&limit=``): in the order of its unique ``key`` column, or
    newest first (a log read backwards), or first by a column ``by`` (the most urgent first) with the key
    breaking ties; the cursor ``after`` is a public number that ``to_key`` turns into the key (``example``
    shows one), or the key itself."""
    key: object
    to_key: Callable[[str], object] = str
    example: str = ""
    newest_first: bool = False
    by: object = None

    def page(self, request: Request, query: Select) -> tuple[Select, int]:
        """``query`` cut to the asked page, and the page's size (for ``page()``)."""
        limit = page_limit(request)
        order = [self.key] if self.by is None else [self.by, self.key]
        query = query.order_by(*(c.desc() if self.newest_first else c for c in order)).limit(limit)
        if (after := self._after(request)) is not None:
            query = query.where(self._beyond(after))
        return query, limit

    def _beyond(self, after):
        """The rows after the cursor's row in the list's order (by ``by`` where the list has one, as the row
        stands now)."""
        if self.by is None:
            return self.key < after if self.newest_first else self.key > after
        at = select(self.by).where(self.key == after).correlate(None).scalar_subquery()
        ours, cursor = tuple_(self.by, self.key), tuple_(at, after)
        return ours < cursor if self.newest_first else ours > cursor

    def _after(self, request: Request):
        """The key a page starts after (query ``after``, a public number such as ``R00000012``), if asked."""
        if not (after := request.args.get("after")):
            return None
        if (key := self.to_key(after)) is None:
            raise ApiError(N_("A page starts after a number like %(example)s, not %(after)s"),
                           example=self.example, after=after)
        return key

    def sorted_page(self, request: Request, query: Select, sorts: dict) -> tuple[Select, int]:
        """``query`` in the order ``?sort=`` names (one of ``sorts``, ``-`` first for descending; the key
        breaks ties) at page number ``?page=`` (from 1), for lists people read by page number; without
        either, ``page()``."""
        sort, number = request.args.get("sort"), query_param(request, "page", None, int)
        if not sort and number is None:
            return self.page(request, query)
        # without ?sort= a numbered page keeps the list's own order (newest first where the Pager says so)
        descending, name = (sort.startswith("-") if sort else self.newest_first), (sort or "").lstrip("-")
        if sort and name not in sorts:
            raise ApiError(N_("A list is sorted by %(sorts)s (-name for descending), not %(sort)s"),
                           sorts=", ".join(sorts), sort=sort)
        if number is not None and not 1 <= number <= MAX_PAGE_NUMBER:
            raise Unprocessable(PAGE_NUMBER, [Problem("page", PAGE_NUMBER, {"most": MAX_PAGE_NUMBER, "page": number})],
                                most=MAX_PAGE_NUMBER, page=number)
        limit = page_limit(request)
        order = [sorts[name]] if sort else []
        order = [c.desc() if descending else c for c in (*order, self.key)]
        return query.order_by(*order).limit(limit).offset(((number or 1) - 1) * limit), limit


def counted(session, query: Select) -> int:
    """How many rows ``query`` has in all (a list's ``total``)."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def page(name: str, views: list[dict], limit: int, id_field: str) -> dict:
    """A page of a list, with the cursor for the next one (absent on the last page)."""
    return {name: views, "next_after": views[-1][id_field] if len(views) == limit else None}


class ApiWebServer(WebServer):
    """nameko's web server, refusing a request that matches no route (an unknown path, a method the path
    does not take) in the format of the API whose routes it comes closest to, not werkzeug's HTML page."""

    def get_wsgi_app(self):
        # behind PROXY_HOPS proxies (nginx in front of intake replicas), the client is the address the
        # nearest proxy saw, from X-Forwarded-For; without proxies the header is anyone's to forge
        hops = self.container.config.get("PROXY_HOPS", 0)
        app = with_headers(_ApiWsgiApp(self), SERVICE_HEADERS)
        return ProxyFix(app, x_for=hops) if hops else app

    def get_wsgi_server(self, sock, wsgi_app, protocol=None, debug=False):
        return super().get_wsgi_server(sock, wsgi_app, protocol=_ApiProtocol, debug=debug)

    def context_data_from_headers(self, request: Request) -> dict:
        """The worker follows the request it serves (its id goes into its log lines and the events it causes)
        and answers in the language it asks for."""
        return {REQUEST_ID_KEY: request.environ.get(REQUEST_ID_KEY), LANGUAGE_KEY: spoken_language(request)}

    def refusal(self, request: Request, exc: HTTPException) -> Response:
        nearest = _nearest_routes(self._providers, request.path)
        if not nearest:
            return error_response(exc.code or 404, "http_error", http_refusal(exc, spoken_language(request)))
        # among routes equally near, the API most of them belong to answers: the one plain-JSON route under
        # /open311/v2/ (media) must not speak for Open311, whichever order nameko's set of providers comes in
        api_kind, _ = Counter(type(p) for p in nearest).most_common(1)[0]
        return next(p for p in nearest if type(p) is api_kind).refusal(request, exc)


class _ApiWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # shallow as in nameko: the body is read by the entrypoint
        environ[REQUEST_ID_KEY] = request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        SERVICE.set(self.server.container.service_name)
        REQUEST_ID.set(request_id)  # this connection's lines, eventlet's access line included, until its next request
        try:
            if _carries_nul(request):
                raise BadRequest(f"the path, query and headers {NO_NUL}")
            if "chunked" in request.headers.get("Transfer-Encoding", "").lower():  # werkzeug would read it as empty
                raise LengthRequired("send the body with a Content-Length header: chunked bodies are not read")
            provider, request.path_values = self.url_map.bind_to_environ(environ).match()
            response = provider.handle_request(request)
        except HTTPException as exc:
            response = self.server.refusal(request, exc)
            response.headers.extend((k, v) for k, v in exc.get_headers() if k != "Content-Type")  # e.g. Allow
        response.headers[REQUEST_ID_HEADER] = request_id  # the client quotes it when asking what happened
        return response(environ, start_response)


def _carries_nul(request: Request) -> bool:
    """A NUL in the path, the query or a header (PostgreSQL cannot store one, and no value of the office has one)."""
    return "\x00" in request.path or "%00" in request.query_string.decode("latin-1") or \
        any("\x00" in value for value in request.headers.values())


class _ApiProtocol(HttpOnlyProtocol):
    """What the HTTP layer refuses before any route sees it (e.g. too many headers), in the common format
    rather than http.server's HTML page or eventlet's empty answers."""
    error_content_type = "application/json"
    error_message_format = json.dumps({"error": {"code": "http_error", "message": "%(message)s", "details": []}})

    def handle_one_request(self):
        wfile, self.wfile = self.wfile, _CannedRefusals(self.wfile)
        try:
            super().handle_one_request()
        finally:
            self.wfile = wfile

    def send_response(self, code, message=None):
        super().send_response(code, message)
        for name, value in SERVICE_HEADERS.items():
            self.send_header(name, value)


def _raw_refusal(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": "http_error", "message": message, "details": []}}).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close",
               **SERVICE_HEADERS}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status} {reason}\r\n{head}\r\n".encode() + body


_LINE = eventlet_wsgi.MAX_REQUEST_LINE
_CANNED = {  # eventlet's empty answers, written before any WSGI application is called
    eventlet_wsgi.RESPONSE_414: _raw_refusal(
        414, "URI Too Long", f"the request line (method, path and query) is longer than {_LINE} bytes"),
    b"HTTP/1.0 400 Header Line Too Long\r\nConnection: close\r\nContent-length: 0\r\n\r\n": _raw_refusal(
        431, "Request Header Fields Too Large", f"a header line is longer than {eventlet_wsgi.MAX_HEADER_LINE} bytes"),
    b"HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-length: 0\r\n\r\n": _raw_refusal(
        431, "Request Header Fields Too Large",
        f"the headers are larger than {eventlet_wsgi.MAX_TOTAL_HEADER_SIZE} bytes together"),
    b"HTTP/1.0 400 Bad Request\r\nConnection: close\r\nContent-length: 0\r\n\r\n": _raw_refusal(
        400, "Bad Request", "Content-Length must be a whole number of bytes, 0 or more"),
}


class _CannedRefusals:
    """The connection's output, with eventlet's empty refusals replaced by the common format."""

    def __init__(self, wfile):
        self._wfile = wfile

    def write(self, data):
        return self._wfile.write(_CANNED.get(bytes(data), data) if len(data) < 120 else data)

    def __getattr__(self, name):
        return getattr(self._wfile, name)


def _nearest_routes(providers, path: str) -> list:
    """The entrypoints whose routes share the most leading path segments with ``path`` (none if none share one),
    in a stable order."""
    scored = sorted(((_shared_segments(p.url, path), p.url, p.method, p) for p in providers),
                    key=lambda entry: entry[:3], reverse=True)
    best = scored[0][0] if scored else 0
    return [p for shared, _, _, p in scored if best and shared == best]


def _shared_segments(rule: str, path: str) -> int:
    """How many leading path segments a route's rule and a path have in common."""
    return len(os.path.commonprefix([rule.strip("/").split("/"), path.strip("/").split("/")]))


class JsonHttpHandler(HttpRequestHandler):
    """nameko's ``@http`` with dict results as JSON and errors in the common format."""

    server = ApiWebServer()

    def __init__(self, method, url, roles: tuple[str, ...] | None = None, expected_exceptions=(Refused,), **kwargs):
        super().__init__(method, url, expected_exceptions=expected_exceptions, **kwargs)
        self.roles = roles  # who may call it (None: no staff token asked); the permission matrix reads it

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        if isinstance(result, tuple):
            status, body = result
            return json_response(body, status)
        return json_response(result)

    def handle_request(self, request: Request):
        SPOKEN.set(spoken_language(request))  # the refusal, if any, is said in it (response_from_exception)
        return super().handle_request(request)

    def refusal(self, request: Request, exc: HTTPException) -> Response:
        """The answer to a request near this entrypoint's route that no route takes."""
        SPOKEN.set(spoken_language(request))
        return self.response_from_exception(exc)

    def response_from_exception(self, exc):
        lang = SPOKEN.get()
        if isinstance(exc, Refused):
            response = error_response(http_status(exc), exc.code, *exc.said_in(lang))
            if isinstance(exc, TooManyTries):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if isinstance(exc, HTTPException):
            return error_response(exc.code or 500, "http_error", http_refusal(exc, lang))
        if database_unavailable(exc):  # restarting, failing over, locked: the client should simply try again
            log.warning("%s: the database is unavailable (%r)", self.method_name, exc)
            response = error_response(503, "unavailable", said(DATABASE_AWAY, lang))
            response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
            return response
        log.error("unexpected error in %s: %r", self.method_name, exc)
        return error_response(500, "internal_error", said(FAILED, lang))


LANGUAGE_KEY = "language"  # in a worker's context data: the language of the request it serves
SPOKEN = ContextVar("spoken", default=DEFAULT_LANGUAGE)  # the language of the request being answered
DATABASE_AWAY = N_("The service's database is unavailable just now; nothing was changed, try again shortly")
FAILED = N_("The service failed to handle this request; it was logged")
# werkzeug's refusals of a request no route takes, in the office's words (others keep werkzeug's English)
HTTP_REFUSALS = {404: N_("There is no such address in this service"),
                 405: N_("This address does not take this method (%(allowed)s)"),
                 411: N_("Send the body with a Content-Length header: chunked bodies are not read")}


def http_refusal(exc: HTTPException, lang: str) -> str:
    """werkzeug's refusal said in ``lang``."""
    if exc.code not in HTTP_REFUSALS:
        return exc.description or exc.name
    allowed = ", ".join(getattr(exc, "valid_methods", None) or ())
    return said(HTTP_REFUSALS[exc.code], lang, {"allowed": allowed})


def api(method: str, url: str, roles: tuple[str, ...] | None = None, handler=None, **kwargs):
    """An HTTP entrypoint; with ``roles``, only staff of those roles get past it. The token is checked (401,
    403) before the method runs, which finds the caller as ``request.staff``; the roles are kept on the
    entrypoint, where the permission matrix and the OpenAPI ``x-roles`` are checked against them.
    ``handler``: a service's own JsonHttpHandler subclass (accounts')."""
    def register(method_of_service):
        checked = method_of_service if roles is None else _staff_only(method_of_service, roles)
        return (handler or JsonHttpHandler).decorator(method, url, roles=roles, **kwargs)(checked)
    return register


def _staff_only(method_of_service, roles: tuple[str, ...]):
    @functools.wraps(method_of_service)
    def checked(service, request, *args, **kwargs):
        request.staff = service.auth.require(request, *roles)
        return method_of_service(service, request, *args, **kwargs)
    return checked


def declared_roles(service_class) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(METHOD, /path/{param}) of each HTTP entrypoint of a service class and the roles it declares."""
    routes = {}
    for name in dir(service_class):
        for entrypoint in getattr(getattr(service_class, name, None), "nameko_entrypoints", ()):
            if isinstance(entrypoint, JsonHttpHandler):
                routes[entrypoint.method.upper(), _PATH_PARAMETER.sub(r"{\1}", entrypoint.url)] = entrypoint.roles
    return routes


_PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")  # werkzeug's <string:case_id> is OpenAPI's {case_id}


class BrokerLink(DependencyProvider):
    """The service's own connection for its readiness probe: opened once and kept, each probe a round trip on
    it, so a probe every few seconds is not a new AMQP connection each time."""

    def setup(self):
        self.amqp_uri = self.container.config["AMQP_URI"]
        self.connection = None
        self.lock = eventlet.semaphore.Semaphore()  # probes arriving together take turns on the one channel

    def stop(self):
        self._drop()

    def get_dependency(self, worker_ctx):
        return self

    def problem(self) -> str | None:
        """None if the broker answers a round trip within HEALTH_TIMEOUT, else what went wrong. A kept
        connection that fails (the broker restarted since) is replaced once before the broker is blamed."""
        with self.lock:
            kept = self.connection is not None
            problem = self._round_trip()
            return self._round_trip() if problem and kept else problem

    def _round_trip(self) -> str | None:
        try:
            with eventlet.Timeout(HEALTH_TIMEOUT):
                if self.connection is None:
                    self.connection = Connection(self.amqp_uri, connect_timeout=HEALTH_TIMEOUT)
                    self.connection.ensure_connection(max_retries=1, interval_start=0, timeout=HEALTH_TIMEOUT)
                self.connection.default_channel.exchange_declare("amq.topic", "topic", passive=True)
        except eventlet.Timeout:
            self._drop()
            return f"no answer within {HEALTH_TIMEOUT:.0f} s"
        except Exception as exc:  # whatever stops the round trip is the answer
            self._drop()
            return _first_line(exc)
        return None

    def _drop(self):
        if self.connection is not None:
            self.connection.collect()  # without waiting on a broker that may be gone
            self.connection = None


class Observable:
    """``/livez``, ``/readyz`` (and ``/health``), ``/metrics`` and ``/openapi.yaml`` for a service with ``uow``
    and ``config`` dependencies."""

    broker = BrokerLink()

    @api("GET", "/livez")
    def livez(self, request):
        """The process answers: nothing is checked, so a restart is never ordered for the broker's trouble."""
        return {"service": self.name, "status": "alive"}

    @api("GET", "/readyz")
    def readyz(self, request):
        """200 when the service can use both its database and its broker; 503 naming what it cannot reach."""
        problems = [{"field": what, "problem": problem} for what, problem in (
            ("database", database_problem(self.uow)), ("broker", self.broker.problem())) if problem]
        if problems:
            raise Unavailable(N_("%(service)s cannot reach its %(what)s"), problems, service=self.name,
                              what=" and ".join(p["field"] for p in problems))  # for operators: the names as they are
        return {"service": self.name, "status": "ok"}

    @api("GET", "/health")
    def health(self, request):
        """As ``/readyz``, under the name the office's monitoring has always used."""
        return self.readyz(request)

    @api("GET", "/metrics")
    def metrics(self, request):
        body, content_type = exposition()
        return Response(body, content_type=content_type)

    @api("GET", "/openapi.yaml")
    def openapi(self, request):
        """The service's API description, kept beside its code."""
        spec = Path(inspect.getfile(type(self))).with_name("openapi.yaml")
        return Response(spec.read_bytes(), content_type="application/yaml")


def database_problem(uow) -> str | None:
    """None if the service's database answers a round trip, else what went wrong. The pool is not pre-pinged,
    so a kept connection that a restart or a dropped database cut fails first; that failure discards the
    pool, and a second round trip on a new connection says what holds now."""
    problem, cut = _database_round_trip(uow)
    return _database_round_trip(uow)[0] if cut else problem


def _database_round_trip(uow) -> tuple[str | None, bool]:
    """(what went wrong or None, whether it was a kept connection found cut)."""
    try:
        with uow:
            uow.session.execute(text("SELECT 1"))
    except DBAPIError as exc:
        return _first_line(exc.orig), exc.connection_invalidated
    return None, False


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
