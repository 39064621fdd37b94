from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service = "intake"
    default_port = 8001

    # HMAC key that turns a reporter's identity into a stable pseudonymous id.
    pseudonym_key: str = Field("lianxin-development-key", validation_alias="LIANXIN_PSEUDONYM_KEY", min_length=8)

    def extra_config(self) -> dict:
        return {"PSEUDONYM_KEY": self.pseudonym_key}
