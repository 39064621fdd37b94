"""Lists as files a person takes away: CSV (UTF-8 with a BOM, so Excel reads the Chinese) and XLSX
(openpyxl), headed in the person's language. Only what the page shows goes in: the services have already
masked personal data for the person's role (what citizens said comes redacted, as intake shows it by default),
and no column here adds any. Moments are the county's wall-clock time to the minute: date-times Excel sorts
and filters in XLSX, ``YYYY-MM-DD HH:MM`` in CSV, as the pages show them."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from openpyxl import Workbook
from werkzeug.wrappers import Response

from lianxin.assessment_terms import NOT_RANKED
from lianxin.i18n import N_, translations
from lianxin.redaction import marks_said
from lianxin.vocabulary import COUNTY_TIME

from .labels import LABELS

MINUTE = "%Y-%m-%d %H:%M"  # a moment in CSV
MINUTE_CELL = "yyyy-mm-dd hh:mm"  # and its number format in XLSX
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    header: str  # translated when written
    value: Callable[[dict, dict, Callable], object]  # (row, names, gettext) -> the cell


def _named(field: str):
    return lambda row, names, _: names.get(row.get(field), row.get(field)) or ""


def _labelled(field: str, kind: str):
    return lambda row, names, gettext: gettext(LABELS[kind][row[field]]) if row.get(field) in LABELS[kind] else ""


def _when(field: str):
    """A moment the services send (ISO 8601, UTC) as the county's time, without a zone: a spreadsheet's
    date-time holds none, and the office reads its own clock."""
    def value(row, names, _):
        sent = row.get(field)
        if not sent:
            return ""
        local = datetime.fromisoformat(sent).astimezone(COUNTY_TIME)
        return local.replace(tzinfo=None, second=0, microsecond=0)
    return value


def _plain(field: str):
    return lambda row, names, _: row.get(field) if row.get(field) is not None else ""


CASE_COLUMNS = (
    Column(N_("Case"), _plain("case_id")), Column(N_("State"), _labelled("state", "state")),
    Column(N_("Unit"), _named("unit")), Column(N_("Category"), _named("category")),
    Column(N_("Township"), _named("township")), Column(N_("Channel"), _labelled("channel", "channel")),
    Column(N_("Received"), _when("received_at")), Column(N_("Deadline"), _when("deadline")),
    Column(N_("overdue"), lambda row, names, _: "✓" if row.get("urgency") == "overdue" else ""),
    Column(N_("Instructions"), lambda row, names, _: "、".join(names.get(i["leader"], i["leader"])
                                                            for i in row.get("instructions", []))),
)
REPORT_COLUMNS = (
    Column(N_("Report"), _plain("report_id")), Column(N_("Received"), _when("received_at")),
    Column(N_("Channel"), _labelled("channel", "channel")), Column(N_("Category"), _named("category")),
    Column(N_("Township"), _named("township")), Column(N_("Village"), _named("village")),
    Column(N_("Reporter"), lambda row, names, _: " ".join(v for v in (row.get("reporter") or {}).values() if v)),
    Column(N_("What was reported"), _plain("content")), Column(N_("Case"), _plain("case_id")),
)

ALERT_COLUMNS = (
    Column(N_("Raised"), _when("raised_at")), Column(N_("Kind"), _labelled("kind", "alert")),
    Column(N_("Township"), _named("township")), Column(N_("Message"), _plain("message")),
    Column(N_("Reports"), lambda row, names, _: ", ".join(row.get("report_ids", []))),
)


def _ranked(field: str):
    """A ranked unit's figure; a unit with no case due has none (its score cell says why)."""
    return lambda row, names, _: "" if "rank" not in row or row.get(field) is None else row[field]


SCORE_COLUMNS = (
    Column("#", lambda row, names, _: row.get("rank", "—")), Column(N_("Unit"), _named("unit")),
    Column(N_("Kind"), _labelled("unit_kind", "unit_kind")),
    Column(N_("Score"), lambda row, names, gettext: row["score"] if "rank" in row else gettext(NOT_RANKED)),
    Column(N_("Cases"), _plain("cases")), Column(N_("Cases due"), lambda row, names, _: row.get("due", 0)),
    Column(N_("Closed"), _ranked("closed")), Column(N_("Closure rate"), _ranked("closure_rate")),
    Column(N_("On time"), _ranked("on_time_rate")), Column(N_("Satisfaction"), _ranked("satisfaction_rate")),
    Column(N_("Notices"), _plain("notices")),
    Column(N_("Veto"), lambda row, names, gettext: gettext(", ").join(
        gettext(LABELS["measure"].get(m, m)) for m in row.get("vetoed_by") or [])),
)


def rankings(answer: dict) -> list[dict]:
    """Every unit the rankings page lists, in its order: townships, then county departments, each ranked first
    and then those with no case due (scoring's ``without_cases``)."""
    return [row for kind in ("township", "department")
            for listed in (answer["scores"], answer.get("without_cases", []))
            for row in listed if row["unit_kind"] == kind]


def table(lang: str, columns: Iterable[Column], rows: Iterable[dict], names: dict) -> list[list]:
    """The header row in ``lang`` and a row of cells per item, codes as the office's names and the marks where
    personal data was taken out (〔电话〕) said in ``lang`` as the pages say them."""
    gettext = translations(lang).gettext
    columns = tuple(columns)
    return [[gettext(c.header) for c in columns],
            *([_inert(_said(c.value(row, names, gettext), lang)) for c in columns] for row in rows)]


def _said(value, lang: str):
    return marks_said(value, lang) if isinstance(value, str) else value


def _inert(value):
    """A cell a spreadsheet shows as text, never runs: what citizens wrote may start like a formula."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def exported(cells: list[list], fmt: str, name: str) -> Response:
    """The table as a download ``name.fmt``."""
    body = _xlsx(cells) if fmt == "xlsx" else _csv(cells)
    return Response(body, content_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                             "Cache-Control": "no-store"})


def _csv(cells: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([cell.strftime(MINUTE) if isinstance(cell, datetime) else cell for cell in row]
                              for row in cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(cells: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in cells:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = MINUTE_CELL
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
