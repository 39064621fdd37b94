"""What intake's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.events import Actor
from lianxin.schemas import PastTime

Channel = Literal["hotline", "mailbox", "web", "visit", "reception_day", "officer", "institution"]


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str | None, Field(max_length=100)] = None
    phone: Annotated[str | None, Field(pattern=r"^\+?[0-9\- ]{5,20}$")] = None
    id_number: Annotated[str | None, Field(pattern=r"^[0-9]{17}[0-9Xx]$")] = None
    address: Annotated[str | None, Field(max_length=300)] = None


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    channel: Channel
    category: Annotated[str | None, Field(max_length=64)] = None  # suggested from the content when absent
    township: Annotated[str | None, Field(max_length=64)] = None
    village: Annotated[str | None, Field(max_length=64)] = None
    enterprise: Annotated[str | None, Field(max_length=64)] = None
    content: Annotated[str, Field(min_length=1, max_length=4000)]
    people_count: Annotated[int, Field(ge=1, le=100000)] = 1
    reporter: ReporterIn | None = None  # absent: an anonymous report
    received_at: PastTime = None
    received_by: Actor


def masked_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone.replace(" ", "").replace("-", "")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


def masked_name(name: str | None) -> str | None:
    return name[0] + "*" * (len(name) - 1) if name else name


def masked_id_number(number: str | None) -> str | None:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if number else number


def masked_address(address: str | None) -> str | None:
    return address[:6] + "…" if address and len(address) > 6 else address and address[:2] + "…"


def report_view(report) -> dict:
    """A report as staff see it by default: personal data masked."""
    return {
        "report_id": report.report_id,
        "channel": report.channel,
        "category": report.category,
        "category_suggested": report.category_suggested,
        "township": report.township,
        "village": report.village,
        "enterprise": report.enterprise,
        "content": report.content,
        "people_count": report.people_count,
        "reporter_id": report.reporter_id,
        "reporter": {
            "name": masked_name(report.reporter_name),
            "phone": masked_phone(report.reporter_phone),
            "id_number": masked_id_number(report.reporter_id_number),
            "address": masked_address(report.reporter_address),
        } if any((report.reporter_name, report.reporter_phone, report.reporter_id_number,
                  report.reporter_address)) else None,
        "received_at": report.received_at,
        "received_by": {"role": report.received_by_role, "code": report.received_by},
        "status": report.status,
        "case_id": report.case_id,
        "unit": report.unit,
        "expected_at": report.expected_at,
        "updated_at": report.updated_at,
    }
