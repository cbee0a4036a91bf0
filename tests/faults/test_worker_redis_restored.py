"""Redis restarted with its append-only file (as docs/deploy.md asks: `appendonly yes`) while a job
runs: the job ends during the outage, so the worker's loop cannot record it and ends; when Redis is
back it still holds the worker's registration, alive. RQ refuses to start a worker under a name
registered alive, and the Procfile's worker (a fixed name under systemd's units) exited with
"There exists an active worker named …" instead of listening again. It must keep working."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from redis import Redis
from rq import Queue

from tests.faults.conftest import RedisServer, port_open, wait_for
from tests.faults.relay_support import start_deployed_worker


class PersistentRedis(RedisServer):
    """A redis-server keeping an append-only file: what it held comes back after a restart."""

    def start(self) -> PersistentRedis:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.workdir)], stdout=subprocess.DEVNULL,
            start_new_session=True)
        wait_for(lambda: port_open(self.port), 10, what="redis-server")
        return self


@pytest.fixture
def persistent_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PersistentRedis(tmp_path).start()
    yield server
    server.stop()


def test_worker_listens_again_after_redis_comes_back_with_its_registration(persistent_redis, stack_factory, db):
    stack = stack_factory(persistent_redis.url)
    worker = start_deployed_worker(stack, "restored-a")
    connection = Redis.from_url(persistent_redis.url)
    wait_for(lambda: connection.exists("rq:worker:restored-a"), 120, 0.5, "the worker to register")
    queue = Queue("default", connection=connection)
    job = queue.enqueue("time.sleep", 6)
    wait_for(lambda: job.get_status(refresh=True) == "started", 60, 0.1, "the job to start")
    persistent_redis.kill()  # SIGKILL: the append-only file keeps what was written
    time.sleep(12)  # the job ends while Redis is away
    persistent_redis.start()
    connection = Redis.from_url(persistent_redis.url)
    assert connection.exists("rq:worker:restored-a")  # restored, as it was: alive

    after = Queue("default", connection=connection).enqueue("time.sleep", 0)
    wait_for(lambda: worker.poll() is not None or after.get_status(refresh=True) == "finished", 90, 0.2,
             "a job given after Redis came back")
    assert worker.poll() is None, stack.worker_logs()[-3000:]
    assert "There exists an active worker" not in stack.worker_logs()
