"""Open311 GeoReport v2 on intake, at ``/open311/v2/``: the public face of the office for portals and apps.

Follows the GeoReport v2 text (open311.org, ``GeoReport_v2``) and its Service Discovery page:

- every resource in XML (the required format) and JSON, chosen by the ``.xml`` / ``.json`` suffix;
- errors as ``<errors><error><code/><description/></error></errors>`` (JSON: an array of
  ``{code, description}``) with 404 for what does not exist, 403 for a missing or wrong ``api_key``
  and 400 for everything else, including failures of the office itself (the spec's "General Service
  error"; the body's code is then 500, so a client can tell them apart);
- JSON lists are bare arrays, even of one record; the service definition and discovery are objects
  (as in the spec's examples); ids are strings; times are W3C/ISO 8601 in UTC with a ``Z``.

Decisions where the spec leaves room:

- ``jurisdiction_id`` may be left out (one jurisdiction); given, it must be the county's code from the
  directory (``lianxin`` in the sample) or the answer is 404, as the spec lists "jurisdiction_id not found".
- ``api_key`` (POST only) is taken from the form or the query string (the Open311 swagger puts it in
  the query) and checked against config ``OPEN311_API_KEYS``. Reads are public.
- ``address_id`` is a place code of the county directory (village, enterprise or township): the
  directory is the county's "master address repository". It lets dispatch route by place.
- GET requests: ``start_date`` and ``end_date`` must carry a time zone; each bound covers the whole
  second it names (answers give whole seconds, so a client can feed a ``requested_datetime`` back).
  A span over 90 days is refused; without dates the span is the last 90 days. At most 1,000 records,
  newest first: narrow the span to see more. ``service_request_id`` overrides every other filter.
- Every service type is ``realtime``: intake numbers a report at once. A token is therefore the report
  number itself, and ``tokens/{token}`` answers it back.
- Reports from every channel are listed (the office's public record). The reporter's name, phone,
  ID number and address never appear: they are not fields of a record, and descriptions and
  addresses are redacted of them (and of any ID or phone number) before they leave.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from nameko.extensions import SharedExtension
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lianxin.auth import Staff
from lianxin.db import utcnow
from lianxin.directory import Directory
from lianxin.http import ApiError, JsonHttpHandler, Unprocessable, validate

from . import reporting
from .models import Report, report_number, report_pk
from .protection import redact_report
from .schemas import ReportIn

log = logging.getLogger(__name__)

ROOT = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MAX_RESULTS = 1000  # GET requests answers at most this many records (the spec's "first 1000 requests")
SPAN = timedelta(days=90)  # the default and the widest span of GET requests
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 100
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 300  # the report's location column
MAX_MEDIA_URL = 500
MAX_IDEMPOTENCY_KEY = 128
MAX_PK = 2**31 - 1
FORM = "application/x-www-form-urlencoded"
# XML 1.0 cannot carry these characters at all, escaped or not
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# in a query string an unencoded "+" of a time zone arrives as a space
SPACED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# container element -> the element of each item, in XML (JSON has bare arrays instead)
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


# --- service definitions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    order: int
    description: str
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = ()  # (key, name) of list datatypes

    def definition(self) -> dict:
        entry = {"variable": True, "code": self.code, "datatype": self.datatype, "required": self.required,
                 "datatype_description": self.datatype_description, "order": self.order,
                 "description": self.description}
        if self.values:
            entry["values"] = [{"key": key, "name": name} for key, name in self.values]
        return entry


PEOPLE_INVOLVED = Attribute(
    "people_count", "number", False, 1, "How many people are affected or taking part?",
    "a whole number from 1 to 100000; from 5 people the office handles the matter as major")
# Categories whose reports need more than a description; the rest have metadata false (and no definition).
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    "collective-petition": (
        Attribute("people_count", "number", True, 1, "How many people are taking part?",
                  "a whole number from 1 to 100000"),
        Attribute("gathering", "singlevaluelist", True, 2,
                  "Are people gathering now to petition? If so the office alerts the leaders at once.",
                  values=(("yes", "Yes, people are gathering now"), ("no", "No, not at the moment"))),
    ),
    "wage-arrears": (PEOPLE_INVOLVED,),
    "land-dispute": (PEOPLE_INVOLVED,),
}


def services_list(directory: Directory) -> list[dict]:
    return [{"service_code": c.code, "service_name": c.name, "description": service_description(directory, c),
             "metadata": c.code in ATTRIBUTES, "type": "realtime", "keywords": ", ".join(c.keywords) or None,
             "group": unit_name(directory, c.department)} for c in directory.categories]


def service_description(directory: Directory, category) -> str:
    handler = unit_name(directory, category.department)
    who = (f"handled by the township where it happens (or {handler} when no township is known)"
           if category.route == "township" else f"handled by {handler}")
    weight = "; a major matter, with a longer deadline and a leader's attention" if category.severity == "major" else ""
    return f"{category.name}: {who}{weight}."


def service_notice(directory: Directory, code: str) -> str | None:
    category = directory.category_by_code.get(code)
    if category is None:
        return None
    return (f"The office sends this {category.name} report to the unit responsible with a deadline, and calls the "
            f"reporter back before the case is closed.")


def unit_name(directory: Directory, code: str | None) -> str | None:
    unit = directory.units.get(code) if code else None
    return unit.name if unit else None


# --- request records -----------------------------------------------------------------------------

def request_record(report: Report, directory: Directory) -> dict:
    """A report as the public sees it: nothing of the reporter, free text redacted of them."""
    category = directory.category_by_code.get(report.category)
    return {
        "service_request_id": report.report_id,
        "status": "closed" if report.status == "closed" else "open",
        "status_notes": status_notes(report, directory),
        "service_name": category.name if category else None,
        "service_code": report.category,
        # reports on confidential subjects (e.g. officials' misconduct) are listed, but not what they say
        "description": ("（内容不公开）" if category and category.confidential
                        else redact_report(report, report.content)),
        "agency_responsible": unit_name(directory, report.unit),
        "service_notice": service_notice(directory, report.category),
        "requested_datetime": w3(report.received_at),
        "updated_datetime": w3(report.updated_at),
        "expected_datetime": w3(report.expected_at),
        "address": redact_report(report, report.location) if report.location else None,
        "address_id": report.village or report.enterprise or report.township,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": report.media_url,
    }


def status_notes(report: Report, directory: Directory) -> str:
    unit = unit_name(directory, report.unit) or report.unit
    if report.status == "linked" and report.duplicate_of:
        return f"joined the case of {report_number(report.duplicate_of)}"
    if report.status == "dispatched":
        return f"dispatched to {unit}"
    if report.status == "reopened":
        return f"reopened after a callback; back with {unit}" if unit else "reopened after a callback"
    if report.status == "closed":
        return "closed after the office called the reporter back"
    return "received; being sent to the unit responsible"


def w3(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


# --- answers and errors --------------------------------------------------------------------------

@dataclass
class Answer:
    """What an Open311 entrypoint returns: the handler renders it in the format the path asked for."""
    root: str  # the XML root element: services, service_requests, service_definition, discovery
    body: list | dict
    status: int = 200


class Open311Error(ApiError):
    """A refusal in the spec's terms: 404 unknown, 403 api_key, 400 otherwise; one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0])
        self.status = status
        self.code = status
        self.descriptions = descriptions


