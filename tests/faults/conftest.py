"""Real components for fault tests: a gunicorn server running the app, `rq worker` processes,
a Redis server of the test's own (to stop and start), and the Twilio stand-in.

All of them share the test database (`database_url`, wiped after each test by `db`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.parallel import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "fault-auth-token"
WA_FROM = "whatsapp:+15550000000"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll until `predicate()` is truthy (returns it); fails the test after `timeout` seconds.
    Not a timed assertion: the timeout only bounds a wait for something that must happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def stop_process(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process we started (and its process group, for forked workers)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class RedisServer:
    """A redis-server owned by one test: can be stopped and started again on the same port."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, start_new_session=True)
        wait_for(lambda: port_open(self.port), 10, what="redis-server")
        return self

    def kill(self) -> None:
        """Abrupt stop (SIGKILL): nothing is flushed, connections drop."""
        if self.proc is not None:
            stop_process(self.proc, signal.SIGKILL)
            self.proc = None
        wait_for(lambda: not port_open(self.port), 10, what="redis-server to stop")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def standin():
    from standin import StandinServer

    server = StandinServer(auth_token=TOKEN, callbacks=False).start()
    yield server
    server.stop()


class Stack:
    """Environment shared by the gunicorn server and the workers of one test."""

    def __init__(self, database_url: str, redis_url: str, standin_url: str, instance: Path, logs: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.instance = instance
        self.logs = logs
        (logs / "prometheus").mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SINAC_", "TWILIO_", "PROMETHEUS"))},
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SINAC_JOBS": "rq",
            "SINAC_INSTANCE_DIR": str(instance),
            "PROMETHEUS_MULTIPROC_DIR": str(logs / "prometheus"),
            "SECRET_KEY": "fault-secret",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_API_BASE_URL": standin_url,
            "TWILIO_TIMEOUT_SECONDS": "2",
            "PUBLIC_BASE_URL": self.base,
            "TRUSTED_PROXY_COUNT": "1",  # requests speak as the local TLS proxy would (X-Forwarded-For)
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "LOG_FORMAT": "text",
            "PYTHONPATH": str(ROOT),
        }
        self.server: subprocess.Popen | None = None
        self.relay: subprocess.Popen | None = None  # the outbox relay, once started (relay_support)
        self.workers: list[subprocess.Popen] = []
        self._n = 0
        self._handles: list = []

    # ---- gunicorn ----
    def start_server(self, **env) -> Stack:
        self.server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "python:backoffice.gunicorn_conf", "--bind",
             f"127.0.0.1:{self.port}", "backoffice.app:create_app()"],
            cwd=ROOT, env={**self.env, **env}, stdout=self._log("gunicorn.out"),
            stderr=self._log("gunicorn.err"), start_new_session=True)
        wait_for(self._healthy, 60, 0.2, "gunicorn to answer /healthz")
        return self

    def _log(self, name: str):
        handle = (self.logs / name).open("ab")  # kept open for the child; closed in close()
        self._handles.append(handle)
        return handle

    def _healthy(self) -> bool:
        if self.server is not None and self.server.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + self.server_log()[-3000:])
        try:
            return requests.get(self.base + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def server_log(self) -> str:
        return "".join((self.logs / name).read_text(errors="replace")
                       for name in ("gunicorn.err", "gunicorn.out") if (self.logs / name).exists())

    # ---- workers ----
    def start_worker(self, *, burst: bool = False, hooked: bool = False, scheduler: bool = True,
                     simple: bool = False, **env) -> subprocess.Popen:
        """`rq worker` as deployed (forking a work horse per job), or with SimpleWorker (jobs in
        the worker process itself: no fork per job, quicker for the burst runs of the tests; the
        tests' subclass, tests/support/jobs.py, whose end never waits 60 s for its pubsub thread)."""
        self._n += 1
        args = ["worker", "--url", self.env["REDIS_URL"], "--worker-ttl", "60", "--name", f"fault-{os.getpid()}-{self._n}"]
        if burst:
            args.append("--burst")
        # as deployed (Procfile): the forking worker that loads the NLU model once, before forking
        args += ["--worker-class", "tests.support.jobs.SimpleWorker" if simple else "workers.worker.SinacWorker"]
        if scheduler:
            args.append("--with-scheduler")
        args += ["inbound", "outbound", "default"]
        cmd = [sys.executable, str(Path(__file__).with_name("hooked_worker.py")), *args] if hooked \
            else [str(BIN / "rq"), *args]
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**self.env, **env}, stdout=self._log(f"worker{self._n}.log"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.workers.append(proc)
        return proc

    def start_scheduler(self, **env) -> subprocess.Popen:
        """`python -m workers.scheduler`, the Procfile's scheduler process."""
        proc = subprocess.Popen([sys.executable, "-m", "workers.scheduler"], cwd=ROOT, env={**self.env, **env},
                                stdout=self._log("scheduler.log"), stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    def scheduler_log(self) -> str:
        path = self.logs / "scheduler.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def run_burst_worker(self, timeout: float = 240) -> None:
        """Burst workers until no outbox row is left for the relay to hand over: a reply's next
        part is a job delayed until the part gap is over, which the relay (started here unless the
        test started one) enqueues after a burst worker has left."""
        deadline = time.monotonic() + timeout
        while True:
            proc = self.start_worker(burst=True, scheduler=False, simple=True)
            proc.wait(max(deadline - time.monotonic(), 1))
            if not self._delayed_rows() or time.monotonic() > deadline:
                return
            if self.relay is None:
                from tests.faults.relay_support import start_relay

                start_relay(self)
            wait_for(lambda: not self._delayed_rows(waiting=True), max(deadline - time.monotonic(), 1), 0.1,
                     "the relay to enqueue the delayed jobs")

    def _delayed_rows(self, waiting: bool = False) -> int:
        """Outbox rows of delayed jobs not done (`waiting`: not handed to the queue yet)."""
        from sqlalchemy import func, select

        from core.db import engine_for
        from core.models import OutboxJob

        query = select(func.count()).select_from(OutboxJob).where(
            OutboxJob.done_at.is_(None), OutboxJob.available_at > OutboxJob.created_at)
        if waiting:
            query = query.where(OutboxJob.enqueued_at.is_(None))
        with engine_for(self.env["DATABASE_URL"]).connect() as conn:
            return conn.scalar(query)

    def worker_logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("worker*.log")))

    # ---- webhooks ----
    def sign(self, path: str, form: dict) -> str:
        return RequestValidator(TOKEN).compute_signature(self.base + path, form)

    def post_webhook(self, form: dict, path: str = "/webhooks/twilio", timeout: float = 15, **kw):
        headers = {"X-Twilio-Signature": self.sign(path, form)}
        return requests.post(self.base + path, data=form, headers=headers, timeout=timeout, **kw)

    def close(self) -> None:
        for proc in self.workers:
            stop_process(proc)
        if self.server is not None:
            stop_process(self.server)
        for handle in self._handles:
            handle.close()


