"""What intake's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, model_validator

from lianxin.phones import PhoneNumber
from lianxin.schemas import PastTime
from lianxin.vocabulary import STAFF_CHANNELS

from .models import report_number
from .protection import reporter_masked

Channel = Literal[STAFF_CHANNELS]  # the channels staff take reports by (lianxin.vocabulary)
Code = Annotated[str, Field(min_length=1, max_length=64)]


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str | None, Field(min_length=1, max_length=100)] = None
    phone: PhoneNumber | None = None
    id_number: Annotated[str | None, Field(pattern=r"^[0-9]{17}[0-9Xx]$")] = None
    address: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    sms: bool = True  # told by SMS of the report's number and lookup code and as the case goes on; False: not


class PlaceIn(BaseModel):
    """Where the matter is: a township, village or enterprise of the directory, optionally coordinates."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    township: Code | None = None
    village: Code | None = None
    enterprise: Code | None = None
    location: Annotated[str | None, Field(min_length=1, max_length=300)] = None
    latitude: Annotated[float | None, Field(ge=-90, le=90)] = None
    longitude: Annotated[float | None, Field(ge=-180, le=180)] = None

    @model_validator(mode="after")
    def _coordinates_in_pairs(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


class ReportIn(PlaceIn):
    channel: Channel
    category: Code | None = None  # suggested from the content when absent
    content: Annotated[str, Field(min_length=1, max_length=4000)]
    media_url: Annotated[AnyHttpUrl, UrlConstraints(max_length=500)] | None = None
    people_count: Annotated[int, Field(ge=1, le=100000)] = 1
    gathering: bool = False  # people are gathering to petition: an alert goes out at once
    reporter: ReporterIn | None = None  # absent: an anonymous report
    received_at: PastTime = None


class CorrectionIn(PlaceIn):
    """Fields staff may correct after intake; each change is kept with its reason."""
    category: Code | None = None
    content: Annotated[str | None, Field(min_length=1, max_length=4000)] = None
    people_count: Annotated[int | None, Field(ge=1, le=100000)] = None
    reason: Annotated[str, Field(min_length=2, max_length=1000)]


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    purpose: Annotated[str, Field(min_length=4, max_length=500)]


def report_view(report, duplicates: list[str] | None = None, sight=None) -> dict:
    """A report as one member of staff sees it (``access.Sight``), or without one as stored (the petitioner's
    own export): personal data masked at most."""
    content, content_access = sight.content(report, report.content) if sight else (report.content, "clear")
    return {
        "report_id": report.report_id,
        "channel": report.channel,
        "category": report.category,
        "category_suggested": report.category_suggested,
        "township": report.township,
        "village": report.village,
        "enterprise": report.enterprise,
        "location": sight.place(report, report.location) if sight else report.location,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "content": content,
        "content_access": content_access,
        "media_url": report.media_url,
        "people_count": report.people_count,
        "gathering": report.gathering,
        "reporter_id": report.reporter_id if sight is None or sight.shows_reporter else None,
        "reporter": sight.reporter(report) if sight else reporter_masked(report),
        "received_at": report.received_at,
        "received_by": {"role": report.received_by_role, "code": report.received_by},
        "duplicate_of": report.duplicate_of and report_number(report.duplicate_of),
        "duplicates": duplicates or [],
        "status": report.status,
        "case_id": report.case_id,
        "unit": report.unit,
        "expected_at": report.expected_at,
        "updated_at": report.updated_at,
        "corrections": [_correction_view(report, c, sight) for c in report.corrections],
    }


def _correction_view(report, c, sight) -> dict:
    before, after = c.before, c.after
    if sight and c.field == "content":  # an earlier text is read as the text is
        before, after = sight.content(report, before)[0], sight.content(report, after)[0]
    elif sight and c.field == "location":
        before, after = sight.place(report, before), sight.place(report, after)
    return {"field": c.field, "before": before, "after": after, "reason": c.reason, "corrected_by": c.corrected_by,
            "corrected_at": c.corrected_at}
