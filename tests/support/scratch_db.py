"""An empty database of the test's own engine, for migration tests that start from an older
revision: a file for SQLite, a database of its own on the PostgreSQL server (the shared test
database stays at head)."""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def scratch_database(tmp_path, database_url: str, suffix: str):
    """Yield the URL of an empty database beside `database_url`; dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'{suffix}.db'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.db import make_engine

    base = make_url(database_url)
    name = f"{base.database or 'postgres'}_{suffix}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