def errors_of(exc: Exception, method_name: str) -> tuple[int, list[dict]]:
    if isinstance(exc, Open311Error):
        return exc.status, [{"code": exc.status, "description": d} for d in exc.descriptions]
    if isinstance(exc, ApiError):
        status = {404: 404, 401: 403, 403: 403}.get(exc.status, 400)
        descriptions = [f"{d.get('field')}: {d.get('problem')}" if isinstance(d, dict) else str(d)
                        for d in exc.details] or [exc.message]
        return status, [{"code": status, "description": d} for d in descriptions]
    if isinstance(exc, HTTPException):
        status = 404 if exc.code == 404 else 400
        return status, [{"code": exc.code or 400, "description": exc.description or exc.name}]
    log.error("unexpected error in %s: %r", method_name, exc)
    return 400, [{"code": 500, "description": "the office failed to handle this request; it was logged, "
                                              "please tell the office"}]


def render(answer: Answer, fmt: str) -> Response:
    if fmt == "json":
        payload = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
    else:
        payload = xml_document(answer.root, answer.body)
    return Response(payload, status=answer.status, content_type=CONTENT_TYPES[fmt])


def xml_document(root: str, body: list | dict) -> bytes:
    tree = _element(root, body)
    text = ElementTree.tostring(tree, encoding="unicode")  # escapes &, < and > (and quotes in attributes)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")


def _element(name: str, value) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEMS[name], item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("\ufffd", str(value))
    return element


