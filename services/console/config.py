from pydantic import Field
from pydantic_settings import SettingsConfigDict

from lianxin.settings import ServiceSettings

# a real office sets CONSOLE_SESSION_KEY (`lianxin pii-key` makes one): whoever knows it can forge sign-ins
DEVELOPMENT_SESSION_KEY = "bGlhbnhpbi1jb25zb2xlLWRldmVsb3BtZW50LWtleTA="


class ConsoleSettings(ServiceSettings):
    """The office console: web pages over the four services' HTTP APIs; it owns no database."""
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")
    service = "console"
    default_port = 8000
    development_secrets = {"session_key": DEVELOPMENT_SESSION_KEY}

    # Fernet key of the sign-in cookie (it carries the staff token, encrypted and authenticated)
    session_key: str = DEVELOPMENT_SESSION_KEY
    session_hours: int = Field(12, ge=1, le=24 * 30, description="how long a sign-in lasts")
    sign_in_attempts: int = Field(10, ge=1, description="failed sign-ins a minute per browser address or user name")
    # where browsers see the console (https://12345.example.gov.cn behind a proxy): a form must come from there;
    # unset, from the Host the request names
    public_origin: str | None = Field(None, pattern=r"^https?://[^/]+$")
    # offer signing in through the office's identity platform (set up at accounts: ACCOUNTS_OIDC_*)
    single_sign_on: bool = False
    # where the four services answer
    intake_url: str = "http://127.0.0.1:8001"
    dispatch_url: str = "http://127.0.0.1:8002"
    supervision_url: str = "http://127.0.0.1:8003"
    scoring_url: str = "http://127.0.0.1:8004"
    accounts_url: str = "http://127.0.0.1:8005"
    notifications_url: str = "http://127.0.0.1:8006"
    backend_timeout: float = Field(15.0, gt=0, description="seconds to wait for a service")
    alert_poll_seconds: int = Field(5, ge=1, description="how often an open page asks for new alerts")
    citizen_code_failures: int = Field(10, ge=1, description="wrong case codes one browser address may try")
    citizen_code_minutes: int = Field(10, ge=1, description="the window those are counted in")
    # thumbnails of the case's photos printed in the assignment notice (the citizen's) and the case file (all)
    photos_in_notice: bool = True
    photos_in_case_file: bool = True

    def nameko_config(self) -> dict:
        config = super().nameko_config()
        del config["DATABASE_URL"]  # nothing of the office is stored here
        return config

    def extra_config(self) -> dict:
        return {
            "SESSION_KEY": self.session_key, "SESSION_SECONDS": self.session_hours * 3600,
            "SIGN_IN_ATTEMPTS": self.sign_in_attempts, "PUBLIC_ORIGIN": self.public_origin,
            "SINGLE_SIGN_ON": self.single_sign_on,
            "BACKENDS": {"intake": self.intake_url, "dispatch": self.dispatch_url,
                         "supervision": self.supervision_url, "scoring": self.scoring_url,
                         "accounts": self.accounts_url, "notifications": self.notifications_url},
            "BACKEND_TIMEOUT": self.backend_timeout, "ALERT_POLL_SECONDS": self.alert_poll_seconds,
            "CITIZEN_CODE_FAILURES": self.citizen_code_failures, "CITIZEN_CODE_MINUTES": self.citizen_code_minutes,
            "PRINTED_PHOTOS": {"notice": self.photos_in_notice, "case_file": self.photos_in_case_file},
        }
