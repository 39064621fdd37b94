"""What dispatch's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.schemas import PastTime, Signature, StaffCode


class AcceptanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    accepted_by: StaffCode
    accepted_at: PastTime = None


class HandlingReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    finding: Literal["substantiated", "partly_substantiated", "unsubstantiated"]
    actions_taken: Annotated[str, Field(min_length=1, max_length=4000)]
    explanation: Annotated[str, Field(max_length=4000)] = ""
    petitioner_opinion: Annotated[str, Field(max_length=4000)] = ""
    petitioner_acknowledged: bool = False
    responsible_person: Signature = None
    unit_head: Signature = None
    submitted_by: StaffCode
    reported_at: PastTime = None


def case_view(case) -> dict:
    return {
        "case_id": case.case_id,
        "report_id": case.report_id,
        "state": case.state,
        "unit": case.unit,
        "unit_kind": case.unit_kind,
        "category": case.category,
        "township": case.township,
        "severity": case.severity,
        "routing_reason": case.routing_reason,
        "channel": case.channel,
        "matter": case.matter,
        "people_count": case.people_count,
        "reporter_id": case.reporter_id,
        "received_at": case.received_at,
        "dispatched_at": case.dispatched_at,
        "deadline": case.deadline,
        "accepted_at": case.accepted_at,
        "closed_at": case.closed_at,
        "reopen_count": case.reopen_count,
        "linked_reports": case.linked_reports or [],
        "handling_reports": [
            {"finding": r.finding, "actions_taken": r.actions_taken, "explanation": r.explanation,
             "petitioner_opinion": r.petitioner_opinion, "petitioner_acknowledged": r.petitioner_acknowledged,
             "responsible_person": r.responsible_person, "unit_head": r.unit_head,
             "submitted_by": r.submitted_by, "reported_at": r.reported_at}
            for r in case.reports
        ],
    }
