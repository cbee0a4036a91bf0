"""What a worker process shares between its jobs: its Settings, Redis connections and job
sessions, built on first use (never at import).

Settings are built once per process: its entry point (the RQ worker, `sinac schedule run`) hands
them to `use_settings`, and jobs read `current_settings()` and pass them down (both in
core.config, so bot/ and core/ read the same). Jobs run inline (tests, SINAC_JOBS=inline) see the
settings of the process that ran them (`running_with`).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import lru_cache

from redis import Redis
from sqlalchemy.orm import Session

from core.config import (  # noqa: F401  (the process's settings live in core.config)
    Settings,
    UnsafeConfiguration,
    current_settings,
    running_with,
    use_settings,
)
from core.db import session_factory

log = logging.getLogger(__name__)


def refuse_unsafe(settings: Settings) -> None:
    """Exit (status 2, reasons logged) instead of running production on public defaults: every
    process's entry point calls it on its settings before anything else."""
    try:
        settings.require_safe()
    except UnsafeConfiguration as exc:
        log.critical("%s", exc)
        raise SystemExit(f"sinac: {exc}") from None


@lru_cache(maxsize=4)
def redis_for(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@contextmanager
def job_session(settings: Settings | None = None):
    """A session for one job; the job commits what it decides."""
    settings = settings or current_settings()
    session: Session = session_factory(settings.database_url)()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