class ClientRateLimit(SharedExtension):
    """The public Open311 API's limit per client: a token bucket of ``OPEN311_RATE_PER_MINUTE`` requests,
    refilled evenly, per client address (one bucket shared by all the Open311 routes of the service)."""

    MAX_CLIENTS = 10000

    def setup(self):
        self.per_minute = self.container.config.get("OPEN311_RATE_PER_MINUTE", 120)
        self.buckets: dict[str, tuple[float, float]] = {}

    def wait(self, client: str) -> float:
        """0 if the client may go on now, else the seconds until it may."""
        now, rate = time.monotonic(), self.per_minute / 60
        tokens, since = self.buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - since) * rate)
        if len(self.buckets) >= self.MAX_CLIENTS and client not in self.buckets:
            self.buckets.clear()  # forget idle clients rather than grow without bound
        self.buckets[client] = (tokens - 1, now) if tokens >= 1 else (tokens, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / rate


class Open311Handler(JsonHttpHandler):
    """nameko ``@http`` for Open311: the ``fmt`` of the path picks XML or JSON, for answers and errors."""

    limit = ClientRateLimit()

    def handle_request(self, request):
        fmt = request.path_values.get("fmt")
        if fmt not in CONTENT_TYPES:
            return self._error(Open311Error(404, f"no format {fmt!r}: ask for .xml or .json"), "xml")
        if (wait := self.limit.wait(request.remote_addr or "?")) > 0:
            refusal = self._error(Open311Error(429, f"too many requests from this client: try again in "
                                                    f"{math.ceil(wait)} s"), fmt)
            refusal.headers["Retry-After"] = str(math.ceil(wait))
            return refusal
        # nameko runs the worker and hands its outcome to response_from_*; those defer the rendering to here
        deferred = super().handle_request(request)
        return deferred(fmt)

    def response_from_result(self, result):
        if not isinstance(result, Answer):
            return lambda fmt: self._error(TypeError(f"not an Open311 answer: {type(result).__name__}"), fmt)
        return lambda fmt: render(result, fmt)

    def response_from_exception(self, exc):
        return lambda fmt: self._error(exc, fmt)

    def refusal(self, request, exc):
        """A path under Open311 that no route takes, in the format its suffix names (XML by default)."""
        fmt = "json" if request.path.endswith(".json") else "xml"
        return self._error(exc, fmt)

    def _error(self, exc: Exception, fmt: str) -> Response:
        status, errors = errors_of(exc, self.method_name)
        return render(Answer("errors", errors, status), fmt)


open311 = Open311Handler.decorator


# --- parameters ----------------------------------------------------------------------------------

Params = dict[str, list[str]]


def parse_pairs(text: str, source: str) -> Params:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Open311Error(400, f"the {source} is not valid UTF-8") from None
    except ValueError:
        raise Open311Error(400, f"the {source} has more than {MAX_FIELDS} fields") from None
    params: Params = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def query_params(request) -> Params:
    try:
        text = request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        raise Open311Error(400, "the query string is not valid UTF-8") from None
    return parse_pairs(text, "query string")


def form_params(request) -> Params:
    """The form-encoded body, with the query string's parameters (the swagger puts them all there, so a
    request may come without a body, whatever its content type says)."""
    if request.content_length is not None and request.content_length > MAX_FORM_BYTES:
        raise Open311Error(400, f"the form is larger than {MAX_FORM_BYTES} bytes")
    raw = request.stream.read(MAX_FORM_BYTES + 1)
    if len(raw) > MAX_FORM_BYTES:
        raise Open311Error(400, f"the form is larger than {MAX_FORM_BYTES} bytes")
    media_type = (request.mimetype or FORM).lower()
    if raw and media_type != FORM:
        raise Open311Error(400, f"send the request as {FORM} (UTF-8), not {media_type}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Open311Error(400, "the form is not valid UTF-8") from None
    params = query_params(request)
    for name, values in parse_pairs(text, "form").items():
        params.setdefault(name, []).extend(values)
    return params


def one(params: Params, name: str) -> str | None:
    """A single-valued parameter; empty counts as absent (the spec's "Optional Arguments")."""
    values = {v for v in params.get(name, []) if v != ""}
    if len(values) > 1:
        raise Open311Error(400, f"{name} is given more than once with different values")
    return values.pop() if values else None


def listed(params: Params, name: str) -> list[str]:
    """A comma-delimited parameter, which may also be repeated."""
    return [part.strip() for value in params.get(name, []) for part in value.split(",") if part.strip()]


def plain_text(name: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    if len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters ({len(value)})")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise Open311Error(400, f"{name} contains control characters")
    return value


def moment(params: Params, name: str) -> datetime | None:
    text = one(params, name)
    if text is None:
        return None
    if spaced := SPACED_OFFSET.match(text):  # "...T00:00:00+08:00" sent without encoding its "+"
        text = f"{spaced[1]}+{spaced[2]}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, f"{name} {text!r} is not a date and time: use the W3C format with a time zone, "
                                f"e.g. 2010-01-01T00:00:00Z") from None
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} {text!r} has no time zone: add Z or an offset such as +08:00")
    return value


def span(params: Params) -> tuple[datetime, datetime]:
    """[start, end) of GET requests: each bound covers the whole second it names; at most 90 days."""
    start, end = moment(params, "start_date"), moment(params, "end_date")
    try:
        if start is None and end is None:
            end = utcnow()
        start = start.replace(microsecond=0) if start else end - SPAN
        end = end.replace(microsecond=0) + timedelta(seconds=1) if end else start + SPAN
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is out of range") from None
    if end <= start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > SPAN + timedelta(seconds=1):
        raise Open311Error(400, f"start_date to end_date spans more than {SPAN.days} days; ask in smaller spans")
    return start, end


def pk_of(report_id: str) -> int | None:
    pk = report_pk(report_id)
    return pk if pk is not None and 0 < pk <= MAX_PK else None


# --- taking in a request -------------------------------------------------------------------------

# ReportIn's fields as Open311 calls them, for error messages
OPEN311_NAMES = {"content": "description", "location": "address_string", "latitude": "lat", "longitude": "long",
                 "reporter.name": "first_name/last_name", "reporter.phone": "phone", "media_url": "media_url",
                 "people_count": "attribute[people_count]", "gathering": "attribute[gathering]"}


def portal_of(params: Params, keys: list[str]) -> Staff:
    """The client behind the api_key, as intake's staff: its code names a short hash of the key, never the key."""
    given = one(params, "api_key")
    if given is None:
        raise Open311Error(403, "api_key is missing: posting a request needs the api_key the office gave you")
    known = [k for k in keys if hmac.compare_digest(k.encode(), given.encode())]
    if not known:
        raise Open311Error(403, "api_key is not valid: ask the office for one")
    digest = hashlib.sha256(given.encode()).hexdigest()
    return Staff(code=f"open311:{digest[:12]}", role="operator", token_sha256=digest)


def check_jurisdiction(params: Params, directory: Directory) -> None:
    jurisdiction = one(params, "jurisdiction_id")
    if jurisdiction is not None and jurisdiction != directory.county.code:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found: this endpoint serves only "
                                f"{directory.county.code} ({directory.county.name}), and may be called without it")


