from datetime import date

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.attachments.config import AttachmentSettings
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
    # count deadlines in working days (Monday to Friday, less the holidays) instead of calendar days
    working_days: bool = False
    holidays: str = Field("", description="dates off work, YYYY-MM-DD, comma-separated")
    near_deadline_hours: int = Field(24, ge=1, description="how long before a deadline a case is flagged")
    # the handling reports' photos and signed documents (LIANXIN_ATTACHMENTS_*)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)

    def extra_config(self) -> dict:
        return {"DEADLINES": {"general": self.general_days, "major": self.major_days,
                              "working_days": self.working_days, "holidays": parse_dates(self.holidays)},
                "GROUP_SIZE": self.group_size, "NEAR_DEADLINE_HOURS": self.near_deadline_hours,
                "ATTACHMENTS": self.attachments.model_dump(mode="json")}


def parse_dates(text: str) -> list[str]:
    days = [d.strip() for d in text.split(",") if d.strip()]
    for day in days:
        date.fromisoformat(day)  # a bad date stops the start with its own message
    return days
