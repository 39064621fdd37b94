"""Databases for an office a test module shares (scope="module"): one per service with nothing in it."""
from contextlib import contextmanager
from pathlib import Path

from lianxin.testing import KeptDatabases, service_databases


@contextmanager
def databases(backend: str, folder: Path, kept: KeptDatabases):
    """SQLite files in ``folder``, or PostgreSQL databases of the session's (conftest's kept_databases)."""
    if backend == "postgresql":
        with kept.lend() as urls:
            yield urls
    else:
        with service_databases("sqlite", folder) as urls:
            yield urls