def inbound_form(sid: str, sender: str = "whatsapp:+5213312345678", body: str = "hola", **extra) -> dict:
    form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": WA_FROM, "Body": body, "NumMedia": "0", "ApiVersion": "2010-04-01"}
    form.update(extra)
    return form


def sid(n: int, prefix: str = "SM") -> str:
    return f"{prefix}{n:032d}"


@pytest.fixture(scope="session")
def shared_instance(tmp_path_factory, nlu_model) -> Path:
    """One instance directory for every stack of the session, holding the trained NLU model
    (each process would otherwise train it on its first message)."""
    from tests.nlu_model import seed

    return seed(tmp_path_factory.mktemp("fault-instance"), nlu_model)


@pytest.fixture
def stack_factory(database_url, db, standin, tmp_path, shared_instance):
    """Build a Stack on a given Redis URL; everything it started is stopped after the test."""
    made: list[Stack] = []

    def build(redis_url: str) -> Stack:
        stack = Stack(database_url, redis_url, standin.url, shared_instance, tmp_path / f"logs{len(made)}")
        made.append(stack)
        return stack

    yield build
    for stack in made:
        stack.close()


@pytest.fixture
def stack(stack_factory, redis_url):
    """gunicorn on the session's Redis (flushed first); workers are started by each test."""
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    return stack_factory(redis_url).start_server()
