"""The worker (the Procfile's command) and the relay outlive Redis and the database: started while
Redis is down they wait for it; Redis killed under them and brought back empty, they carry on
(the worker registers again) and work gets done; the relay keeps trying while the database is
unreachable. Before, `rq worker` exited with status 1 on a Redis it could not reach at start,
and under honcho one process's exit stopped the whole stack."""

from __future__ import annotations

import subprocess
import sys

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import select

from core.models import Message
from tests.faults.conftest import ROOT, inbound_form, sid, wait_for
from tests.faults.relay_support import relay_log, start_deployed_worker, start_relay


def _registered(url: str, name: str) -> bool:
    try:
        return any(w.name == name for w in Worker.all(connection=Redis.from_url(url, socket_connect_timeout=1)))
    except RedisError:
        return False


def _log(stack, name: str) -> str:
    path = stack.logs / f"worker-{name}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def test_worker_and_relay_wait_for_redis_and_ride_out_its_restart(own_redis, stack_factory, db, standin):
    stack = stack_factory(own_redis.url).start_server()
    own_redis.kill()
    worker = start_deployed_worker(stack, "outlive-1")
    relay = start_relay(stack)
    wait_for(lambda: "the worker starts when it answers" in _log(stack, "outlive-1"), 60, 0.2,
             "the worker to wait for Redis")
    wait_for(lambda: "relay pass failed" in relay_log(stack), 30, 0.2, "the relay to notice")
    assert worker.poll() is None and relay.poll() is None

    own_redis.start()
    wait_for(lambda: _registered(own_redis.url, "outlive-1"), 120, 0.5, "the worker to register")
    own_redis.kill()
    assert stack.post_webhook(inbound_form(sid(901), sender="whatsapp:+523317770001")).status_code == 200
    wait_for(lambda: "Redis" in _log(stack, "outlive-1").rsplit("Listening on", 1)[-1], 60, 0.2,
             "the worker to notice the second outage")
    assert worker.poll() is None and relay.poll() is None

    own_redis.start()  # empty: it forgot the worker and never had the message's job
    wait_for(lambda: _registered(own_redis.url, "outlive-1"), 120, 0.5, "the worker to register again")
    wait_for(lambda: db.scalar(select(Message.status).where(Message.message_sid == sid(901))
                               .execution_options(populate_existing=True)) == "processed",
             90, 0.5, "the message of the outage to be processed")
    wait_for(lambda: standin.messages(to="whatsapp:+523317770001"), 60, 0.5, "the reply")
    assert worker.poll() is None and relay.poll() is None


def test_relay_keeps_trying_while_the_database_is_unreachable(own_redis, stack_factory, tmp_path):
    stack = stack_factory(own_redis.url)
    env = {**stack.env, "DATABASE_URL": "postgresql+psycopg://sinac:x@127.0.0.1:1/sinac"}
    log = tmp_path / "relay.log"
    with log.open("wb") as out:
        relay = subprocess.Popen([sys.executable, "-m", "workers.relay"], cwd=ROOT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        stack.workers.append(relay)
        wait_for(lambda: log.read_text(errors="replace").count("relay pass failed (OperationalError") >= 3,
                 60, 0.2, "three failed passes")
    assert relay.poll() is None
