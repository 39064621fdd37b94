from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings

from .assessment import Scheme


class ScoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", extra="ignore")
    service = "scoring"
    default_port = 8004

    # the assessment scheme: weights of the rates (summing to 1), deductions, their cap, the veto
    weight_closure: float = Field(0.4, ge=0, le=1)
    weight_timeliness: float = Field(0.3, ge=0, le=1)
    weight_satisfaction: float = Field(0.3, ge=0, le=1)
    deduction_per_notice: float = Field(5.0, ge=0, le=100)
    deduction_per_accountability: float = Field(3.0, ge=0, le=100)
    deduction_cap: float = Field(30.0, ge=0, le=100, description="deductions take at most this much")
    veto_measures: str = Field("removal,party_discipline", description="accountability that vetoes (一票否决)")
    # the year-end assessment: regular assessments and the year-end review, in this ratio
    year_end_regular_share: float = Field(0.6, ge=0, le=1)
    # awards
    best_handling_min_cases: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _weights_sum_to_one(self):
        total = self.weight_closure + self.weight_timeliness + self.weight_satisfaction
        if abs(total - 1) > 1e-6:
            raise ValueError(f"SCORING_WEIGHT_CLOSURE, _TIMELINESS and _SATISFACTION must sum to 1, not {total}")
        return self

    def extra_config(self) -> dict:
        return {"SCHEME": Scheme(
            closure=self.weight_closure, timeliness=self.weight_timeliness, satisfaction=self.weight_satisfaction,
            per_notice=self.deduction_per_notice, per_accountability=self.deduction_per_accountability,
            cap=self.deduction_cap, veto=tuple(m.strip() for m in self.veto_measures.split(",") if m.strip()),
            year_end_regular_share=self.year_end_regular_share, best_handling_min_cases=self.best_handling_min_cases)}
