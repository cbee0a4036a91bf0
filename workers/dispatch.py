"""Run the jobs a domain service returned: inline (tests, single process) or on RQ queues.

Always called after the caller's commit, with ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

from redis.exceptions import RedisError
from rq import Queue, Retry

from core.config import Settings
from core.jobs import Job
from core.logs import request_id_var
from workers.connections import redis_for

log = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])


def enqueue_jobs(jobs: Iterable[Job], settings: Settings | None = None) -> list[str]:
    """Enqueue the jobs; returns RQ job ids (empty inline). Redis errors are logged, not raised:
    every job's input is in the database and a periodic sweep re-enqueues what was dropped.

    All the jobs of one call go to Redis in one MULTI/EXEC pipeline (one round trip, all or none)."""
    jobs = list(jobs)
    if not jobs:
        return []
    settings = settings or Settings.from_env()
    if settings.jobs_mode == "inline":
        from workers.tasks import TASKS

        for job in jobs:
            TASKS[job.name](**job.kwargs)
        return []
    meta = {"request_id": request_id_var.get()}
    try:
        connection = redis_for(settings.redis_url)
        with connection.pipeline() as pipe:
            rq_jobs = [
                _queue(str(job.queue), settings.redis_url).enqueue(
                    f"workers.tasks.{job.name}", kwargs=job.kwargs, retry=DEFAULT_RETRY, job_id=_job_id(job),
                    result_ttl=3600, failure_ttl=7 * 86400, meta=dict(meta), pipeline=pipe)
                for job in jobs
            ]
            pipe.execute()
        return [rq_job.id for rq_job in rq_jobs]
    except RedisError as exc:
        for job in jobs:
            log.error("enqueue failed, left for the sweep", extra={"job": job.name, "error": str(exc)})
        return []


@lru_cache(maxsize=32)
def _queue(name: str, redis_url: str) -> Queue:
    """One Queue object per name and Redis per process (it only holds the name and connection)."""
    return Queue(name, connection=redis_for(redis_url))


def _job_id(job: Job) -> str | None:
    """Stable ids let logs and the sweep find the job; the task itself is idempotent."""
    if job.name == "process_inbound_message":
        return f"inbound-{job.kwargs['message_id']}"
    return None
