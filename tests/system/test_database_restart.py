"""A PostgreSQL connection broken under a service (what a database restart does to its pool), without
restarting the machine's PostgreSQL: the backends of the test's own database are terminated."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from lianxin.db import database_unavailable, make_engine


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["postgresql"], indirect=True)
def test_after_its_connections_are_cut_one_unit_of_work_fails_as_unavailable_and_the_next_reconnects(database_urls):
    engine = make_engine(database_urls["intake"])
    try:
        held = [engine.connect() for _ in range(3)]  # a pool with several connections, as under load
        for conn in held:
            conn.execute(text("SELECT 1"))
            conn.close()
        admin = make_engine(database_urls["dispatch"])
        with admin.connect() as other:
            cut = other.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                                {"db": engine.url.database}).all()
        admin.dispose()
        assert len(cut) == 3

        with pytest.raises(DBAPIError) as broken, engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert database_unavailable(broken.value)  # 503 with Retry-After at the edge; an event is retried

        for _ in range(3):  # every pooled connection was discarded with the first: none fails again
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
