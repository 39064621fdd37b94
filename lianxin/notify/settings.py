"""The settings of a service that sends SMS, declared once: notifications (to staff) and intake (to
petitioners) each read them under their own prefix, so an office may give each its own provider account."""
from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .schedule import QuietHours


class SmsSettings(BaseSettings):
    # compose's ${VAR:-} hands an unset variable over empty: that means the default, here and (its config
    # coming last when mixed in) in the service settings beside it
    model_config = SettingsConfigDict(env_ignore_empty=True)

    # SMS: log (development), aliyun (Alibaba Cloud SendSms), or an office's own module:Class
    sms_gateway: str = "log"
    sms_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    sms_region: str = "cn-hangzhou"
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = Field("群众工作办公室", min_length=2, max_length=20, description="the 【signature】")
    sms_templates: dict[str, str] = Field({}, description='JSON: Lianxin template -> provider template code')
    # when and how often
    quiet_hours: str = Field("22:00-07:00", description="no SMS that is not urgent then (county time); '' for none")
    max_attempts: int = Field(5, ge=1, le=50)
    retry_base_seconds: float = Field(30, gt=0, le=86400, description="first retry after this; doubling")
    send_timeout: float = Field(10, gt=0, le=120)
    send_batch: int = Field(20, ge=1, le=1000)
    # delivery receipts (a gateway that gives them): first asked after this, then more rarely, for at most
    receipt_first_seconds: float = Field(60, gt=0, le=86400, description="the first receipt asked for after this")
    receipt_window_hours: float = Field(72, gt=0, le=720, description="no receipt by then: none will come")

    @model_validator(mode="after")
    def _readable_schedule(self):
        QuietHours.parse(self.quiet_hours)  # a ValueError names the setting's problem
        if self.sms_gateway == "aliyun" and not (self.sms_access_key_id and self.sms_access_key_secret):
            prefix = self.model_config.get("env_prefix", "")
            raise ValueError(f"{prefix}SMS_GATEWAY is aliyun: set {prefix}SMS_ACCESS_KEY_ID and "
                             f"{prefix}SMS_ACCESS_KEY_SECRET")
        return self

    def notify_config(self) -> dict:
        """The service config's ``NOTIFY``: what ``sending()`` makes the gateway and schedule from."""
        return {"SMS_GATEWAY": self.sms_gateway,
                "SMS": {"endpoint": self.sms_endpoint, "region": self.sms_region,
                        "access_key_id": self.sms_access_key_id, "access_key_secret": self.sms_access_key_secret,
                        "sign_name": self.sms_sign_name, "templates": self.sms_templates, "timeout": self.send_timeout},
                "QUIET_HOURS": self.quiet_hours, "MAX_ATTEMPTS": self.max_attempts,
                "RETRY_BASE_SECONDS": self.retry_base_seconds, "BATCH": self.send_batch,
                "RECEIPT_FIRST_SECONDS": self.receipt_first_seconds, "RECEIPT_WINDOW_HOURS": self.receipt_window_hours}
