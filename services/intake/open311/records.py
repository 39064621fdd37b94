"""A report as the public sees it through Open311: nothing of the reporter, free text redacted of them."""
from __future__ import annotations

from datetime import datetime, timezone

from lianxin.directory import Directory

from ..models import Report, report_number
from ..protection import redact_report
from .definitions import reader_lang, service_notice, unit_name


def request_record(report: Report, directory: Directory, public_media: str | None = None) -> dict:
    """A report as the public sees it: nothing of the reporter, free text redacted of them; its media_url the
    photo the office made public (``public_media``), else the address the reporter gave (never fetched)."""
    category = directory.category_by_code.get(report.category)
    return {
        "service_request_id": report.report_id,
        "status": "closed" if report.status == "closed" else "open",
        "status_notes": status_notes(report, directory),
        "service_name": category.name_in(reader_lang()) if category else None,
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
        "media_url": public_media or report.media_url,
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
