"""What supervision's HTTP API accepts and answers."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lianxin.schemas import PastTime, StaffCode


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reached: bool
    resolved: Literal["yes", "partly", "no"] | None = None
    satisfaction: Literal["satisfied", "neutral", "dissatisfied"] | None = None
    comment: Annotated[str, Field(max_length=2000)] = ""
    recorded_by: StaffCode
    recorded_at: PastTime = None

    @model_validator(mode="after")
    def _answers_only_when_reached(self):
        if self.reached and (self.resolved is None or self.satisfaction is None):
            raise ValueError("a callback that reached the petitioner records resolved and satisfaction")
        if not self.reached and (self.resolved or self.satisfaction):
            raise ValueError("a callback that did not reach the petitioner cannot record their answers")
        return self


def case_view(case, blockers: list[str] | None = None) -> dict:
    view = {
        "case_id": case.case_id,
        "report_id": case.report_id,
        "unit": case.unit,
        "reporter_id": case.reporter_id,
        "state": case.state,
        "deadline": case.deadline,
        "finding": case.finding,
        "actions_taken": case.actions_taken,
        "responsible_person": case.responsible_person,
        "unit_head": case.unit_head,
        "reported_at": case.reported_at,
        "closed_at": case.closed_at,
        "reopen_count": case.reopen_count,
        "callbacks": [
            {"callback_id": c.callback_id, "reached": c.reached, "resolved": c.resolved,
             "satisfaction": c.satisfaction, "comment": c.comment, "recorded_by": c.recorded_by,
             "recorded_at": c.recorded_at}
            for c in case.callbacks
        ],
    }
    if blockers is not None:
        view["closure_blockers"] = blockers
    return view
