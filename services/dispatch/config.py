from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")
    service = "dispatch"
    default_port = 8002

    # county rule: general matters within a week, major or difficult ones within two
    general_days: int = Field(7, ge=1, le=60)
    major_days: int = Field(14, ge=1, le=60)
    # a report about this many people or more is a group matter, handled as major
    group_size: int = Field(5, ge=2)

    def extra_config(self) -> dict:
        return {"DEADLINE_DAYS": {"general": self.general_days, "major": self.major_days},
                "GROUP_SIZE": self.group_size}
