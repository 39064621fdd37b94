from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.attachments.config import AttachmentSettings
from lianxin.citizen_link import DEVELOPMENT_LINK_KEY, LINK_KEY_VARIABLE
from lianxin.settings import ServiceSettings


class SupervisionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERVISION_", extra="ignore")
    service = "supervision"
    default_port = 8003
    development_secrets = {"link_key": DEVELOPMENT_LINK_KEY}

    callback_retry_hours: int = Field(4, ge=1, description="when to try again after not reaching the petitioner")
    callback_max_attempts: int = Field(3, ge=1, description="attempts before a callback counts as failed")
    reopen_notice_after: int = Field(2, ge=1, description="reopenings of one case that bring a notice")
    review_sample_percent: int = Field(5, ge=0, le=100, description="handling reports reviewed at random")
    # key of the per-case secret in the link a citizen uses to see and rate their case
    link_key: str = Field(DEVELOPMENT_LINK_KEY, validation_alias=LINK_KEY_VARIABLE, min_length=8)
    # wrong link secrets allowed per client address and per case within the window, then 429 until it moves on
    link_failures: int = Field(10, ge=1, description="wrong link secrets allowed per address and per case")
    link_failure_minutes: int = Field(10, ge=1, description="the window those are counted in")
    # the evidence of callbacks and reviews (LIANXIN_ATTACHMENTS_*)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)
    # the console's address as supervision sees it: from there X-Forwarded-For names the citizen (one hop)
    console_proxy: str | None = Field(None, description="the console's address, trusted to name the citizen's")

    def extra_config(self) -> dict:
        return {"ATTACHMENTS": self.attachments.model_dump(mode="json"),
                "CALLBACKS": {"retry_hours": self.callback_retry_hours, "max_attempts": self.callback_max_attempts},
                "REOPEN_NOTICE_AFTER": self.reopen_notice_after, "REVIEW_SAMPLE_PERCENT": self.review_sample_percent,
                "LINK_KEY": self.link_key, "LINK_FAILURES": self.link_failures,
                "LINK_FAILURE_MINUTES": self.link_failure_minutes, "CONSOLE_PROXY": self.console_proxy}
