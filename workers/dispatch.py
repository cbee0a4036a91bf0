"""Run the jobs a domain service returned: inline (tests, single process) or on RQ queues.

Always called after the caller's commit, with ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis.exceptions import RedisError
from rq import Queue, Retry

from core.config import Settings
from core.jobs import Job
from core.logs import request_id_var
from workers.connections import redis_for

log = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])


def enqueue_jobs(jobs: Iterable[Job], settings: Settings | None = None) -> list[str]:
    """Enqueue each job; returns RQ job ids (empty inline). Redis errors are logged, not raised:
    every job's input is in the database and a periodic sweep re-enqueues what was dropped."""
    settings = settings or Settings.from_env()
    ids: list[str] = []
    for job in jobs:
        if settings.jobs_mode == "inline":
            from workers.tasks import TASKS

            TASKS[job.name](**job.kwargs)
            continue
        try:
            queue = Queue(str(job.queue), connection=redis_for(settings.redis_url))
            rq_job = queue.enqueue(f"workers.tasks.{job.name}", kwargs=job.kwargs, retry=DEFAULT_RETRY,
                                   job_id=_job_id(job), result_ttl=3600, failure_ttl=7 * 86400,
                                   meta={"request_id": request_id_var.get()})
            ids.append(rq_job.id)
        except RedisError as exc:
            log.error("enqueue failed, left for the sweep", extra={"job": job.name, "error": str(exc)})
    return ids


def _job_id(job: Job) -> str | None:
    """Stable ids let logs and the sweep find the job; the task itself is idempotent."""
    if job.name == "process_inbound_message":
        return f"inbound-{job.kwargs['message_id']}"
    return None
