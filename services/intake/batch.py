"""A day's collection uploaded at once (an information officer, a mailbox clerk): CSV or JSON rows."""
from __future__ import annotations

import csv
import io
import json

from lianxin.errors import Refused
from lianxin.i18n import N_

MAX_ROWS = 1000
MAX_BYTES = 5 * 1024 * 1024
TOO_LARGE = N_("A batch is at most %(mib)s MiB")
REPORTER_COLUMNS = {"reporter_name": "name", "reporter_phone": "phone", "reporter_id_number": "id_number",
                    "reporter_address": "address"}


def rows_of(request) -> list[dict]:
    """The rows of a batch body: ``{"reports": [...]}`` as JSON, or CSV with a header line."""
    kind = (request.mimetype or "").lower()
    if (request.content_length or 0) > MAX_BYTES:
        raise Refused(TOO_LARGE, mib=MAX_BYTES // 1024 // 1024)
    raw = request.stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Refused(TOO_LARGE, mib=MAX_BYTES // 1024 // 1024)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(N_("The batch is not UTF-8 text")) from None
    if kind == "text/csv":
        try:
            rows = [_from_csv(row) for row in csv.DictReader(io.StringIO(text))]
        except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB field limit
            raise Refused(N_("The batch is not CSV this office reads (%(problem)s)"), problem=str(exc)) from None
    elif kind in ("application/json", ""):
        rows = _from_json(text)
    else:
        raise Refused(N_("Send the batch as application/json or text/csv, not %(kind)s"), kind=kind)
    if not rows:
        raise Refused(N_("The batch has no rows"))
    if len(rows) > MAX_ROWS:
        raise Refused(N_("A batch holds at most %(most)s rows; this one has %(rows)s"), most=MAX_ROWS, rows=len(rows))
    return rows


def _from_json(text: str) -> list[dict]:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(N_("The batch is not JSON (%(problem)s)"), problem=str(exc)) from None
    except RecursionError:
        raise Refused(N_("What was sent nests lists or objects too deeply")) from None
    rows = body.get("reports") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Refused(N_('A JSON batch is {"reports": [{...}, ...]}'))
    return rows


def _from_csv(row: dict) -> dict:
    """A CSV row as the JSON shape: empty cells are absent, reporter columns nested."""
    if None in row:
        raise Refused(N_("A CSV row has more cells than the header has columns"))
    values = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
    reporter = {REPORTER_COLUMNS[k]: values.pop(k) for k in list(values) if k in REPORTER_COLUMNS}
    if reporter:
        values["reporter"] = reporter
    if "gathering" in values:
        values["gathering"] = values["gathering"].lower() in ("1", "true", "yes", "是")
    return values
