"""Service configuration, read from the environment with working defaults.

Each service subclasses ``ServiceSettings`` in its own ``config.py`` with its
env prefix (``INTAKE_``, ``DISPATCH_``...) and default port; this is the only
place environment variables are read. ``nameko_config()`` turns the settings
into the container config the nameko extensions read.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lianxin import logs
from lianxin.logs import LogFormat, LogLevel
from lianxin.redaction import DEVELOPMENT_REDACTION_KEY

# where the code lives: the checkout, or site-packages once installed (openapi.yaml, templates, migrations)
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
# the sample county shipped with the code: lianxin/sample/ of an installed wheel, deploy/ of a checkout
_INSTALLED_SAMPLE = Path(__file__).resolve().parent / "sample"
SAMPLE_DEPLOY = _INSTALLED_SAMPLE if _INSTALLED_SAMPLE.is_dir() else REPO_ROOT / "deploy"


def county_timezone() -> str:
    """The county's time zone (``LIANXIN_COUNTY_TIMEZONE``): its days, deadlines and periods."""
    return os.environ.get("LIANXIN_COUNTY_TIMEZONE") or "Asia/Shanghai"


def deploy_file(name: str) -> Path:
    """A data file of the office (county.yaml, staff.yaml, bureaus.yaml): ``$LIANXIN_HOME/deploy/<name>``.

    LIANXIN_HOME defaults to the working directory when it holds deploy/ (a checkout, the image's /app,
    an office's own folder), else the files come from the sample shipped with the code. Each file can
    also be named on its own (LIANXIN_DIRECTORY, LIANXIN_CREDENTIALS, LIANXIN_BUREAUS).
    """
    if home := os.environ.get("LIANXIN_HOME"):
        return Path(home) / "deploy" / name
    here = Path.cwd() / "deploy"
    return (here if here.is_dir() else SAMPLE_DEPLOY) / name


def data_dir() -> Path:
    """Where a development office keeps its SQLite files and its own keys (LIANXIN_DATA_DIR)."""
    return Path(os.environ.get("LIANXIN_DATA_DIR") or "data")


class ServiceSettings(BaseSettings):
    # a variable set but empty (docker-compose's `${LIANXIN_PII_KEYS:-}`) counts as not set
    model_config = SettingsConfigDict(extra="ignore", env_ignore_empty=True)
    service: ClassVar[str]
    default_port: ClassVar[int]
    # settings whose shipped value is a development secret, published with the code: refused in production.
    # Those here all services share; a service names its own (secret_settings() gives both)
    development_secrets: ClassVar[dict[str, str]] = {"redaction_key": DEVELOPMENT_REDACTION_KEY}

    # shared by all services (no prefix)
    amqp_uri: str = Field(DEFAULT_AMQP_URI, validation_alias="AMQP_URI")
    directory: Path = Field(default_factory=lambda: deploy_file("county.yaml"), validation_alias="LIANXIN_DIRECTORY")
    credentials: Path = Field(default_factory=lambda: deploy_file("staff.yaml"), validation_alias="LIANXIN_CREDENTIALS")
    data_dir: Path = Field(default_factory=lambda: data_dir(), validation_alias="LIANXIN_DATA_DIR")
    log_level: LogLevel = Field("INFO", validation_alias="LOG_LEVEL")
    log_format: LogFormat = Field("plain", validation_alias="LOG_FORMAT")
    # production refuses the development keys and the sample county's development tokens
    environment: Literal["development", "production"] = Field("development", validation_alias="LIANXIN_ENVIRONMENT")
    # a larger event is dead-lettered with that reason: no legitimate one comes near it
    max_event_bytes: int = Field(1024 * 1024, ge=1024, validation_alias="LIANXIN_MAX_EVENT_BYTES")
    # quorum: the event queues replicated over a RabbitMQ cluster (every service must agree)
    queue_type: Literal["classic", "quorum"] = Field("classic", validation_alias="LIANXIN_QUEUE_TYPE")
    # HMAC key of the reporter marks that strip names from staff-written text (the same in every service)
    redaction_key: str = Field(DEVELOPMENT_REDACTION_KEY, min_length=16, validation_alias="LIANXIN_REDACTION_KEY")
    # how long who an issued token stands for is believed without asking accounts again (revocation takes that long)
    token_cache_seconds: float = Field(30, ge=0, le=3600, validation_alias="LIANXIN_TOKEN_CACHE_SECONDS")

    # per service (prefixed)
    database_url: str | None = None
    http_address: str | None = None
    max_workers: int = Field(20, ge=1, le=1000)
    prefetch_count: int = Field(100, ge=1, le=10000)
    # events of a type applied in one transaction at most: larger is cheaper per event, smaller pauses
    # a busy service's HTTP answers for less time (eventlet runs one thing at a time)
    batch_size: int = Field(100, ge=1, le=1000)
    # proxies in front of the service whose X-Forwarded-For is trusted for the client's address
    proxy_hops: int = Field(0, ge=0, le=5)

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self):
        if self.environment == "production":
            shipped = [self._variable(name) for name, value in self.secret_settings().items()
                       if str(getattr(self, name)).split(",")[0].strip() == value]  # a key list encrypts with its first
            if shipped:
                raise ValueError(f"LIANXIN_ENVIRONMENT is production but {', '.join(shipped)} "
                                 f"{'has' if len(shipped) == 1 else 'have'} the development value published with "
                                 f"the code: set a secret of your own")
        return self

    @classmethod
    def secret_settings(cls) -> dict[str, str]:
        """Every setting of the class whose shipped value is a development secret, those all services share
        (``ServiceSettings.development_secrets``) with its own: what `lianxin up` makes keys for."""
        return {**ServiceSettings.development_secrets, **cls.development_secrets}

    @classmethod
    def _variable(cls, name: str) -> str:
        """The environment variable a setting is read from."""
        alias = cls.model_fields[name].validation_alias
        return alias if isinstance(alias, str) else f"{cls.model_config.get('env_prefix', '')}{name}".upper()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / f'{self.service}.db').resolve()}"

    @property
    def resolved_http_address(self) -> str:
        return self.http_address or f"0.0.0.0:{self.default_port}"

    def nameko_config(self) -> dict:
        return {
            "AMQP_URI": self.amqp_uri,
            "WEB_SERVER_ADDRESS": self.resolved_http_address,
            "max_workers": self.max_workers,
            "PREFETCH_COUNT": self.prefetch_count,
            "BATCH_SIZE": self.batch_size,
            "PROXY_HOPS": self.proxy_hops,
            "MAX_EVENT_BYTES": self.max_event_bytes,
            "QUEUE_TYPE": self.queue_type,
            "REDACTION_KEY": self.redaction_key,
            "ENVIRONMENT": self.environment,
            "DATABASE_URL": self.resolved_database_url,
            "DIRECTORY": str(self.directory),
            "CREDENTIALS": str(self.credentials),
            "TOKEN_CACHE_SECONDS": self.token_cache_seconds,
            "LOGGING": logs.config(self.log_level, self.log_format, self.service),
            **self.extra_config(),
        }

    def extra_config(self) -> dict:
        """Service-specific keys, overridden by services that have any."""
        return {}

