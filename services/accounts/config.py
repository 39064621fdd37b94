from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.auth import Role
from lianxin.settings import ServiceSettings


class AccountsSettings(ServiceSettings):
    """Staff accounts, their sessions and the machines' API tokens, with the audit log of every change."""
    model_config = SettingsConfigDict(env_prefix="ACCOUNTS_", extra="ignore")
    service = "accounts"
    default_port = 8005

    session_hours: int = Field(12, ge=1, le=24 * 30, description="how long a sign-in lasts")
    lockout_failures: int = Field(5, ge=1, description="wrong passwords in a row that lock an account")
    lockout_minutes: int = Field(15, ge=1, description="how long a locked account stays locked")
    # failed sign-ins one client address may make per minute, whatever the account (anti-automation); good
    # ones never count: the console is one address for all its people (it limits each browser itself)
    address_attempts_per_minute: int = Field(120, ge=1, description="failed sign-ins per address and minute")
    password_min_length: int = Field(12, ge=8, le=128, description="the shortest password taken")
    # single sign-on through the office's OpenID Connect identity platform (unset: passwords only)
    oidc_issuer: str | None = Field(None, pattern=r"^https?://")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_role_claim: str = Field("groups", description="the claim naming the person's groups or roles")
    # the platform's group names -> the office's roles, as JSON: {"12345-hotline": "operator", ...}
    oidc_roles: dict[str, Role] = {}
    oidc_unit_claim: str = Field("unit", description="the claim naming the person's unit (a directory code)")
    oidc_name_claim: str = Field("preferred_username", description="the claim that becomes the user name")

    def extra_config(self) -> dict:
        return {"SESSION_SECONDS": self.session_hours * 3600, "LOCKOUT_FAILURES": self.lockout_failures,
                "LOCKOUT_MINUTES": self.lockout_minutes,
                "ADDRESS_ATTEMPTS_PER_MINUTE": self.address_attempts_per_minute,
                "PASSWORD_MIN_LENGTH": self.password_min_length, "OIDC": self._oidc()}

    def _oidc(self) -> dict | None:
        if not self.oidc_issuer:
            return None
        return {"issuer": self.oidc_issuer, "client_id": self.oidc_client_id, "client_secret": self.oidc_client_secret,
                "role_claim": self.oidc_role_claim, "roles": self.oidc_roles, "unit_claim": self.oidc_unit_claim,
                "name_claim": self.oidc_name_claim}
