from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings


class ScoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", extra="ignore")
    service = "scoring"
    default_port = 8004

    # the assessment scheme (issue 6 makes it richer); weights must sum to 1
    weight_closure: float = Field(0.4, ge=0, le=1)
    weight_timeliness: float = Field(0.3, ge=0, le=1)
    weight_satisfaction: float = Field(0.3, ge=0, le=1)
    deduction_per_notice: float = Field(5.0, ge=0, le=100)
    timezone: str = Field("Asia/Shanghai", description="periods are calendar months of the county's time zone")

    def extra_config(self) -> dict:
        return {"SCHEME": {"closure": self.weight_closure, "timeliness": self.weight_timeliness,
                           "satisfaction": self.weight_satisfaction, "per_notice": self.deduction_per_notice},
                "TIMEZONE": self.timezone}
