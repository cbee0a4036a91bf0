"""Redis connections and job sessions, built on first use (never at import)."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

from redis import Redis
from sqlalchemy.orm import Session

from core.config import Settings
from core.db import session_factory


@lru_cache(maxsize=4)
def redis_for(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@contextmanager
def job_session(settings: Settings | None = None):
    """A session for one job; the job commits what it decides."""
    settings = settings or Settings.from_env()
    session: Session = session_factory(settings.database_url)()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
