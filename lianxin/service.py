"""What every Lianxin service has besides its own database."""
import logging

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from lianxin.auth import Auth
from lianxin.db import AlreadyApplied
from lianxin.directory import CountyDirectory
from lianxin.http import LANGUAGE_KEY, ApiError, Observable, http_status
from lianxin.i18n import chosen_language
from lianxin.i18n.kept_texts import READER, Reader, directory_names
from lianxin.logs import REQUEST_ID, REQUEST_ID_KEY, SERVICE
from lianxin.metrics import EntrypointMetrics
from lianxin.redaction import use_key


class FollowedWork(DependencyProvider):
    """Each worker's log lines and events name its service and the request it serves (several services
    may share a process, as in the tests), and what it says is said in the language that request asked for,
    with the county's names for its codes (lianxin.i18n.kept_texts)."""

    def worker_setup(self, worker_ctx):
        SERVICE.set(self.container.service_name)
        REQUEST_ID.set(worker_ctx.data.get(REQUEST_ID_KEY))
        lang = chosen_language(worker_ctx.data.get(LANGUAGE_KEY))
        directory = getattr(worker_ctx.service, "directory", None)
        READER.set(Reader(lang, directory_names(directory, lang) if directory is not None else Reader.name))


class RedactionKey(DependencyProvider):
    """Sets the service's redaction key (config ``REDACTION_KEY``) when it starts (lianxin.redaction)."""

    def setup(self):
        use_key(self.container.config["REDACTION_KEY"])

    def get_dependency(self, worker_ctx):
        return None


class OfficeService(Observable):
    """Base of the four services: container config, staff authentication, the county
    directory, entrypoint metrics, log context, and ``/livez``, ``/readyz``, ``/health``, ``/metrics`` and
    ``/openapi.yaml``.

    Subclasses add ``uow = UnitOfWorkProvider(DATABASE)`` and ``relay = OutboxRelay(DATABASE)``.
    """

    config = Config()
    auth = Auth()
    directory = CountyDirectory()
    metered = EntrypointMetrics()
    redaction_key = RedactionKey()
    followed = FollowedWork()


class _RoutineRefusals(logging.Filter):
    """nameko logs every expected exception as a warning with the worker's repr and the traceback; a refused
    request or a redelivered event is routine, so one line saying what and why is enough."""

    def filter(self, record):
        if record.exc_info and isinstance(error := record.exc_info[1], (ApiError, AlreadyApplied)):
            worker_ctx = record.args[0]
            where = f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}"
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info, record.exc_text = None, None
            if not logging.getLogger(record.name).isEnabledFor(logging.INFO):
                return False
            if isinstance(error, ApiError):
                fields = ", ".join(str(d["field"])[:40] for d in error.details[:5]
                                   if isinstance(d, dict) and "field" in d)
                record.msg, record.args = "%s refused (%s %s): %s%s", (
                    where, http_status(error), error.code, error.message, f" [{fields}]" if fields else "")
            else:
                record.msg, record.args = "%s: already applied, skipped (%s)", (where, error)
        return True


logging.getLogger("nameko.containers").addFilter(_RoutineRefusals())
