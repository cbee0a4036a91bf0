"""One SQLAlchemy session per request; its change and the jobs the domain asked for commit together."""

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


def get_report_session() -> Session:
    """A session for the monthly report's reads: on REPORTS_DATABASE_URL (a read replica) when it
    is set, else the request's own session. Nothing is written through it."""
    settings = current_app.config["SINAC"]
    if not settings.reports_database_url or settings.reports_database_url == settings.database_url:
        return get_session()
    if "db_report_session" not in g:
        g.db_report_session = session_factory(settings.reports_database_url)()
    return g.db_report_session


def commit_and_dispatch(jobs=()) -> None:
    """Commit the request's change with the jobs it asked for (written in the same transaction,
    enqueued after the commit: workers/dispatch.py). The commit's errors are the caller's to
    handle; once it is committed nothing here raises, so a view may call it inside its error
    handling and never report a saved change as lost."""
    from workers.dispatch import commit_and_enqueue

    commit_and_enqueue(get_session(), list(jobs), current_app.config["SINAC"])


def _close_session(_exc) -> None:
    for name in ("db_session", "db_report_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()
