"""Every RQ job, by name. Jobs take ids, open their own session and commit what they decide.

Domain services name jobs (core.jobs.Job.name); this registry maps those names to functions.
"""

from __future__ import annotations

import functools
import logging
import time

from core.logs import request_id_var

TASKS: dict = {}
log = logging.getLogger("sinac.jobs")


def task(fn):
    """Register a job function under its own name; carry the request id, time it, count failures."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from workers.metrics import JOB_FAILURES, JOB_SECONDS

        token = request_id_var.set(_request_id_from_rq() or request_id_var.get())
        started = time.perf_counter()
        log.info("job start %s", fn.__name__, extra={"task": fn.__name__, "job_kwargs": repr(kwargs)[:200]})
        try:
            return fn(*args, **kwargs)
        except Exception:
            JOB_FAILURES.labels(fn.__name__).inc()
            log.exception("job failed %s", fn.__name__, extra={"task": fn.__name__})
            raise
        finally:
            JOB_SECONDS.labels(fn.__name__).observe(time.perf_counter() - started)
            request_id_var.reset(token)

    TASKS[fn.__name__] = wrapper
    return wrapper


def _request_id_from_rq() -> str | None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # not running under an RQ worker
        return None
    return job.meta.get("request_id") if job is not None else None


# ---- issue 7: notifications, reminders, escalation, retention (bodies in workers/notify.py) ----

@task
def notify_volante_opened(volante_id: int) -> None:
    from workers import notify

    notify.volante_opened(volante_id)


@task
def notify_volante_reassigned(volante_id: int) -> None:
    from workers import notify

    notify.volante_reassigned(volante_id)


@task
def notify_volante_returned(volante_id: int) -> None:
    from workers import notify

    notify.volante_returned(volante_id)


@task
def notify_fur_filed(volante_id: int) -> None:
    from workers import notify

    notify.fur_filed(volante_id)


@task
def notify_case_concluded(case_id: int) -> None:
    from workers import notify

    notify.case_concluded(case_id)


@task
def send_reminders() -> int:
    from workers import notify

    return notify.send_reminders()


@task
def escalate_overdue() -> int:
    from workers import notify

    return notify.escalate_overdue()


@task
def deliver_staff_emails() -> int:
    from workers import notify

    return notify.send_staff_emails()


@task
def purge_retention() -> dict:
    from workers import notify

    return notify.purge_retention().as_dict()

# ---- end issue 7 ----
