"""What every Lianxin service has besides its own database."""
import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from lianxin.auth import Auth
from lianxin.db import AlreadyApplied
from lianxin.directory import CountyDirectory
from lianxin.http import ApiError, Observable
from lianxin.metrics import EntrypointMetrics
from lianxin.redaction import use_key


class RedactionKey(DependencyProvider):
    """Sets the service's redaction key (config ``REDACTION_KEY``) when it starts (lianxin.redaction)."""

    def setup(self):
        use_key(self.container.config["REDACTION_KEY"])

    def get_dependency(self, worker_ctx):
        return None


class OfficeService(Observable):
    """Base of the four services: container config, staff authentication, the county
    directory, entrypoint metrics, and ``/health``, ``/metrics`` and ``/openapi.yaml``.

    Subclasses add ``uow = UnitOfWorkProvider(DATABASE)`` and ``relay = OutboxRelay(DATABASE)``.
    """

    config = Config()
    auth = Auth()
    directory = CountyDirectory()
    metered = EntrypointMetrics()
    redaction_key = RedactionKey()


class _RoutineRefusals(logging.Filter):
    """nameko logs every expected exception with its traceback; a refused request or a redelivered
    event is routine, so its one line is enough."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], (ApiError, AlreadyApplied)):
            record.exc_info, record.exc_text = None, None
        return True


logging.getLogger("nameko.containers").addFilter(_RoutineRefusals())
