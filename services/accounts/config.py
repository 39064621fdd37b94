from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings


class AccountsSettings(ServiceSettings):
    """Staff accounts, their sessions and the machines' API tokens, with the audit log of every change."""
    model_config = SettingsConfigDict(env_prefix="ACCOUNTS_", extra="ignore")
    service = "accounts"
    default_port = 8005

    session_hours: int = Field(12, ge=1, le=24 * 30, description="how long a sign-in lasts")
    lockout_failures: int = Field(5, ge=1, description="wrong passwords in a row that lock an account")
    lockout_minutes: int = Field(15, ge=1, description="how long a locked account stays locked")
    # sign-in attempts one client address may make per minute, whatever the account (anti-automation); the
    # console is one address for all its people (it limits each browser itself, CONSOLE_SIGN_IN_ATTEMPTS)
    address_attempts_per_minute: int = Field(120, ge=1, description="sign-in attempts per address and minute")
    password_min_length: int = Field(12, ge=8, le=128, description="the shortest password taken")

    def extra_config(self) -> dict:
        return {"SESSION_SECONDS": self.session_hours * 3600, "LOCKOUT_FAILURES": self.lockout_failures,
                "LOCKOUT_MINUTES": self.lockout_minutes,
                "ADDRESS_ATTEMPTS_PER_MINUTE": self.address_attempts_per_minute,
                "PASSWORD_MIN_LENGTH": self.password_min_length}
