"""What a worker process shares between its jobs: its Settings, Redis connections and job
sessions, built on first use (never at import).

Settings are built once per process: its entry point (the RQ worker, `sinac schedule run`) hands
them to `use_settings`, and jobs read `current_settings()` and pass them down. Jobs run inline
(tests, SINAC_JOBS=inline) see the settings of the process that ran them (`running_with`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from redis import Redis
from sqlalchemy.orm import Session

from core.config import Settings, UnsafeConfiguration
from core.db import session_factory

log = logging.getLogger(__name__)

_process_settings: Settings | None = None
_inline_settings: ContextVar[Settings | None] = ContextVar("sinac_inline_settings", default=None)


def refuse_unsafe(settings: Settings) -> None:
    """Exit (status 2, reasons logged) instead of running production on public defaults: every
    process's entry point calls it on its settings before anything else."""
    try:
        settings.require_safe()
    except UnsafeConfiguration as exc:
        log.critical("%s", exc)
        raise SystemExit(f"sinac: {exc}") from None


def use_settings(settings: Settings) -> None:
    """The settings every job of this process runs with (the process's entry point, once)."""
    global _process_settings
    _process_settings = settings


def current_settings() -> Settings:
    """The settings of the job running now: those of an inline runner, else the process's; a
    process that set none (a test, a one-off script) reads the environment."""
    return _inline_settings.get() or _process_settings or Settings.from_env()


@contextmanager
def running_with(settings: Settings) -> Iterator[None]:
    """Jobs run inside this block (inline) use `settings`."""
    token = _inline_settings.set(settings)
    try:
        yield
    finally:
        _inline_settings.reset(token)


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
