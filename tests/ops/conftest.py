"""Ops fixtures: a real RQ worker process and a trained NLU model in the instance dir."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker


@pytest.fixture
def ops_redis_url(redis_url):
    """A Redis database of its own, emptied: workers that other tests killed (their
    registrations outlive them by the worker TTL) must not count as live or dead here."""
    url = redis_url.rsplit("/", 1)[0] + "/9"
    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def live_worker(ops_redis_url, settings):
    """An `rq worker` process (as in the Procfile), registered with a fresh heartbeat."""
    rq = Path(sys.executable).parent / "rq"
    name = f"ops-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=settings.database_url, SINAC_JOBS="rq", REDIS_URL=ops_redis_url)
    proc = subprocess.Popen([str(rq), "worker", "--name", name, "--worker-ttl", "60", "--url", ops_redis_url,
                             "inbound", "outbound", "default"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn = Redis.from_url(ops_redis_url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(w.name == name and w.last_heartbeat for w in Worker.all(connection=conn)):
            break
        if proc.poll() is not None:
            pytest.fail(f"rq worker exited with {proc.returncode} before registering")
        time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("rq worker did not register within 60 s")
    yield proc
    proc.terminate()  # a warm shutdown: an idle worker leaves at once...
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        # ...except about one time in three: RQ's plain Worker then waits up to 60 s for its
        # pubsub thread (workers/worker.py SinacWorker.unsubscribe). A second SIGTERM is RQ's
        # cold shutdown (this worker runs no job).
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    conn.flushdb()


@pytest.fixture(scope="session")
def trained_nlu_dir(tmp_path_factory, nlu_model):
    from tests.nlu_model import seed

    return seed(tmp_path_factory.mktemp("nlu-instance"), nlu_model)
