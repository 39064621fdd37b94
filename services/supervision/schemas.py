"""What supervision's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lianxin.i18n.kept_texts import to_reader
from lianxin.schemas import PastTime, StaffCode

from . import texts
from .closure import blockers_now, can_change


class CallbackIn(BaseModel):
    """A callback's answers; whether they fit ``reached`` is the office's rule (callbacks.record_callback), said
    naming each question as the form asks it."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reached: bool
    resolved: Literal["yes", "partly", "no"] | None = None
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"] | None = None
    comment: Annotated[str, Field(max_length=2000)] = ""
    recorded_by: StaffCode | None = None  # ignored in a body: the signed-in person (or "citizen", by the link)
    recorded_at: PastTime = None


class CitizenRatingIn(BaseModel):
    """The petitioner rates the handling of their own case through their link."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    resolved: Literal["yes", "partly", "no"]
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"]
    comment: Annotated[str, Field(max_length=2000)] = ""


class ReviewRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Field(min_length=4, max_length=2000)]


class ReopeningIn(BaseModel):
    """The office sends a case back to its unit: the handling does not stand (a complaint, an inspection)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: Annotated[str, Field(min_length=4, max_length=2000)]


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    outcome: Literal["upheld", "failed"]
    findings: Annotated[str, Field(min_length=4, max_length=4000)]


def review_view(r, case=None) -> dict:
    """A review; ``can_change_outcome``: whether concluding it can still change the case's outcome (closure.py),
    the only reviews the office is offered to conclude (without the case at hand: every open review can, as
    those of a round left behind are set aside when the case goes back)."""
    return {"review_id": r.review_id, "case_id": r.case_id, "level": r.level, "trigger": r.trigger,
            "reason": texts.read(r.reason), "round": r.round, "opened_at": r.opened_at, "due_at": r.due_at,
            "outcome": r.outcome, "findings": r.findings, "concluded_at": r.concluded_at,
            "concluded_by": r.concluded_by,
            "can_change_outcome": can_change(r, case) if case is not None else r.outcome is None}


def public_view(case, repair_photos: list[dict] | None = None, rated: bool = False) -> dict:
    """What the petitioner sees of their own case: its progress, nothing about other people; the repair
    photos as dispatch's paths signed for them (evidence.repair_photo_links); whether they rated its latest
    answer already (``rated``: callbacks.rated)."""
    return {"repair_photos": repair_photos or [], "case_id": case.case_id, "state": case.state, "rated": rated,
            "deadline": case.deadline,
            "finding": case.finding, "actions_taken": case.actions_taken, "reported_at": case.reported_at,
            "closed_at": case.closed_at, "reopen_count": case.reopen_count,
            "reviews": [{"level": r.level, "outcome": r.outcome, "due_at": r.due_at} for r in case.reviews]}


def case_view(case, blockers: list[str] | None = None, attachments: list[dict] | None = None,
              petitioner: bool = True) -> dict:
    """The case as staff read it; ``petitioner`` False leaves out the pseudonym (access.shows_petitioner)."""
    view = {
        "case_id": case.case_id,
        "report_id": case.report_id,
        "unit": case.unit,
        "reporter_id": case.reporter_id if petitioner else None,
        "anonymous": case.anonymous,
        "state": case.state,
        "deadline": case.deadline,
        "finding": case.finding,
        "actions_taken": case.actions_taken,
        "responsible_person": case.responsible_person,
        "unit_head": case.unit_head,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "reopen_count": case.reopen_count,
        "reviews": [review_view(r, case) for r in case.reviews],
        "callbacks": [
            {"callback_id": c.callback_id, "reached": c.reached, "resolved": c.resolved,
             "satisfaction": c.satisfaction, "comment": c.comment, "recorded_by": c.recorded_by,
             "recorded_at": c.recorded_at, "repeat_report": c.repeat_report}
            for c in case.callbacks
        ],
    }
    # what would refuse closing it, as soon as the unit has reported (given: what an action just found)
    view["closure_blockers"] = [to_reader(b) for b in (blockers_now(case) if blockers is None else blockers)]
    if attachments is not None:  # read one case: the evidence of its callbacks and reviews
        view["attachments"] = attachments
    return view
