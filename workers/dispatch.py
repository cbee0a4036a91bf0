"""Commit a change with the jobs it asked for, then hand them to RQ: the one way jobs start.

`commit_and_enqueue(session, jobs)` writes each job as an outbox row in the caller's transaction
(core/outbox.py), commits and enqueues the jobs (or runs them inline in tests).
If Redis is down, or this process dies right after the commit, the rows stay unmarked and the
relay (workers/relay.py) enqueues them later: nothing committed is ever without its jobs.

Jobs carry ids only and are enqueued by their registered dotted path (workers/registry.py); an
outbox job's RQ id is its row's (`outbox-<id>`), and the worker marks the row done when the job
finished (workers/jobs/wrapper.py). This is the only place that commits a change and hands its
jobs over: the web (backoffice/db.py), the CLI and the jobs all call `commit_and_enqueue`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import outbox
from core.config import Settings
from core.jobs import Job
from core.logs import request_id_var
from workers import registry
from workers.connections import current_settings, job_session, redis_for, running_with

log = logging.getLogger(__name__)

# Retries of a job that raised (the database restarting, Twilio down...). A job whose worker died
# is found by its expired heartbeat and enqueued again by the relay (workers/relay.py).
DEFAULT_RETRY = Retry(max=5, interval=[5, 30, 120, 600, 1800])
RQ_ID_PREFIX = "outbox-"


def stage_jobs(session: Session, jobs: Iterable[Job], *, delay: timedelta | None = None) -> list[Job]:
    """Write the jobs not yet written as outbox rows in the session's transaction; returns every
    job carrying its row id. For callers that commit themselves, then `commit_and_enqueue`."""
    jobs = list(jobs)
    fresh = [job for job in jobs if job.outbox_id is None]
    ids = iter(outbox.stage(session, fresh, delay=delay))
    return [job if job.outbox_id is not None else dataclasses.replace(job, outbox_id=next(ids)) for job in jobs]


def commit_and_enqueue(session: Session, jobs: Iterable[Job] = (), settings: Settings | None = None, *,
                       delay: timedelta | None = None) -> list[Job]:
    """Stage the jobs in the session's transaction (those not staged yet), commit, then enqueue
    them; returns the staged jobs. The commit's errors are the caller's; once committed nothing
    here raises (the change and its jobs are saved: the relay enqueues what was not handed over,
    and a job run inline that failed is logged, as a failed RQ job would be).
    With `delay` nothing is enqueued now: the rows are a backstop the relay enqueues after that
    long unless marked done first (work this process is about to do itself). A job with its own
    `delay` is not enqueued now either: the relay enqueues it when its time comes (inline runs
    wait it out)."""
    settings = settings or current_settings()
    staged = stage_jobs(session, jobs, delay=delay)
    session.commit()
    if not staged or delay is not None:
        return staged
    now = staged if settings.jobs_mode == "inline" else [job for job in staged if not job.delay]
    if not now:
        return staged
    # Not marked here: a second commit per request would cost a WAL flush on every webhook. The
    # relay marks, in one statement per pass, the rows RQ holds once their grace is over, and the
    # worker marks each row done; most rows are done before the relay ever looks at them.
    try:
        enqueue_jobs(now, settings)
    except Exception:
        log.exception("jobs not handed over after their commit; the relay enqueues them",
                      extra={"jobs": [job.name for job in staged]})
    return staged


def enqueue_jobs(jobs: Iterable[Job], settings: Settings | None = None) -> list[str]:
    """Hand jobs to RQ (inline mode: run them at once, marking their rows done); returns the RQ
    job ids, empty inline or when Redis failed (logged, not raised: outbox rows are enqueued
    later by the relay). All the jobs of one call go in one MULTI/EXEC pipeline."""
    jobs = list(jobs)
    if not jobs:
        return []
    settings = settings or current_settings()
    if settings.jobs_mode == "inline":
        with running_with(settings):
            for job in jobs:
                if job.delay:
                    time.sleep(job.delay)  # one process: the wait the relay would keep
                registry.resolve(job.name)(**job.kwargs)
                if job.outbox_id is not None:
                    finished([job.outbox_id], settings)
        return []
    try:
        with redis_for(settings.redis_url).pipeline() as pipe:
            rq_jobs = _enqueue_into(pipe, jobs, settings)
            pipe.execute()
        return [rq_job.id for rq_job in rq_jobs]
    except RedisError as exc:
        log.error("enqueue failed, left for the relay", extra={"jobs": [j.name for j in jobs], "error": str(exc)})
        return []


def enqueue_commands(jobs: Iterable[Job], settings: Settings) -> list[tuple]:
    """The Redis commands `enqueue_jobs` would send for these jobs (RQ's own, recorded by a
    pipeline that is never executed), for a caller that sends them inside its own script: the
    webhook's rate limits and its enqueue in one round trip (backoffice/webhook_limits.py)."""
    pipe = redis_for(settings.redis_url).pipeline(transaction=False)
    _enqueue_into(pipe, list(jobs), settings)
    return [args for args, _options in pipe.command_stack]


def _enqueue_into(pipe, jobs: list[Job], settings: Settings) -> list:
    meta = {"request_id": request_id_var.get()}
    return [
        _queue(str(job.queue), settings.redis_url).enqueue(
            registry.path_of(job.name), kwargs=job.kwargs, retry=DEFAULT_RETRY, job_id=_job_id(job),
            result_ttl=3600, failure_ttl=7 * 86400, meta={**meta, "outbox_id": job.outbox_id},
            pipeline=pipe)
        for job in jobs
    ]


def enqueue_staged(ids: list[int], settings: Settings | None = None) -> bool:
    """Enqueue committed outbox rows by id now and mark them; False if Redis or the database
    failed (the relay takes them later)."""
    settings = settings or current_settings()
    try:
        with job_session(settings) as session:
            return enqueue_rows(session, outbox.by_ids(session, ids), settings)
    except SQLAlchemyError as exc:
        log.error("outbox rows not enqueued, left for the relay", extra={"error": str(exc)})
        return False


def enqueue_rows(session: Session, rows, settings: Settings) -> bool:
    """Enqueue outbox rows (committed, not done) and mark them enqueued; commits. False when
    Redis refused (nothing marked)."""
    rows = [row for row in rows if row.done_at is None]
    if not rows:
        return True
    if not enqueue_jobs([outbox.as_job(row) for row in rows], settings) and settings.jobs_mode != "inline":
        return False
    outbox.mark_enqueued(session, [row.id for row in rows])
    session.commit()
    return True


def finished(outbox_ids: list[int], settings: Settings | None = None) -> None:
    """Mark outbox rows done in a transaction of their own (the job's work is committed)."""
    with job_session(settings) as session:
        outbox.mark_done(session, outbox_ids)
        session.commit()


def rq_job_id(row_id: int) -> str:
    return f"{RQ_ID_PREFIX}{row_id}"


def outbox_id_of(rq_id: str | None) -> int | None:
    if rq_id and rq_id.startswith(RQ_ID_PREFIX) and rq_id[len(RQ_ID_PREFIX):].isdigit():
        return int(rq_id[len(RQ_ID_PREFIX):])
    return None


@lru_cache(maxsize=32)
def _queue(name: str, redis_url: str) -> Queue:
    """One Queue object per name and Redis per process (it only holds the name and connection)."""
    return Queue(name, connection=redis_for(redis_url))


def _job_id(job: Job) -> str | None:
    """An outbox job's id is its row's, so the relay can ask RQ about it; others get RQ's own."""
    return rq_job_id(job.outbox_id) if job.outbox_id is not None else None
