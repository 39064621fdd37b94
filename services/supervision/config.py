from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings


class SupervisionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERVISION_", extra="ignore")
    service = "supervision"
    default_port = 8003
