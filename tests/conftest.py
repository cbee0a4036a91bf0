"""Shared fixtures: a migrated database (SQLite or PostgreSQL via TEST_DATABASE_URL), a real
Redis server, settings, the Flask app and builders.

Isolation: tables are emptied after each test (reference data kept), so code under test may
commit freely, from other threads or processes too.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from core.config import Settings
from core.db import Base, engine_for, session_factory
from tests.parallel import SerialLock, free_port, worker_database_url, worker_id

KEEP_TABLES = {"estados", "alembic_version"}
_SERIAL_LOCK = pytest.StashKey[SerialLock]()
_DATABASE_URL = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    """The blind and development sets judge understanding (the NLU, the coverage engine, the
    dialogue), the same on either database: on the PostgreSQL run they are skipped, which takes
    about a third off it (storage is exercised there by tests/dialogue, tests/channels and the
    rest, which run on both)."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="judges understanding, not storage: runs on the SQLite run")
    for item in items:
        if item.get_closest_marker("understanding"):
            item.add_marker(skip)


def pytest_configure(config):
    if worker_id() and config.option.basetemp:  # an xdist worker: the run's shared basetemp is the parent
        config.stash[_SERIAL_LOCK] = SerialLock(Path(config.option.basetemp).parent / "serial")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under xdist, a `serial` test runs alone (tests/parallel.py)."""
    lock = item.config.stash.get(_SERIAL_LOCK, None)
    if lock is None:
        return (yield)
    with (lock.exclusive() if item.get_closest_marker("serial") else lock.shared()):
        if lock.changed() and _DATABASE_URL in item.config.stash:
            engine_for(item.config.stash[_DATABASE_URL]).dispose()  # the server may have restarted
        return (yield)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, pytestconfig) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    from core.migrate import upgrade

    if not url.startswith("sqlite"):
        url = worker_database_url(url)  # under xdist, a database of this worker's own
        # A previous run may have left tables behind: start from empty.
        engine = engine_for(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url)
    pytestconfig.stash[_DATABASE_URL] = url
    return url


@pytest.fixture(scope="session")
def nlu_model() -> Path:
    """The trained NLU model file, kept between sessions (tests/nlu_model.py); fixtures link it
    into the instance directories meant to hold a trained model."""
    from tests.nlu_model import cached_model

    return cached_model()


@pytest.fixture(scope="session")
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server: TEST_REDIS_URL if given, else one started for this test session."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(workdir)], stdout=subprocess.DEVNULL)
    _wait_port(port)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def _wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


@pytest.fixture
def instance_dir(tmp_path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def settings(database_url, instance_dir, monkeypatch) -> Settings:
    env = {
        "DATABASE_URL": database_url,
        "SINAC_JOBS": "inline",
        "SINAC_INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": "test-secret",
        "TWILIO_AUTH_TOKEN": "test-auth-token",
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:1/0"),
        # The stand-in posts no callbacks unless asked: a short gap between the parts of a reply
        # (tests of the order set their own, with callbacks).
        "OUTBOUND_PART_GAP_SECONDS": "0.05",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings.from_env()


@pytest.fixture
def db(settings):
    """A session on the test database; everything is wiped after the test."""
    session = session_factory(settings.database_url)()
    yield session
    session.rollback()
    session.close()
    _wipe(settings.database_url)


def _wipe(url: str) -> None:
    engine = engine_for(url)
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(settings, db):
    from backoffice.app import create_app

    app = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(db):
    from tests.builders import Builders

    return Builders(db)
