"""What scoring's HTTP API accepts and answers."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from lianxin.i18n import N_
from lianxin.i18n.kept_texts import READER

from . import outcomes
from .assessment import period_bounds

YEAR_END_PERIOD = N_("must be a year (YYYY): a year-end assessment covers a whole year")


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["regular", "year_end"] = "regular"  # first: the period is checked against it
    period: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", description="YYYY-MM, YYYY-Qn or YYYY")

    @field_validator("period")
    @classmethod
    def _period_fits(cls, period: str, info: ValidationInfo) -> str:
        period_bounds(period)  # e.g. year 0 fits the pattern, not the calendar
        if info.data.get("kind") == "year_end" and len(period) != 4:
            raise ValueError(YEAR_END_PERIOD)
        return period


class YearEndReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    unit: str = Field(min_length=1, max_length=64)
    score: float = Field(ge=0, le=100)


def assessment_view(a, lang: str | None = None) -> dict:
    """The assessment as the API answers it, its outcomes' reasons said in ``lang`` (by default the language of
    the request being answered)."""
    lang = lang or READER.get().lang
    return {"assessment_id": a.assessment_id, "period": a.period, "kind": a.kind, "published_at": a.published_at,
            "scores": a.scores, "without_cases": a.without_cases or [],
            "outcomes": outcomes.read(a.outcomes or [], lang),
            "supersedes": f"A{a.supersedes:06d}" if a.supersedes else None, "explanation": a.explanation or []}
