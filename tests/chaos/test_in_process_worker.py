"""The Procfile's worker runs jobs in its own process (workers/worker.py InProcessWorker): a job
longer than the heartbeat's expiry (25 s) must keep its entry in RQ's started registry alive, or
the relay would take it for the job of a dead worker and run it a second time beside the first
(what RQ's SimpleWorker does: it sets the heartbeat once, at the start). Real time (40 s), so
in `make chaos`."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from tests.faults.conftest import wait_for
from tests.faults.relay_support import relay_log, start_deployed_worker, start_relay
from workers.worker import HEARTBEAT_GRACE, HEARTBEAT_SECONDS

LONG_JOB_SECONDS = 40


def test_a_job_longer_than_the_heartbeat_expiry_runs_once(own_redis, stack_factory, db, record):
    assert LONG_JOB_SECONDS > HEARTBEAT_SECONDS + HEARTBEAT_GRACE
    stack = stack_factory(own_redis.url)
    start_relay(stack)
    start_deployed_worker(stack, "long-a")
    connection = Redis.from_url(own_redis.url)
    wait_for(lambda: Queue("default", connection=connection).count == 0 and _workers(connection), 120, 0.5,
             "the worker to listen")
    job = Queue("default", connection=connection).enqueue("time.sleep", LONG_JOB_SECONDS, job_timeout=300)
    wait_for(lambda: job.get_status(refresh=True) == "finished", LONG_JOB_SECONDS + 120, 0.5, "the long job")
    logs = relay_log(stack) + stack.worker_logs()
    assert "lost its worker" not in logs
    assert stack.worker_logs().count(f"Job OK ({job.id})") == 1
    record("long_job_in_process_worker", job_seconds=LONG_JOB_SECONDS, requeued=logs.count("lost its worker"))


def _workers(connection):
    from rq import Worker

    return Worker.all(connection=connection)