def incoming_report(params: Params, directory: Directory) -> ReportIn:
    """The POSTed service request as the report intake takes in; every problem found is reported at once."""
    code = one(params, "service_code")
    if code is None:
        raise Open311Error(400, "service_code is missing: pick one from services.xml")
    category = directory.category_by_code.get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code!r} not found: see services.xml")
    problems: list[str] = []

    def checked(step, *args):
        try:
            return step(*args)
        except Open311Error as refused:
            problems.extend(refused.descriptions)
            return None

    place = checked(place_of, params, directory)
    attributes = checked(attributes_of, params, code) or {}
    description = checked(plain_text, "description", one(params, "description"), MAX_DESCRIPTION)
    media_url = checked(plain_text, "media_url", one(params, "media_url"), MAX_MEDIA_URL)
    names = [checked(plain_text, field, one(params, field), 50) for field in ("first_name", "last_name")]
    phone = checked(plain_text, "phone", one(params, "phone"), 30)
    # email, device_id and account_id are not kept: intake stores only what the office needs to call the
    # reporter back (name and phone, encrypted); an email address would be personal data without a use.
    if problems:
        raise Open311Error(400, *problems)
    name = full_name(*names)
    data = {
        "channel": "web", "category": code, **(place or {}),
        "content": description if description and description.strip() else category.name,
        "media_url": media_url, **attributes,
        "reporter": {"name": name, "phone": phone} if name or phone else None,
    }
    try:
        return validate(ReportIn, data)
    except Unprocessable as invalid:
        raise Open311Error(400, *[f"{OPEN311_NAMES.get(d['field'], d['field'])}: {d['problem']}"
                                  for d in invalid.details]) from None


