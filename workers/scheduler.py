"""The scheduler process: `python -m workers.scheduler` (Procfile `scheduler:`).

Uses RQ 3's own CronScheduler: it enqueues each entry of workers.schedule.SCHEDULE on its queue
when due; the RQ workers run them. Run exactly one (a second one only duplicates runs of
idempotent jobs). Cron times are Mexico City time: TZ is set before the scheduler starts.
"""

from __future__ import annotations

import logging
import os
import time

from rq.cron import CronScheduler

from core.config import Settings
from workers.schedule import SCHEDULE

SCHEDULER_TZ = "America/Mexico_City"
log = logging.getLogger("sinac.scheduler")


def use_mexico_time() -> None:
    """rq's cron matches local time; make local time Mexico City's for this process."""
    os.environ["TZ"] = SCHEDULER_TZ
    time.tzset()


def build(connection, schedule=SCHEDULE) -> tuple[CronScheduler, list[str]]:
    """A CronScheduler with every entry whose task exists; returns it and the names skipped."""
    from workers.tasks import TASKS

    cron = CronScheduler(connection=connection, name=f"sinac-{os.getpid()}")
    skipped = []
    for entry in schedule:
        func = TASKS.get(entry.task)
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


def main() -> None:
    from core.logs import configure_logging
    from workers.connections import redis_for

    settings = Settings.from_env()
    configure_logging(settings.log_format)
    use_mexico_time()
    cron, skipped = build(redis_for(settings.redis_url))
    for entry in SCHEDULE:
        if entry.task not in skipped:
            log.info("scheduled %s: %s (%s)", entry.task, entry.cadence, entry.purpose)
    cron.start()


if __name__ == "__main__":
    main()
