"""PostgreSQL pool without a ping on every checkout (it cost the webhook a round trip): a pooled
connection idle long enough is pinged and replaced if the server dropped it; one used a moment
ago is not pinged, and if the server dropped it, its statement fails once and the whole pool
is renewed, so the next request works without a restart."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.db import make_engine


@pytest.fixture
def pg_url(is_postgres, database_url):
    if not is_postgres:
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    return database_url


def _pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def _terminate(url: str, pid: int) -> None:
    admin = make_engine(url)
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            # wait until the server has really closed it (not a timed assertion: a bounded poll)
            for _ in range(200):
                if not conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}):
                    break
                conn.execute(text("SELECT pg_sleep(0.05)"))
    finally:
        admin.dispose()


def test_idle_connection_dropped_by_the_server_is_replaced_before_use(pg_url):
    engine = make_engine(pg_url, pool_size=1, max_overflow=0, ping_idle_seconds=0)
    try:
        first = _pid(engine)
        _terminate(pg_url, first)
        second = _pid(engine)  # no error: the ping found it dead and the pool reconnected
        assert second != first
    finally:
        engine.dispose()


def test_recently_used_connection_is_not_pinged_and_a_drop_costs_one_failure(pg_url):
    engine = make_engine(pg_url, pool_size=2, max_overflow=0, ping_idle_seconds=3600)
    try:
        with engine.connect() as a, engine.connect() as b:  # two pooled connections
            pids = {a.scalar(text("SELECT pg_backend_pid()")), b.scalar(text("SELECT pg_backend_pid()"))}
        for pid in pids:
            _terminate(pg_url, pid)
        # Not pinged (a ping would have replaced it): its first statement fails, as a disconnect.
        with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
            conn.scalar(text("SELECT 1"))
        assert failed.value.connection_invalidated
        # The pool was renewed: the other dropped connection is not handed out again.
        with engine.connect() as c1, engine.connect() as c2:
            fresh = {c1.scalar(text("SELECT pg_backend_pid()")), c2.scalar(text("SELECT pg_backend_pid()"))}
        assert not fresh & pids
    finally:
        engine.dispose()