def place_of(params: Params, directory: Directory) -> dict:
    lat, long = one(params, "lat"), one(params, "long")
    address = plain_text("address_string", one(params, "address_string"), MAX_ADDRESS)
    address_id = one(params, "address_id")
    if lat is None and long is None and address is None and address_id is None:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    place: dict = {"location": address}
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long go together: send both")
    if lat is not None:
        try:
            place["latitude"], place["longitude"] = float(lat), float(long)
        except ValueError:
            raise Open311Error(400, f"lat and long must be numbers (WGS84 degrees), got {lat!r}, {long!r}") from None
        if not (math.isfinite(place["latitude"]) and math.isfinite(place["longitude"])):
            raise Open311Error(400, "lat and long must be finite numbers")
    if address_id is not None:
        if address_id in directory.villages:
            place["village"] = address_id
        elif address_id in directory.enterprise_by_code:
            place["enterprise"] = address_id
        elif address_id in directory.township_by_code:
            place["township"] = address_id
        else:
            raise Open311Error(400, f"address_id {address_id!r} is not a village, enterprise or township code of the "
                                    f"county directory")
    return place


def attributes_of(params: Params, code: str) -> dict:
    """``attribute[code]=v`` (and ``attribute[code][]=v`` for lists) checked against the service definition."""
    defined = {a.code: a for a in ATTRIBUTES.get(code, ())}
    given: dict[str, list[str]] = {}
    problems = []
    for key, values in params.items():
        if not key.startswith("attribute") or not any(values):  # empty counts as absent, as for every parameter
            continue
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            problems.append(f"{key!r} is not of the form attribute[code]")
            continue
        if match[1] not in defined:
            problems.append(f"service {code!r} has no attribute {match[1]!r}")
            continue
        given.setdefault(match[1], []).extend(v for v in values if v != "")
    found = {}
    for attribute in defined.values():
        values = given.get(attribute.code, [])
        if not values:
            if attribute.required:
                problems.append(f"attribute[{attribute.code}] is required for {code}: {attribute.description}")
            continue
        if attribute.datatype != "multivaluelist" and len(set(values)) > 1:
            problems.append(f"attribute[{attribute.code}] takes one value")
            continue
        try:
            found.update(attribute_value(attribute, values[0]))
        except ValueError as bad:
            problems.append(f"attribute[{attribute.code}]: {bad}")
    if problems:
        raise Open311Error(400, *problems)
    return found


def attribute_value(attribute: Attribute, value: str) -> dict:
    if attribute.code == "people_count":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not number.is_integer() or not 1 <= number <= 100000:
            raise ValueError(f"{value!r} is not a whole number from 1 to 100000")
        return {"people_count": int(number)}
    if attribute.code == "gathering":
        keys = [key for key, _ in attribute.values]
        if value not in keys:
            raise ValueError(f"{value!r} is not one of {', '.join(keys)}")
        return {"gathering": value == "yes"}
    raise ValueError("not supported")  # pragma: no cover - every attribute defined above is handled


def full_name(first: str | None, last: str | None) -> str | None:
    """Chinese names are family name first without a space; others "first last"."""
    parts = [p.strip() for p in (first, last) if p and p.strip()]
    if len(parts) < 2:
        return parts[0] if parts else None
    first, last = parts
    if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return f"{first} {last}"


# --- the entrypoints -----------------------------------------------------------------------------

