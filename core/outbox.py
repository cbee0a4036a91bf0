"""The transactional outbox: jobs that domain services return are written as rows in the same
transaction as the change that asks for them, so a commit can never leave its work behind.

Who does what:
- the caller stages the jobs (`stage`) and commits: the change and its jobs, together or not at all;
- right after the commit the same process hands them to the queue (workers/dispatch.py
  `commit_and_enqueue`);
- the relay (workers/relay.py), a few seconds after a row's `available_at`, marks it enqueued if
  the queue holds its job and enqueues it if not (Redis was down, the process died between its
  commit and its enqueue), and re-hands rows the queue lost (Redis restarted empty) — so an
  outage delays work and loses none, whatever path made it;
- the worker marks a row done when its job finished (`mark_done`).
Jobs are idempotent, so a row handed over twice (rare races) does its work once.

Pure domain: no RQ here; the queue is the workers' business.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from core.jobs import Job, QueueName
from core.models import OutboxJob

DONE_KEPT = timedelta(days=7)  # finished rows are kept this long (to trace a job), then deleted


def wall_clock() -> datetime:
    """The real time, never core.timeutil's settable clock: the relay waits in real seconds."""
    return datetime.now(UTC)


def job_key(job: Job) -> str:
    """`name:arguments`, short and stable: finds the row of a given job (e.g. one message's
    processing) without reading JSON in SQL."""
    args = json.dumps(job.kwargs, sort_keys=True, separators=(",", ":"), default=str)
    if len(job.name) + 1 + len(args) > 120:
        args = "#" + hashlib.sha1(args.encode()).hexdigest()
    return f"{job.name}:{args}"


def stage(session: Session, jobs: Iterable[Job], *, delay: timedelta | None = None) -> list[int]:
    """Write the jobs into the caller's transaction (the caller commits); returns the row ids.
    `delay` keeps the relay off a row for a while (a job the caller is about to do itself); a
    job's own `delay` makes its row available that long after now (a job that must not start
    before then)."""
    jobs = list(jobs)
    if not jobs:
        return []
    at = wall_clock()
    rows = [OutboxJob(name=job.name, kwargs=dict(job.kwargs), queue=str(job.queue), key=job_key(job),
                      created_at=at, available_at=at + (delay or timedelta(seconds=job.delay)), enqueues=0)
            for job in jobs]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def as_job(row: OutboxJob) -> Job:
    return Job(row.name, dict(row.kwargs or {}), QueueName(row.queue), outbox_id=row.id)


def by_ids(session: Session, ids: list[int]) -> list[OutboxJob]:
    if not ids:
        return []
    return list(session.scalars(select(OutboxJob).where(OutboxJob.id.in_(ids)).order_by(OutboxJob.id)))


def mark_enqueued(session: Session, ids: list[int]) -> None:
    """Handed to the queue (the caller commits)."""
    if ids:
        session.execute(update(OutboxJob).where(OutboxJob.id.in_(ids))
                        .values(enqueued_at=wall_clock(), enqueues=OutboxJob.enqueues + 1)
                        .execution_options(synchronize_session=False))


def mark_done(session: Session, ids: list[int]) -> None:
    """Finished by a worker (the caller commits)."""
    if ids:
        session.execute(update(OutboxJob).where(OutboxJob.id.in_(ids), OutboxJob.done_at.is_(None))
                        .values(done_at=wall_clock()).execution_options(synchronize_session=False))


def mark_failed(session: Session, ids: list[int]) -> None:
    """Given up by the queue after its retries: over, and marked failed (the caller commits)."""
    if ids:
        at = wall_clock()
        session.execute(update(OutboxJob).where(OutboxJob.id.in_(ids), OutboxJob.done_at.is_(None))
                        .values(done_at=at, failed_at=at).execution_options(synchronize_session=False))


def unsent(session: Session, grace: timedelta = timedelta(0), limit: int = 500) -> list[OutboxJob]:
    """Rows never handed to the queue, `grace` after their time came (the committing process
    is handing them over itself meanwhile), oldest first; a delayed row (available after its
    creation: nobody hands it over at the commit) as soon as its time came."""
    at = wall_clock()
    return list(session.scalars(
        select(OutboxJob)
        .where(OutboxJob.done_at.is_(None), OutboxJob.enqueued_at.is_(None), OutboxJob.available_at <= at,
               or_(OutboxJob.available_at <= at - grace, OutboxJob.available_at > OutboxJob.created_at))
        .order_by(OutboxJob.id).limit(limit)))


def next_due(session: Session) -> datetime | None:
    """When the earliest row not handed over yet becomes available, if that is still to come
    (the relay wakes up for it instead of waiting its whole period)."""
    return session.scalar(
        select(func.min(OutboxJob.available_at))
        .where(OutboxJob.done_at.is_(None), OutboxJob.enqueued_at.is_(None), OutboxJob.available_at > wall_clock()))


def unfinished(session: Session, older_than: timedelta, limit: int = 500) -> list[OutboxJob]:
    """Rows handed to the queue at least `older_than` ago and not done: the relay asks the queue
    whether it still holds them."""
    cutoff = wall_clock() - older_than
    return list(session.scalars(
        select(OutboxJob)
        .where(OutboxJob.done_at.is_(None), OutboxJob.enqueued_at.is_not(None), OutboxJob.enqueued_at <= cutoff,
               OutboxJob.available_at <= wall_clock())
        .order_by(OutboxJob.id).limit(limit)))


def open_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of these job keys have a row not done (the job is on its way: nobody else need
    ask for it again)."""
    if not keys:
        return set()
    return set(session.scalars(select(OutboxJob.key).where(OutboxJob.key.in_(keys), OutboxJob.done_at.is_(None))))


def purge_done(session: Session, kept: timedelta = DONE_KEPT) -> int:
    """Delete rows finished longer ago than `kept` (the caller commits)."""
    cutoff = wall_clock() - kept
    return session.execute(delete(OutboxJob).where(OutboxJob.done_at.is_not(None), OutboxJob.done_at < cutoff)
                           .execution_options(synchronize_session=False)).rowcount or 0


def backlog(session: Session) -> dict[str, int]:
    """Rows not done: never handed to the queue, and handed but not finished (health pages)."""
    unsent_, queued = session.execute(
        select(func.count(OutboxJob.id).filter(OutboxJob.enqueued_at.is_(None)),
               func.count(OutboxJob.id).filter(OutboxJob.enqueued_at.is_not(None)))
        .where(OutboxJob.done_at.is_(None))).one()
    return {"sin_encolar": unsent_ or 0, "en_cola": queued or 0}
