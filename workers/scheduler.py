"""The scheduler process: `python -m workers.scheduler` (Procfile `scheduler:`).

Uses RQ 3's own CronScheduler: it enqueues each entry of workers.schedule.SCHEDULE on its queue
when due; the RQ workers run them. Run exactly one (a second one only duplicates runs of
idempotent jobs). Cron times are Mexico City time: TZ is set before the scheduler starts.
"""

from __future__ import annotations

import logging
import os
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from core.config import Settings
from workers import registry
from workers.connections import refuse_unsafe
from workers.schedule import SCHEDULE

SCHEDULER_TZ = "America/Mexico_City"
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 5.0  # seconds between attempts to reach Redis again (a ping)
POLL_SECONDS = 5.0  # the cron loop checks Redis at least this often
CATCH_UP_AGE = 5  # seconds: younger messages are still on their way through the webhook's enqueue
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
log = logging.getLogger("sinac.scheduler")


def use_mexico_time() -> None:
    """rq's cron matches local time; make local time Mexico City's for this process."""
    os.environ["TZ"] = SCHEDULER_TZ
    time.tzset()


class SinacCron(CronScheduler):
    """RQ's cron, awake at least every POLL_SECONDS (RQ sleeps up to 60 s, so an outage went
    unnoticed that long) and remembering a stop request even when Redis is gone by then."""

    stopping = False

    def calculate_sleep_interval(self) -> float:
        return min(super().calculate_sleep_interval(), POLL_SECONDS)

    def _request_stop(self, signum, frame):
        self.stopping = True
        super()._request_stop(signum, frame)


def build(connection, schedule=SCHEDULE) -> tuple[CronScheduler, list[str]]:
    """A CronScheduler with every entry whose task is registered; returns it and the names skipped."""
    cron = SinacCron(connection=connection, name=f"sinac-{os.getpid()}")
    skipped = []
    for entry in schedule:
        func = registry.resolve(entry.task) if entry.task in registry.JOBS else None
        if func is None:
            skipped.append(entry.task)
            log.warning("scheduled task %s does not exist; skipped", entry.task)
            continue
        cron.register(func, queue_name=str(entry.queue), cron=entry.cron, interval=entry.interval,
                      job_timeout=entry.timeout, result_ttl=86400, failure_ttl=7 * 86400,
                      name=entry.task)
    return cron, skipped


def status(connection) -> list[dict]:
    """Running schedulers as RQ sees them (registered, with a recent heartbeat): for ops pages."""
    rows = []
    for sched in CronScheduler.all(connection):
        rows.append({"name": sched.name, "hostname": sched.hostname, "pid": sched.pid,
                     "last_heartbeat": sched.last_heartbeat,
                     "jobs": sorted(job.name for job in sched.get_jobs())})
    return rows


def catch_up(connection) -> None:
    """After Redis comes back, sweep at once instead of waiting for the next interval: whatever
    was stored during the outage is queued within seconds."""
    from rq import Queue

    entry = next(e for e in SCHEDULE if e.task == "sweep_stuck_inbound")
    Queue(str(entry.queue), connection=connection).enqueue(
        registry.path_of(entry.task), kwargs={"older_than_seconds": CATCH_UP_AGE}, job_timeout=entry.timeout,
        result_ttl=86400)


def run(connect, schedule=SCHEDULE, *, sleep=time.sleep) -> None:
    """Run the cron until asked to stop. A lost Redis never ends the process (under honcho that
    would take the whole stack down): it is retried with capped exponential backoff, and the
    cron is built again on the new connection."""
    delay, outages, cron = BACKOFF_FIRST, 0, None
    while True:
        try:
            connection = connect()
            connection.ping()
            cron, skipped = build(connection, schedule)
            for entry in schedule:
                if entry.task not in skipped:
                    log.info("scheduled %s: %s (%s)", entry.task, entry.cadence, entry.purpose)
            if outages:
                log.warning("Redis is back after %d failed attempt(s); sweeping now", outages)
                catch_up(connection)
            delay, outages = BACKOFF_FIRST, 0
            cron.start()  # returns only when a signal asked it to stop
            return
        except StopRequested:
            return
        except REDIS_DOWN as exc:
            if cron is not None and cron.stopping:  # stopped, and Redis was gone at the goodbye
                return
            outages += 1
            log.error("Redis unavailable (%s); trying again in %.0f s", exc, delay)
            try:
                sleep(delay)
            except (StopRequested, KeyboardInterrupt):
                return
            delay = min(delay * 2, BACKOFF_MAX)


def main() -> None:
    from redis import Redis

    from core.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_format)
    refuse_unsafe(settings)
    use_mexico_time()
    # A fresh client per attempt: a cached one could keep a half-dead pool across the outage.
    run(lambda: Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5))


if __name__ == "__main__":
    main()