class Open311Api:
    """GeoReport v2 entrypoints for a service with ``uow``, ``directory`` and ``config`` (intake)."""

    @open311("GET", f"{ROOT}/discovery.<string:fmt>")
    def open311_discovery(self, request, fmt):
        changed = w3(datetime.fromtimestamp(os.path.getmtime(self.config["DIRECTORY"]), timezone.utc))
        county = self.directory.county
        return Answer("discovery", {
            "changeset": changed,
            "contact": f"The public-feedback office of {county.name} ({county.city}): call 12345.",
            "key_service": "Reading needs no key. To post requests, ask the office for an api_key.",
            "endpoints": [{"specification": SPECIFICATION, "url": request.host_url.rstrip("/") + ROOT,
                           "changeset": changed, "type": "production", "formats": ["text/xml", "application/json"]}],
        })

    @open311("GET", f"{ROOT}/services.<string:fmt>")
    def open311_services(self, request, fmt):
        check_jurisdiction(query_params(request), self.directory)
        return Answer("services", services_list(self.directory))

    @open311("GET", f"{ROOT}/services/<string:service_code>.<string:fmt>")
    def open311_service_definition(self, request, service_code, fmt):
        check_jurisdiction(query_params(request), self.directory)
        if service_code not in self.directory.category_by_code:
            raise Open311Error(404, f"service_code {service_code!r} not found")
        if service_code not in ATTRIBUTES:
            raise Open311Error(404, f"service {service_code!r} has no metadata: it needs no service definition")
        return Answer("service_definition", {"service_code": service_code,
                                             "attributes": [a.definition() for a in ATTRIBUTES[service_code]]})

    @open311("POST", f"{ROOT}/requests.<string:fmt>")
    def open311_create_request(self, request, fmt):
        params = form_params(request)
        portal = portal_of(params, self.config["OPEN311_API_KEYS"])
        check_jurisdiction(params, self.directory)
        incoming = incoming_report(params, self.directory)
        key = request.headers.get("Idempotency-Key") or None  # an extension: a retried POST makes no second report
        if key:
            key = f"{portal.code}:{key}"  # each client's keys apart from the staff API's and other clients'
            if len(key) > MAX_IDEMPOTENCY_KEY:
                raise Open311Error(400, "Idempotency-Key is too long")
        intake = reporting.Intake(self.directory, self.config)
        try:
            with self.uow as uow:
                report, created = intake.take_in(uow, incoming, portal, key)
                uow.commit()
                answer = [{"service_request_id": report.report_id,
                           "service_notice": service_notice(self.directory, report.category), "account_id": None}]
                return Answer("service_requests", answer, 201 if created else 200)
        except IntegrityError:
            if not key:
                raise
        with self.uow as uow:  # a concurrent retry with the same key committed first
            report = reporting.find_by_idempotency_key(uow, portal, key)
            return Answer("service_requests", [{"service_request_id": report.report_id, "account_id": None,
                                                "service_notice": service_notice(self.directory, report.category)}])

    @open311("GET", f"{ROOT}/requests.<string:fmt>")
    def open311_requests(self, request, fmt):
        params = query_params(request)
        check_jurisdiction(params, self.directory)
        query = select(Report)
        if ids := listed(params, "service_request_id"):  # overrides all other arguments
            if len(ids) > MAX_RESULTS:
                raise Open311Error(400, f"at most {MAX_RESULTS} service_request_id at once")
            query = query.where(Report.id.in_({pk for pk in map(pk_of, ids) if pk is not None}))
        else:
            start, end = span(params)
            query = query.where(Report.received_at >= start, Report.received_at < end)
            if codes := listed(params, "service_code"):
                query = query.where(Report.category.in_(codes))
            statuses = set(listed(params, "status"))
            if statuses - {"open", "closed"}:
                raise Open311Error(400, f"status must be open or closed, got {', '.join(sorted(statuses))}")
            if statuses == {"open"}:
                query = query.where(Report.status != "closed")
            elif statuses == {"closed"}:
                query = query.where(Report.status == "closed")
        query = query.order_by(Report.received_at.desc(), Report.id.desc()).limit(MAX_RESULTS)
        with self.uow as uow:
            records = [request_record(r, self.directory) for r in uow.session.scalars(query)]
        return Answer("service_requests", records)

    @open311("GET", f"{ROOT}/requests/<string:service_request_id>.<string:fmt>")
    @open311("GET", f"{ROOT}/request/<string:service_request_id>.<string:fmt>")  # the published swagger's path
    def open311_request(self, request, service_request_id, fmt):
        check_jurisdiction(query_params(request), self.directory)
        with self.uow as uow:
            report = _report(uow, service_request_id)
            return Answer("service_requests", [request_record(report, self.directory)])

    @open311("GET", f"{ROOT}/tokens/<string:token>.<string:fmt>")
    def open311_token(self, request, token, fmt):
        """Intake numbers every request at once, so the only token is the request's own id."""
        check_jurisdiction(query_params(request), self.directory)
        with self.uow as uow:
            report = _report(uow, token, what="token")
            return Answer("service_requests", [{"service_request_id": report.report_id, "token": token}])


def _report(uow, report_id: str, what: str = "service_request_id") -> Report:
    pk = pk_of(report_id)
    report = uow.session.get(Report, pk) if pk is not None else None
    if report is None:
        raise Open311Error(404, f"{what} {report_id!r} not found")
    return report
