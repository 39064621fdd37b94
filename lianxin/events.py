"""The event contract: every event Lianxin publishes, as CloudEvents 1.0.

This module is the one place that says what an event looks like. Services
validate with it before writing an event to the outbox and again when they
consume one; other bureaus can import it (or read `json_schemas()`) to do the
same.

Routing on the bus follows nameko: each event is published on the exchange
``<publisher>.events`` with the event type as routing key, the body being the
structured CloudEvent as JSON.

No schema has a field for the reporter's name, phone, ID number or address,
and every schema forbids unknown fields, so personal data cannot ride along
by accident: the reporter appears only as the pseudonymous ``reporter_id``.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from lianxin.logs import REQUEST_ID, REQUEST_ID_FORM
from lianxin.redaction import without_personal_numbers

SPECVERSION = "1.0"
DATACONTENTTYPE = "application/json"

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
# How many times the case has been reopened when the event happened. Events of
# different types travel on different queues and may arrive out of order; the
# round tells a consumer whether an event is older than what it already knows.
Round = Annotated[int, Field(ge=0)]
# free text leaves its service without phone or ID numbers in it, whoever typed them (lianxin.redaction)
Text = Annotated[str, Field(max_length=4000), AfterValidator(without_personal_numbers)]
# keyed marks of a reporter's name, phone and ID number (lianxin.redaction.marks_of): dispatch and supervision
# strip staff-written text with them; without the key (which bureaus never get) they reveal nothing. A case's
# list grows with every repeated report joining it (a group petition's hundreds): it is bounded loosely
ReporterMarks = Annotated[list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]], Field(max_length=2000)]
UnitKind = Literal["township", "department"]


class AttachmentRef(BaseModel):
    """All an event says of a photo or document: the file stays with its service, fetched over HTTP with an
    entitled token (lianxin.attachments.models.AttachmentRow.event_view)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[int, Field(ge=1)]
    kind: Literal["photo", "document"]
    size: Annotated[int, Field(ge=1)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


Attachments = Annotated[list[AttachmentRef], Field(max_length=100)]
Severity = Literal["general", "major"]


class InvalidEvent(ValueError):
    """An event that does not meet the contract; the message says why."""


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- intake -----------------------------------------------------------------

class Actor(EventData):
    role: Literal["operator", "officer", "leader", "citizen", "system"]
    code: Annotated[str, Field(min_length=1, max_length=64)]


class ReportReceived(EventData):
    report_id: str
    channel: Literal["hotline", "mailbox", "web", "visit", "reception", "officer", "institution", "open311"]
    category: Code
    category_suggested: bool = False
    township: Code | None = None
    village: Code | None = None
    enterprise: Code | None = None
    # where the matter is, in the reporter's words, redacted like the content (their own address taken out)
    location: Text | None = None
    content: Text
    people_count: Annotated[int, Field(ge=1, le=100000)] = 1
    gathering: bool = False  # people gathering to petition
    duplicate_of: str | None = None  # the open report this one repeats: it joins that case
    reporter_id: str | None = None  # pseudonym; None for an anonymous report
    reporter_marks: ReporterMarks = []
    received_at: datetime
    received_by: Actor
    attachments: Attachments = []  # the photos and documents the reporter sent


class DigestPublished(EventData):
    """A digest for the leaders was produced for an ended period: only what names it and how much it holds."""
    kind: Literal["ten-day", "week"]
    year: int
    issue: Annotated[int, Field(ge=1, le=53)]
    period_start: date
    period_end: date
    reports: Annotated[int, Field(ge=0)]
    published_at: datetime


class ReportRegistered(EventData):
    """Intake's own step after the citizen's answer: the report is stored and waits to be sorted (repeat or
    not, early signs) and announced as ``report.received``. Internal to intake: it names the report and its
    files only (what ``report.received`` will name of them)."""
    report_id: str
    attachments: Attachments = []


class AlertRaised(EventData):
    alert_id: str
    kind: Literal["group_petition", "surge", "recurring_issue", "sensitive_period"]
    message: Text
    township: Code | None = None
    category: Code | None = None
    report_ids: list[str] = []
    raised_at: datetime


# --- dispatch ---------------------------------------------------------------

class CaseDispatched(EventData):
    case_id: str
    report_id: str
    unit: Code
    unit_kind: UnitKind
    category: Code
    township: Code | None = None
    severity: Severity
    deadline: datetime
    routing_reason: Text
    reporter_id: str | None = None
    reporter_marks: ReporterMarks = []  # the case's petitioners', linked reports' too
    received_at: datetime
    dispatched_at: datetime
    redispatch: bool = False  # True when a reopened or returned case goes out again
    round: Round = 0


class CaseAccepted(EventData):
    case_id: str
    unit: Code
    accepted_by: str
    accepted_at: datetime


class CaseReturned(EventData):
    case_id: str
    unit: Code
    reason: Text
    returned_by: str
    returned_at: datetime


class CaseReturnRefused(EventData):
    """The office did not accept the unit's return: the case goes back to the same unit, with the reason."""
    case_id: str
    unit: Code
    reason: Text  # the office's, told to the unit
    refused_by: str
    refused_at: datetime
    deadline: datetime  # the fresh one the case went back with
    round: Round = 0


class CaseReported(EventData):
    case_id: str
    report_id: str
    unit: Code
    finding: Literal["substantiated", "partly_substantiated", "unsubstantiated"]
    actions_taken: Text
    explanation: Text = ""
    petitioner_opinion: Text = ""
    petitioner_acknowledged: bool = False
    responsible_person: str | None = None  # signature of the responsible person
    unit_head: str | None = None  # signature of the unit head / leader in charge
    reported_at: datetime
    deadline: datetime
    on_time: bool
    round: Round = 0
    # the case's petitioners' marks, a repeated report's joined since dispatch too: supervision strips them
    # from what the office writes after this report (callback comments, reasons, review findings)
    reporter_marks: ReporterMarks = []
    attachments: Attachments = []  # the repair photos and the signed document


class CaseExtended(EventData):
    case_id: str
    report_id: str
    unit: Code
    days: Annotated[int, Field(ge=1, le=30)]
    deadline: datetime  # the new one
    reason: Text  # told to the petitioner
    approved_by: str
    extended_at: datetime
    round: Round = 0


class CaseOverdue(EventData):
    case_id: str
    unit: Code
    stage: Literal["near_deadline", "overdue"]
    deadline: datetime
    flagged_at: datetime


# --- supervision ------------------------------------------------------------

class CallbackRecorded(EventData):
    callback_id: str
    case_id: str
    unit: Code
    reached: bool
    resolved: Literal["yes", "partly", "no"] | None = None
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"] | None = None
    recorded_by: str
    recorded_at: datetime
    attachments: Attachments = []  # the evidence the caller kept


class CaseClosed(EventData):
    case_id: str
    report_id: str
    unit: Code
    closed_at: datetime
    deadline: datetime
    on_time: bool
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"] | None = None
    round: Round = 0


# why a case went back: a code, said in the reader's language by whoever shows it (never prose in the event)
ReopenCause = Literal["dissatisfied", "not_resolved", "review_failed", "office"]


class CaseReopened(EventData):
    """Added in v1 without breaking it: ``cause``, ``review_id`` and ``reopened_by``. ``reason`` holds only what
    a person wrote (the office's reason, the review's findings), empty when a callback sent the case back; an
    event published before ``cause`` existed has none, and its ``reason`` is the prose of that time."""
    case_id: str
    report_id: str
    unit: Code
    reason: Text
    reopened_at: datetime
    round: Round  # the new round: the case has now been reopened this many times
    cause: ReopenCause | None = None
    review_id: str | None = None  # the failed review (cause review_failed)
    reopened_by: Annotated[str, Field(max_length=64)] | None = None  # the staff code (cause office)


# what brought a notice of criticism: a case past its deadline, one sent back again and again, or the office's
# own finding that a unit broke the rules
NoticeKind = Literal["overdue", "repeated_reopening", "rule_breaking"]


class NoticeIssued(EventData):
    """Added in v1 without breaking it: ``kind``. ``reason`` holds only what a person wrote (the office's, for
    ``rule_breaking``), empty for the automatic kinds, which the reader says from the kind and the evidence; an
    event published before ``kind`` existed has none, and its ``reason`` is the English prose of that time."""
    notice_id: str
    unit: Code
    reason: Text
    evidence: list[str] = []  # case ids
    issued_at: datetime
    kind: NoticeKind | None = None


class AccountabilityRecorded(EventData):
    """A person held to account (责任追究) over a case. The person is staff, not a petitioner."""
    record_id: str
    person: Annotated[str, Field(max_length=100)]
    post: Annotated[str, Field(max_length=100)] = ""
    unit: Code
    measure: Literal["admonition", "criticism", "removal", "party_discipline", "administrative_discipline"]
    case_id: str
    reason: Text
    recorded_at: datetime


# --- scoring ----------------------------------------------------------------

class UnitScore(EventData):
    unit: Code
    unit_kind: UnitKind
    score: Annotated[float, Field(ge=0, le=100)]
    rank: Annotated[int, Field(ge=1)]
    cases: int
    closure_rate: float | None = None
    on_time_rate: float | None = None
    satisfaction_rate: float | None = None


class AssessmentPublished(EventData):
    assessment_id: str
    period: str  # "2026-11", "2026-Q4" or "2026"
    kind: Literal["regular", "year_end"]
    published_at: datetime
    scores: list[UnitScore]  # the units with cases in the period, ranked
    without_cases: list[Code] = []  # every other unit of the county: no case, nothing to score or rank


class EventType(BaseModel):
    """One entry of the catalogue: who publishes it and its data schema."""
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    name: str
    publisher: str
    consumers: tuple[str, ...]  # Lianxin services that must receive it (their queues are declared up front)
    version: int
    data: type[EventData]
    summary: str

    @property
    def dataschema(self) -> str:
        return f"urn:lianxin:event:{self.name}:v{self.version}"


def _entry(name, publisher, consumers, data, summary, version=1) -> tuple[str, EventType]:
    return name, EventType(name=name, publisher=publisher, consumers=consumers, version=version, data=data,
                           summary=summary)


CATALOGUE: dict[str, EventType] = dict([
    _entry("report.registered", "intake", ("intake",), ReportRegistered,
           "A report was stored and the citizen answered; intake sorts it next (internal to intake)."),
    _entry("report.received", "intake", ("dispatch", "scoring", "supervision"), ReportReceived,
           "A report was taken in from any channel, sorted: a repeat names the open report it joins."),
    _entry("alert.raised", "intake", ("notifications",), AlertRaised,
           "An early sign: group petition, surge or recurring issue."),
    _entry("digest.published", "intake", ("notifications",), DigestPublished,
           "The ten-day (or weekly) information digest of an ended period is out for the leaders."),
    _entry("case.dispatched", "dispatch", ("intake", "supervision", "scoring", "notifications"), CaseDispatched,
           "A case went to its undertaking unit with a deadline."),
    _entry("case.accepted", "dispatch", ("scoring",), CaseAccepted, "The unit accepted the case."),
    _entry("case.returned", "dispatch", (), CaseReturned, "The unit contested the assignment, with a reason."),
    _entry("return.refused", "dispatch", ("notifications",), CaseReturnRefused,
           "The office refused the unit's return: the case went back to it, with the reason and a new deadline."),
    _entry("case.reported", "dispatch", ("supervision", "scoring", "intake"), CaseReported,
           "The unit submitted its handling report."),
    _entry("case.extended", "dispatch", ("intake", "supervision", "scoring"), CaseExtended,
           "The case's one extension (at most 30 days) was approved; the reason is told to the petitioner."),
    _entry("case.overdue", "dispatch", ("supervision", "scoring", "notifications"), CaseOverdue,
           "A case passed (or nears) its deadline."),
    _entry("callback.recorded", "supervision", ("scoring",), CallbackRecorded,
           "The office called the petitioner back."),
    _entry("case.closed", "supervision", ("intake", "dispatch", "scoring"), CaseClosed,
           "The case met the three closure conditions and was closed."),
    _entry("case.reopened", "supervision", ("intake", "dispatch", "scoring", "notifications"), CaseReopened,
           "A bad callback or failed review sent the case back."),
    _entry("notice.issued", "supervision", ("scoring",), NoticeIssued, "A notice of criticism against a unit."),
    _entry("accountability.recorded", "supervision", ("scoring",), AccountabilityRecorded,
           "A person was held to account over a case."),
    _entry("assessment.published", "scoring", (), AssessmentPublished, "Scores and rankings for a period."),
])

PERSONAL_FIELDS = frozenset({"name", "phone", "id_number", "address", "reporter_name", "reporter_phone"})


# a CloudEvents extension attribute: its name lowercase letters and digits, its value a string, number or boolean
EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")
MAX_EXTENSION_LENGTH = 1000  # characters of a string value (a traceparent is 55)


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 structured-mode event whose data is checked against the catalogue.

    Extension attributes (``traceparent``, ``requestid``: the request that caused the event, for following it
    through the logs) are kept and otherwise ignored; the required attributes and the data stay strict.
    """
    model_config = ConfigDict(extra="allow", frozen=True)
    specversion: Literal["1.0"] = SPECVERSION
    id: Annotated[str, Field(min_length=1, max_length=64)]
    source: Annotated[str, Field(min_length=1, max_length=200)]
    type: str
    time: datetime
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    datacontenttype: Literal["application/json"] = DATACONTENTTYPE
    dataschema: str
    data: dict[str, Any]
    # the typed data as validated when the event was built or parsed: a handler asking for it does not pay for
    # validating it again (a consumer's every event; pydantic was 2-6 % of each consumer's CPU, half of it this)
    _payload: EventData | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _extensions_are_cloudevents_attributes(self):
        for name, value in (self.model_extra or {}).items():
            if not EXTENSION_NAME.match(name):
                raise ValueError(f"attribute {name[:40]!r} is not a CloudEvents attribute or extension name "
                                 f"(lowercase letters and digits, at most 20)")
            if not isinstance(value, (str, int, bool)) or isinstance(value, str) and (
                    len(value) > MAX_EXTENSION_LENGTH or "\x00" in value):
                raise ValueError(f"extension {name!r} must be a string of at most {MAX_EXTENSION_LENGTH} "
                                 f"characters, a number or a boolean")
        return self

    @property
    def requestid(self) -> str | None:
        """The request that caused the event (the ``requestid`` extension), if one did and it is fit to log."""
        value = (self.model_extra or {}).get("requestid")
        return value if isinstance(value, str) and REQUEST_ID_FORM.match(value) else None

    @property
    def publisher(self) -> str:
        return CATALOGUE[self.type].publisher

    def payload(self) -> EventData:
        """The data as its typed schema: the one ``new_event`` or ``parse_event`` validated, else validated now."""
        if self._payload is not None:
            return self._payload
        return CATALOGUE[self.type].data.model_validate(self.data)

    def to_json(self) -> str:
        return self.model_dump_json()


def source_of(service: str) -> str:
    return f"/lianxin/{service}"


def new_event(event_type: str, subject: str, data: dict | EventData, *,
              time: datetime | None = None) -> CloudEvent:
    """Build and validate an event of a catalogued type; raises InvalidEvent."""
    entry = _catalogue_entry(event_type)
    payload = data if isinstance(data, EventData) else _validate_data(entry, data)
    if not isinstance(payload, entry.data):
        raise InvalidEvent(f"{event_type}: data must be {entry.data.__name__}, not {payload.__class__.__name__}")
    caused_by = {"requestid": request_id} if (request_id := REQUEST_ID.get()) else {}
    event = CloudEvent(
        **caused_by,
        id=str(uuid.uuid4()),
        source=source_of(entry.publisher),
        type=event_type,
        time=time or datetime.now(timezone.utc),
        subject=subject,
        dataschema=entry.dataschema,
        data=payload.model_dump(mode="json"),
    )
    event._payload = payload
    return event


def parse_event(body: Any, expected_type: str | None = None) -> CloudEvent:
    """Validate a received body (bytes, str or dict) against the contract.

    Raises InvalidEvent with a reason fit for a dead-letter header.
    """
    raw = _as_dict(body)
    try:
        event = CloudEvent.model_validate(raw)
    except ValidationError as exc:
        raise InvalidEvent(f"not a valid CloudEvent: {_reasons(exc)}") from None
    entry = _catalogue_entry(event.type)
    if expected_type and event.type != expected_type:
        raise InvalidEvent(f"expected type {expected_type!r}, got {event.type!r}")
    if event.dataschema != entry.dataschema:
        raise InvalidEvent(f"{event.type}: unsupported dataschema {event.dataschema!r}, expected {entry.dataschema!r}")
    if event.source != source_of(entry.publisher):
        raise InvalidEvent(f"{event.type}: source must be {source_of(entry.publisher)!r}, got {event.source!r}")
    event._payload = _validate_data(entry, event.data)
    return event


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every event's data, keyed by type, for subscribers in other languages."""
    return {
        name: {"publisher": e.publisher, "consumers": list(e.consumers), "dataschema": e.dataschema,
               "summary": e.summary,
               "schema": e.data.model_json_schema()}
        for name, e in CATALOGUE.items()
    }


def _catalogue_entry(event_type: str) -> EventType:
    try:
        return CATALOGUE[event_type]
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r}") from None


def _validate_data(entry: EventType, data: dict) -> EventData:
    leaked = PERSONAL_FIELDS & set(data)
    if leaked:
        raise InvalidEvent(f"{entry.name}: personal data must not leave intake ({', '.join(sorted(leaked))})")
    try:
        return entry.data.model_validate(data)
    except ValidationError as exc:
        raise InvalidEvent(f"{entry.name} data: {_reasons(exc)}") from None


def _as_dict(body: Any) -> dict:
    if isinstance(body, (bytes, bytearray)):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEvent("body is not UTF-8") from None
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise InvalidEvent(f"body is not JSON: {exc.msg} at position {exc.pos}") from None
        except RecursionError:
            raise InvalidEvent("body nests arrays or objects too deeply") from None
    if not isinstance(body, dict):
        raise InvalidEvent(f"body must be a JSON object, got {type(body).__name__}")
    return body


def _reasons(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()[:5]
    )


__all__ = [
    "CATALOGUE", "CloudEvent", "EventData", "InvalidEvent", "new_event", "parse_event", "json_schemas",
    "source_of",
]
