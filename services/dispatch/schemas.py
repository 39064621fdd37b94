"""What dispatch's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.schemas import PastTime, Signature, StaffCode

from . import texts

# history lines whose note is a person's own words or a code the reader labels (a finding), not the office's text
WRITTEN_AS_IS = {"report", "return"}  # a reopening reason may be a message of the catalogue (supervision's closure.py)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Reason = Annotated[str, Field(min_length=2, max_length=2000)]


class AcceptanceIn(_In):
    accepted_at: PastTime = None


class HandlingReportIn(_In):
    """The handling report (办理报告): finding, what was done, signatures, the petitioner's opinion."""
    finding: Literal["substantiated", "partly_substantiated", "unsubstantiated"]
    actions_taken: Annotated[str, Field(min_length=1, max_length=4000)]
    explanation: Annotated[str, Field(max_length=4000)] = ""
    petitioner_opinion: Annotated[str, Field(max_length=4000)] = ""
    petitioner_acknowledged: bool = False
    responsible_person: Signature = None
    unit_head: Signature = None
    reported_at: PastTime = None


class ReturnIn(_In):
    reason: Reason


class RouteIn(_In):
    unit: StaffCode
    reason: Reason


class ExtensionRequestIn(_In):
    days: Annotated[int, Field(ge=1, le=30)]
    reason: Reason  # told to the petitioner


class ExtensionApprovalIn(_In):
    approved_by: StaffCode  # the leader who approved


class InstructionIn(_In):
    leader: StaffCode
    comment: Annotated[str, Field(min_length=1, max_length=2000)]
    instructed_at: PastTime = None


class TeamIn(_In):
    lead_leader: StaffCode | None = None
    responsible_person: Signature = None
    members: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)] = []
    plan: Annotated[str, Field(max_length=4000)] = ""


def case_view(case, attachments: dict | None = None, shows_matter: bool = True, shows_reporter: bool = True) -> dict:
    """The case; with ``attachments`` (handling.attachments_of), each handling report lists its files; what the
    citizen said and who reported withheld where the reader may not read them (``access.shows_matter``,
    ``access.shows_reporter``)."""
    attachments = attachments or {}
    return {
        "case_id": case.case_id,
        "report_id": case.report_id,
        "state": case.state,
        "unit": case.unit,
        "unit_kind": case.unit_kind,
        "category": case.category,
        "township": case.township,
        "village": case.village,
        "enterprise": case.enterprise,
        "location": case.location,
        "severity": case.severity,
        "routing_reason": texts.read(case.routing_reason),
        "channel": case.channel,
        "matter": case.matter if shows_matter else None,
        "matter_access": "shown" if shows_matter else "withheld",
        "people_count": case.people_count,
        "reporter_id": case.reporter_id if shows_reporter else None,
        "received_at": case.received_at,
        "dispatched_at": case.dispatched_at,
        "deadline": case.deadline,
        "accepted_at": case.accepted_at,
        "closed_at": case.closed_at,
        "reopen_count": case.reopen_count,
        "first_receiver": case.first_receiver,
        "team": {"lead_leader": case.lead_leader, "responsible_person": case.responsible_person,
                 "members": case.team_members or [], "plan": case.plan},
        "extension": {"requested_days": case.extension_requested_days, "days": case.extension_days,
                      "reason": case.extension_reason, "approved_by": case.extension_approved_by},
        "instructions": [{"leader": i.leader, "level": i.level, "comment": i.comment,
                          "instructed_at": i.instructed_at} for i in case.instructions],
        "overdue": "overdue:" + str(case.reopen_count) in (case.flags or []),
        "linked_reports": case.linked_reports or [],
        "handling_reports": [
            {"finding": r.finding, "actions_taken": r.actions_taken, "explanation": r.explanation,
             "petitioner_opinion": r.petitioner_opinion, "petitioner_acknowledged": r.petitioner_acknowledged,
             "responsible_person": r.responsible_person, "unit_head": r.unit_head,
             "submitted_by": r.submitted_by, "reported_at": r.reported_at,
             "attachments": [attachment_view(a) for a in attachments.get(r.id, [])]}
            for r in case.reports
        ],
    }


def attachment_view(row) -> dict:
    """What staff see of a file; it is fetched at /cases/{case_id}/attachments/{hash}."""
    return {"id": row.id, "kind": row.kind, "name": row.name, "media_type": row.media_type, "size": row.size,
            "hash": row.hash, "width": row.width, "height": row.height, "created_by": row.created_by,
            "created_at": row.created_at}


def history_view(case) -> list[dict]:
    return [{"action": e.action, "from_state": e.from_state, "to_state": e.to_state, "unit": e.unit, "by": e.by,
             "at": e.at, "note": e.note if e.action in WRITTEN_AS_IS else texts.read(e.note)} for e in case.history]
