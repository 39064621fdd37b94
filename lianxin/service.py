"""What every Lianxin service has besides its own database."""
from nameko.dependency_providers import Config

from lianxin.auth import Auth
from lianxin.directory import CountyDirectory
from lianxin.http import Observable
from lianxin.metrics import EntrypointMetrics


class OfficeService(Observable):
    """Base of the four services: container config, staff authentication, the county
    directory, entrypoint metrics, and ``/health``, ``/metrics`` and ``/openapi.yaml``.

    Subclasses add ``uow = UnitOfWorkProvider(DATABASE)`` and ``relay = OutboxRelay(DATABASE)``.
    """

    config = Config()
    auth = Auth()
    directory = CountyDirectory()
    metered = EntrypointMetrics()
