from datetime import date

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from lianxin.attachments.config import AttachmentSettings
from lianxin.citizen_link import DEVELOPMENT_LINK_KEY, LINK_KEY_VARIABLE
from lianxin.notify.settings import SmsSettings
from lianxin.settings import ServiceSettings

from .protection import DEVELOPMENT_PII_KEY  # a real office sets LIANXIN_PII_KEYS (`lianxin pii-key`)
from .similarity import AT_LEAST

DEVELOPMENT_PSEUDONYM_KEY = "lianxin-development-key"


class IntakeSettings(ServiceSettings, SmsSettings):
    """The petitioner's SMS go through ``SmsSettings`` (INTAKE_SMS_GATEWAY, INTAKE_QUIET_HOURS…)."""
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service = "intake"
    default_port = 8001

    development_secrets = {"pseudonym_key": DEVELOPMENT_PSEUDONYM_KEY, "pii_keys": DEVELOPMENT_PII_KEY,
                           "link_key": DEVELOPMENT_LINK_KEY}

    batch_size: int = Field(20, ge=1, le=1000)  # intake answers the public: short pauses for its own events

    # HMAC key that turns a reporter's identity into a stable pseudonymous id.
    pseudonym_key: str = Field(DEVELOPMENT_PSEUDONYM_KEY, validation_alias="LIANXIN_PSEUDONYM_KEY", min_length=8)
    # Fernet keys for personal data at rest, comma-separated: the first encrypts, all decrypt.
    pii_keys: str = Field(DEVELOPMENT_PII_KEY, validation_alias="LIANXIN_PII_KEYS")
    # the petitioner's lookup code is derived under supervision's key: one variable for both
    link_key: str = Field(DEVELOPMENT_LINK_KEY, validation_alias=LINK_KEY_VARIABLE, min_length=8)
    # where petitioners open their case (the console's public address), in the link their SMS carries
    public_address: str = Field("http://127.0.0.1:8000", pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    # Open311 api_keys of the public clients (web portal, apps), comma-separated.
    open311_api_keys: str = "lianxin-web-portal"
    open311_rate_per_minute: int = Field(120, ge=1, description="Open311 requests per client address a minute")

    # early warning
    group_size: int = Field(5, ge=2, description="people involved from which a report is a group matter")
    surge_threshold: int = Field(10, ge=2, description="reports on one subject or in one place within the window")
    surge_window_minutes: int = Field(60, ge=1)
    recurring_threshold: int = Field(5, ge=2, description="reports on one subject in one township within the window")
    recurring_window_days: int = Field(30, ge=1)
    sensitive_periods: str = Field("", description="date ranges 2026-10-01:2026-10-07, comma-separated")
    sensitive_factor: float = Field(0.5, gt=0, le=1, description="thresholds are multiplied by this in them")

    # a petitioner's personal data may be erased this long after their last case closed
    erasure_after_days: int = Field(180, ge=0, description="days after the last closure before erasure is allowed")

    # the reporters' photos and documents (LIANXIN_ATTACHMENTS_*)
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)

    # duplicates
    duplicate_window_days: int = Field(30, ge=1)
    duplicate_similarity: float = Field(AT_LEAST, gt=0, le=1, description="cosine of the words' TF-IDF")

    @field_validator("sensitive_periods")
    @classmethod
    def _periods_parse(cls, value: str) -> str:
        parse_periods(value)
        return value

    def extra_config(self) -> dict:
        return {
            "PSEUDONYM_KEY": self.pseudonym_key,
            "PII_KEYS": [k.strip() for k in self.pii_keys.split(",") if k.strip()],
            "OPEN311_API_KEYS": [k.strip() for k in self.open311_api_keys.split(",") if k.strip()],
            "OPEN311_RATE_PER_MINUTE": self.open311_rate_per_minute,
            "EARLY_WARNING": {
                "group_size": self.group_size, "surge_threshold": self.surge_threshold,
                "surge_window_minutes": self.surge_window_minutes, "recurring_threshold": self.recurring_threshold,
                "recurring_window_days": self.recurring_window_days,
                "sensitive_periods": [(a.isoformat(), b.isoformat()) for a, b in parse_periods(self.sensitive_periods)],
                "sensitive_factor": self.sensitive_factor,
            },
            "ERASURE_AFTER_DAYS": self.erasure_after_days,
            "LINK_KEY": self.link_key, "PUBLIC_ADDRESS": self.public_address.rstrip("/"),
            "NOTIFY": self.notify_config(),
            "ATTACHMENTS": self.attachments.model_dump(mode="json"),
            "DUPLICATES": {"window_days": self.duplicate_window_days, "similarity": self.duplicate_similarity},
        }


def parse_periods(text: str) -> list[tuple[date, date]]:
    periods = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition(":")
        try:
            start, end = date.fromisoformat(first), date.fromisoformat(last or first)
        except ValueError:
            raise ValueError(f"sensitive period {part!r}: expected YYYY-MM-DD:YYYY-MM-DD") from None
        if end < start:
            raise ValueError(f"sensitive period {part!r} ends before it starts")
        periods.append((start, end))
    return periods
