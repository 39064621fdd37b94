"""Open311's parameters: the query string and the form, read strictly (UTF-8, bounded, single-valued)."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from lianxin.attachments.errors import AttachmentRefused
from lianxin.attachments.wiring import language, multipart_form
from lianxin.db import utcnow

from ..models import report_pk
from .refusals import Open311Error

SPAN = timedelta(days=90)  # the default and the widest span of GET requests
MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 100
MAX_PK = 2**31 - 1
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"  # as Open311 servers take a photo: the fields beside a file part "media"
MEDIA = "media"
MAX_MULTIPART_BYTES = 64 * 1024 * 1024  # a photo with its fields; the photo's own limit is the office's (media_of)
# in a query string an unencoded "+" of a time zone arrives as a space
SPACED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")

Params = dict[str, list[str]]
Media = list  # the files of the part "media" (werkzeug FileStorage, read from memory)


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


def form_params(request) -> tuple[Params, Media]:
    """The form-encoded body, with the query string's parameters (the swagger puts them all there, so a
    request may come without a body, whatever its content type says), and its photos (a multipart body's)."""
    if (request.mimetype or "").lower() == MULTIPART:
        return multipart_params(request)
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
    return params, []


def multipart_params(request) -> tuple[Params, Media]:
    """The fields of a multipart form with the query string's, and its files, parsed in memory as intake's own
    ``POST /reports`` is (werkzeug answers 413 beyond the fields' or the body's limit)."""
    try:
        form, files = multipart_form(request, MAX_MULTIPART_BYTES, MEDIA, MAX_FORM_BYTES)
    except AttachmentRefused as refused:
        raise Open311Error(413, refused.text(language(request))) from None
    if not form and not files:
        raise Open311Error(400, "the multipart form has no parts: a wrong or missing boundary?")
    if strays := sorted(set(files) - {MEDIA}):
        raise Open311Error(400, f"a photo comes in the part {MEDIA!r}, not {', '.join(map(repr, strays))}")
    if len(form) > MAX_FIELDS:
        raise Open311Error(400, f"the form has more than {MAX_FIELDS} fields")
    params = query_params(request)
    for name in form:
        params.setdefault(name, []).extend(form.getlist(name))
    return params, files.getlist(MEDIA)


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
