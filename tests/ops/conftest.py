"""Ops fixtures: a real RQ worker process and a trained NLU model in the instance dir."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker


@pytest.fixture
def live_worker(redis_url, settings):
    """An `rq worker` process (as in the Procfile), registered with a fresh heartbeat."""
    rq = Path(sys.executable).parent / "rq"
    env = dict(os.environ, DATABASE_URL=settings.database_url, SINAC_JOBS="rq", REDIS_URL=redis_url)
    proc = subprocess.Popen([str(rq), "worker", "--worker-ttl", "60", "--url", redis_url, "inbound", "outbound",
                             "default"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn = Redis.from_url(redis_url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Worker.all(connection=conn):
        time.sleep(0.1)
    yield proc
    proc.terminate()
    proc.wait(20)
    for w in Worker.all(connection=conn):
        w.register_death()


@pytest.fixture(scope="session")
def trained_nlu_dir(tmp_path_factory):
    from bot.nlu.engine import train

    path = tmp_path_factory.mktemp("nlu-instance")
    train(inst_dir=path)
    return path
