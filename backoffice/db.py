"""One SQLAlchemy session per request; commit, then enqueue the jobs the domain asked for."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from core.db import session_factory


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = session_factory(current_app.config["SINAC"].database_url)()
    return g.db_session


def commit_and_dispatch(jobs=()) -> None:
    """The caller commits; jobs go out only once the commit succeeded."""
    from workers.dispatch import enqueue_jobs

    get_session().commit()
    enqueue_jobs(list(jobs), current_app.config["SINAC"])


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
