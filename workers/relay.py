"""The outbox relay: `python -m workers.relay` (Procfile `relay:`), one per deployment.

Every few seconds it makes the queue agree with the outbox (core/outbox.py):
- rows never handed to RQ once their time has come (Redis was down at the commit, the process
  died between its commit and its enqueue, a reply's backstop, a delayed job such as a reply's
  next part waiting for its gap: the relay wakes up when the earliest one falls due) are
  enqueued and marked;
- rows handed over a while ago and not done are looked up in RQ: gone (Redis restarted empty)
  → enqueued again; finished → marked done; failed after its retries → marked failed;
- jobs whose worker died (`kill -9`, machine lost) are found by their heartbeat: RQ's started
  registry holds each running job with an expiry the worker pushes forward every
  `HEARTBEAT_SECONDS` (workers/worker.py); an entry past its expiry has nobody behind it, and is
  taken out of the registry (one relay wins) and put back on its queue, at the front, once.
RQ's own clean-up of that registry only runs every 10 minutes and, with the dead worker's
scheduler lock still held, its retry waited for another minute or more: the relay makes it
seconds. A second relay only duplicates work that is idempotent.

Neither Redis nor the database going away ends the process: each pass that fails is retried with
capped exponential backoff.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import UTC, timedelta

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from core import outbox
from core.config import Settings
from core.jobs import QUEUES

log = logging.getLogger("sinac.relay")

PASS_SECONDS = 2.0  # between passes when all is well (sooner when a delayed row falls due)
MIN_WAIT = 0.02  # the shortest wait between passes
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 5.0  # after a failed pass (Redis or the database away)
GRACE = timedelta(seconds=3)  # a row this young may be being enqueued by its own process right now
LOST_AFTER = timedelta(seconds=20)  # handed to RQ this long ago and not done: ask RQ about it
PURGE_EVERY = 3600.0  # seconds between deletions of rows done over a week ago
WAITING = frozenset({"queued", "started", "scheduled", "deferred"})


def relay_pass(session, connection, settings: Settings) -> dict[str, int]:
    """One pass; returns what it did (counts). Raises RedisError / SQLAlchemyError."""
    counts = {"enqueued": 0, "delayed": 0, "lost": 0, "done": 0, "failed": 0, "abandoned": 0}
    counts["abandoned"] = requeue_abandoned(connection)
    rows = outbox.unsent(session, GRACE)
    if rows:
        held = _rq_statuses(connection, rows)
        fresh = [row for row in rows if held.get(row.id) is None]
        outbox.mark_enqueued(session, [row.id for row in rows if held.get(row.id) is not None])
        session.commit()
        if fresh:
            from workers.dispatch import enqueue_rows

            if enqueue_rows(session, fresh, settings):
                stranded = [row.id for row in fresh if row.available_at <= row.created_at]
                counts["enqueued"], counts["delayed"] = len(stranded), len(fresh) - len(stranded)
                if stranded:
                    log.warning("relay enqueued %d job(s) that were never handed to the queue", len(stranded),
                                extra={"outbox_ids": stranded[:50]})
            else:
                raise RedisError("enqueue failed")
    rows = outbox.unfinished(session, LOST_AFTER)
    if rows:
        statuses = _rq_statuses(connection, rows)
        lost = [row for row in rows if statuses[row.id] is None]
        outbox.mark_done(session, [row.id for row in rows if statuses[row.id] == "finished"])
        failed = [row.id for row in rows if statuses[row.id] in ("failed", "stopped", "canceled")]
        outbox.mark_failed(session, failed)
        session.commit()
        counts["done"] = sum(1 for row in rows if statuses[row.id] == "finished")
        counts["failed"] = len(failed)
        if lost:
            from workers.dispatch import enqueue_rows

            if not enqueue_rows(session, lost, settings):
                raise RedisError("enqueue failed")
            counts["lost"] = len(lost)
            log.warning("relay enqueued again %d job(s) the queue had lost", len(lost),
                        extra={"outbox_ids": [row.id for row in lost][:50]})
    return counts


def _rq_statuses(connection, rows) -> dict[int, str | None]:
    """RQ's status of each row's job (None: RQ does not have it)."""
    from rq.job import Job as RQJob

    from workers.dispatch import rq_job_id

    jobs = RQJob.fetch_many([rq_job_id(row.id) for row in rows], connection=connection)
    statuses = {}
    for row, job in zip(rows, jobs, strict=True):
        status = job.get_status(refresh=False) if job is not None else None
        statuses[row.id] = None if status is None else str(getattr(status, "value", status))
    return statuses


def requeue_abandoned(connection, queues=QUEUES, at: float | None = None) -> int:
    """Jobs in a started registry whose heartbeat expired (their worker is gone) go back to the
    front of their queue. Each registry entry is removed first; only the process whose removal
    succeeded requeues the job, so it is retried once however many relays run."""
    from rq import Queue
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    at = time.time() if at is None else at
    requeued = 0
    for name in queues:
        queue = Queue(name, connection=connection)
        registry = StartedJobRegistry(queue=queue)
        for member in connection.zrangebyscore(registry.key, 0, at):
            if not connection.zrem(registry.key, member):
                continue  # another relay (or RQ's own clean-up) took it
            job_id = registry.parse_job_id(member)
            try:
                job = RQJob.fetch(job_id, connection=connection)
            except NoSuchJobError:
                continue
            if job.get_status(refresh=False) != JobStatus.STARTED:
                continue  # it ended after all (the entry was only left behind)
            queue.enqueue_job(job, at_front=True)
            requeued += 1
            log.warning("job %s lost its worker (heartbeat expired, worker %s); enqueued again", job.id,
                        job.worker_name, extra={"queue": name})
    return requeued


def until_due(due, period: float) -> float:
    """Seconds to wait before the next pass: the period, or less when a delayed row (a reply's
    next part waiting for its gap) becomes available sooner."""
    if due is None:
        return period
    if due.tzinfo is None:
        due = due.replace(tzinfo=UTC)
    return min(period, max((due - outbox.wall_clock()).total_seconds(), MIN_WAIT))


class Relay:
    def __init__(self, settings: Settings, *, pass_seconds: float = PASS_SECONDS, sleep=time.sleep):
        self.settings = settings
        self.pass_seconds = pass_seconds
        self.sleep = sleep
        self.stopping = False
        self.last_purge = 0.0

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> None:
        """Pass after pass until asked to stop; a failed pass waits (capped exponential backoff)
        and the next one reconnects: the process never exits because a dependency is away."""
        from redis import Redis

        from workers.connections import job_session

        delay, failures = BACKOFF_FIRST, 0
        connection = Redis.from_url(self.settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
        while not self.stopping:
            try:
                with job_session(self.settings) as session:
                    counts = relay_pass(session, connection, self.settings)
                    self._purge(session)
                    due = outbox.next_due(session)
            except (RedisError, SQLAlchemyError, OSError) as exc:
                failures += 1
                log.error("relay pass failed (%s: %s); trying again in %.0f s", type(exc).__name__,
                          str(exc).splitlines()[0][:200] if str(exc) else "", delay)
                self._wait(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            if failures:
                log.warning("relay back after %d failed pass(es)", failures)
            delay, failures = BACKOFF_FIRST, 0
            if any(counts.values()):
                log.info("relay pass", extra=counts)
            self._wait(until_due(due, self.pass_seconds))

    def _purge(self, session) -> None:
        if time.monotonic() - self.last_purge < PURGE_EVERY:
            return
        removed = outbox.purge_done(session)
        session.commit()
        self.last_purge = time.monotonic()
        if removed:
            log.info("relay purged %d finished outbox rows", removed)

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            self.sleep(min(0.2, max(deadline - time.monotonic(), 0)))


def main() -> None:
    from core.logs import configure_logging
    from workers.connections import refuse_unsafe

    settings = Settings.from_env()
    configure_logging(settings.log_format)
    refuse_unsafe(settings)
    relay = Relay(settings)
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    log.info("outbox relay started (every %.0f s)", relay.pass_seconds)
    relay.run()
    log.info("outbox relay stopped")


if __name__ == "__main__":
    main()
