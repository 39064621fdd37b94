from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.notify.settings import SmsSettings
from lianxin.settings import ServiceSettings


class NotificationsSettings(ServiceSettings, SmsSettings):
    """The SMS provider, quiet hours and retries are ``SmsSettings`` (NOTIFICATIONS_SMS_GATEWAY…); here e-mail."""
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", env_ignore_empty=True)
    service = "notifications"
    default_port = 8006

    # e-mail: an SMTP server; none named, e-mails are only written to the log (development)
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = Field("lianxin@localhost", description="the From of every e-mail")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False

    def extra_config(self) -> dict:
        return {"NOTIFY": {
            "SMTP": {"host": self.smtp_host, "port": self.smtp_port, "sender": self.smtp_from,
                     "username": self.smtp_username, "password": self.smtp_password,
                     "starttls": self.smtp_starttls, "timeout": self.send_timeout},
            **self.notify_config()}}
