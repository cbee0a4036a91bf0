"""What keeps pytest-xdist workers (`pytest -n 2`) out of each other's way; without -n every
helper here behaves as the serial suite always did.

Per worker (gw0, gw1, ...): its own SQLite file and redis-server (both already per test session,
and each worker is a session), its own PostgreSQL database (`worker_database_url`), its own
range of ports for the servers tests start (`free_port`), so RQ queues and worker names never
meet either. A test marked `serial` runs while no other test runs in any worker of the same run
(`SerialLock`): it restarts a server the others use.
"""

from __future__ import annotations

import fcntl
import os
import random
import socket
from contextlib import contextmanager
from pathlib import Path

# Ports handed to servers are taken below Linux's ephemeral range (32768-60999), where outgoing
# connections never take them between our check and the server's bind: each worker has its own
# span of PORT_SPAN from TEST_PORT_BASE (scripts/run-tests gives the SQLite and the PostgreSQL
# runs different bases, as they run at once).
DEFAULT_PORT_BASE = 20000
PORT_SPAN = 400


def worker_id() -> str:
    """'gw0', 'gw1'... inside an xdist worker; '' in a serial run."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_index() -> int:
    wid = worker_id()
    return int(wid[2:]) if wid.startswith("gw") and wid[2:].isdigit() else 0


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class _PortRange:
    def __init__(self):
        self.next: int | None = None

    def take(self) -> int:
        base = int(os.environ.get("TEST_PORT_BASE", DEFAULT_PORT_BASE)) + worker_index() * PORT_SPAN
        if self.next is None:  # another session on this machine may use the same span: start anywhere
            self.next = random.randrange(PORT_SPAN)
        for _ in range(PORT_SPAN):
            port = base + self.next % PORT_SPAN
            self.next += 1
            if _bindable(port):
                return port
        raise RuntimeError(f"no free port in {base}-{base + PORT_SPAN - 1}")


_ports = _PortRange()


def free_port() -> int:
    """A port nothing listens on, for a server a test is about to start. Serial runs ask the
    kernel (as before); xdist workers (or TEST_PORT_BASE) take one from the worker's own span."""
    if worker_id() or os.environ.get("TEST_PORT_BASE"):
        return _ports.take()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_database_url(url: str) -> str:
    """In an xdist worker, a database of the worker's own on the server of `url`, created
    empty (`<name>_gw0`...); in a serial run, `url` itself."""
    wid = worker_id()
    if not wid or url.startswith("sqlite"):
        return url
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.db import make_engine

    base = make_url(url)
    name = f"{base.database or 'postgres'}_{wid}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


class SerialLock:
    """A readers-writer lock over the workers of one run, on flock(2): every test holds it
    shared, a `serial` test exclusively. A turnstile (taken briefly by readers, held by the
    writer while it waits) keeps a waiting `serial` test from being starved by the others.

    `generation` counts the serial tests that ran: a worker that sees it change drops what it
    kept from before (its pooled database connections, after a server restart)."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self._turnstile = (directory / "serial-turnstile.lock").open("a+")
        self._main = (directory / "serial-main.lock").open("a+")
        self._generation_path = directory / "serial-generation"
        self.seen = self.generation()

    def generation(self) -> int:
        try:
            return int(self._generation_path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def changed(self) -> bool:
        """True once after each serial test another worker ran."""
        generation = self.generation()
        if generation == self.seen:
            return False
        self.seen = generation
        return True

    @contextmanager
    def shared(self):
        fcntl.flock(self._turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._main, fcntl.LOCK_SH)
        finally:
            fcntl.flock(self._turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(self._main, fcntl.LOCK_UN)

    @contextmanager
    def exclusive(self):
        fcntl.flock(self._turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._main, fcntl.LOCK_EX)
            try:
                yield
            finally:
                self.seen = self.generation() + 1
                self._generation_path.write_text(str(self.seen))
                fcntl.flock(self._main, fcntl.LOCK_UN)
        finally:
            fcntl.flock(self._turnstile, fcntl.LOCK_UN)
