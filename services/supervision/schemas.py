"""What supervision's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from lianxin.i18n import N_
from lianxin.i18n.kept_texts import to_reader
from lianxin.schemas import PastTime, StaffCode

from . import texts
from .closure import blockers_now

ANSWER_NEEDED = N_("must be answered when the petitioner was reached")
NO_ANSWER_WITHOUT_REACHING = N_("is not recorded when the petitioner was not reached")


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reached: bool  # first: the answers are checked against it
    resolved: Literal["yes", "partly", "no"] | None = Field(None, validate_default=True)
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"] | None = Field(None, validate_default=True)
    comment: Annotated[str, Field(max_length=2000)] = ""
    recorded_by: StaffCode | None = None  # ignored in a body: the signed-in person (or "citizen", by the link)
    recorded_at: PastTime = None

    @field_validator("resolved", "satisfaction")
    @classmethod
    def _answers_only_when_reached(cls, answer: str | None, info: ValidationInfo) -> str | None:
        """A petitioner reached answers both questions; one not reached answered none (said per field)."""
        reached = info.data.get("reached")  # absent when itself refused: that is said already
        if reached and answer is None:
            raise ValueError(ANSWER_NEEDED)
        if reached is False and answer is not None:
            raise ValueError(NO_ANSWER_WITHOUT_REACHING)
        return answer


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


def review_view(r) -> dict:
    return {"review_id": r.review_id, "case_id": r.case_id, "level": r.level, "trigger": r.trigger,
            "reason": texts.read(r.reason), "round": r.round, "opened_at": r.opened_at, "due_at": r.due_at,
            "outcome": r.outcome, "findings": r.findings, "concluded_at": r.concluded_at,
            "concluded_by": r.concluded_by}


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
        "reviews": [review_view(r) for r in case.reviews],
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
