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
            result = fn(*args, **kwargs)
        except Exception:
            JOB_FAILURES.labels(fn.__name__).inc()
            log.exception("job failed %s", fn.__name__, extra={"task": fn.__name__})
            raise
        else:
            _outbox_done()
            return result
        finally:
            JOB_SECONDS.labels(fn.__name__).observe(time.perf_counter() - started)
            request_id_var.reset(token)

    TASKS[fn.__name__] = wrapper
    return wrapper


def _outbox_done() -> None:
    """Under RQ, mark the job's outbox row done (inline runs are marked by workers.dispatch).
    A failure here only leaves the row for the relay, which finds the RQ job finished."""
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - not running under an RQ worker
        return
    row_id = job.meta.get("outbox_id") if job is not None else None
    if row_id is None:
        return
    from workers.dispatch import finished

    try:
        finished([int(row_id)])
    except Exception:
        log.warning("outbox row not marked done", extra={"outbox_id": row_id}, exc_info=True)


def _request_id_from_rq() -> str | None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - not running under an RQ worker
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
def notify_case_reopened(case_id: int, volante_id: int | None = None) -> None:
    from workers import notify

    notify.case_reopened(case_id, volante_id)


@task
def notify_case_merged(case_id: int) -> None:
    from workers import notify

    notify.case_merged(case_id)


@task
def notify_affiliate_replied(request_id: int) -> None:
    from workers import notify

    notify.affiliate_replied(request_id)


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

# ---- channels (issue 5): outbound sending and the sweeps of lost jobs ----


@task
def send_outbound(message_ids: list[int]) -> None:
    """Send stored outbound messages, in the given order, through Twilio (bot.outbound)."""
    from bot.outbound import send_messages
    from core.config import Settings
    from workers.connections import job_session
    from workers.dispatch import commit_and_enqueue

    settings = Settings.from_env()
    with job_session(settings) as session:
        jobs = send_messages(session, list(message_ids), settings=settings)
        commit_and_enqueue(session, jobs, settings)


@task
def sweep_stuck_inbound(older_than_seconds: float = 120) -> int:
    """Beside the outbox relay: inbound messages still `received` with no job on its way (no
    open outbox row: their job failed for good, or they were stored before the outbox) and
    outbound messages never handed to Twilio get a job again."""
    from bot.inbox import claim_for_sweep, stuck_inbound_ids
    from bot.outbound import stuck_outbound_ids
    from core import outbox
    from core.config import Settings
    from core.jobs import Job, QueueName
    from workers.connections import job_session
    from workers.dispatch import commit_and_enqueue

    settings = Settings.from_env()
    with job_session(settings) as session:
        inbound = {i: Job("process_inbound_message", {"message_id": i}, QueueName.INBOUND)
                   for i in stuck_inbound_ids(session, older_than_seconds)}
        on_their_way = outbox.open_keys(session, [outbox.job_key(job) for job in inbound.values()])
        chosen = claim_for_sweep(session, [i for i, job in inbound.items()
                                           if outbox.job_key(job) not in on_their_way])
        jobs = [inbound[i] for i in chosen]
        outbound = stuck_outbound_ids(session, older_than_seconds)
        jobs += [Job("send_outbound", {"message_ids": ids}, QueueName.OUTBOUND) for ids in outbound]
        if jobs:
            log.warning("sweep re-enqueues lost jobs", extra={"inbound": len(chosen), "outbound": len(outbound)})
        commit_and_enqueue(session, jobs, settings)
    return len(jobs)


# ---- dialogue (issue 5): one conversation turn per inbound message ----

# The reply's send job is written with the turn as a backstop and enqueued by the relay only if
# this job has not sent the reply by then (it died after the turn's commit).
SEND_BACKSTOP_SECONDS = 30


@task
def process_inbound_message(message_id: int) -> None:
    """Run the dialogue on one inbound message (idempotent), commit, then send the reply at once
    from this same job: a second job would add a queue hop, a fork and a new database connection
    between the affiliate and the answer. What Twilio does not take on the first try (or any
    error here) goes to a `send_outbound` job, which continues the tries."""
    from datetime import timedelta

    from bot.outbound import send_messages
    from bot.turns import handle_inbound
    from core import outbox
    from core.config import Settings
    from workers.connections import job_session
    from workers.dispatch import commit_and_enqueue, enqueue_staged, stage_jobs

    settings = Settings.from_env()
    with job_session(settings) as session:
        jobs = handle_inbound(session, int(message_id), settings=settings)
        sends = stage_jobs(session, [job for job in jobs if job.name == "send_outbound"],
                           delay=timedelta(seconds=SEND_BACKSTOP_SECONDS))
        commit_and_enqueue(session, [job for job in jobs if job.name != "send_outbound"], settings)
    for job in sends:
        try:
            with job_session(settings) as session:
                later = send_messages(session, job.kwargs["message_ids"], settings=settings, first_try_only=True)
                outbox.mark_done(session, [job.outbox_id])
                commit_and_enqueue(session, later, settings)
        except Exception:
            log.exception("sending the reply from the dialogue job failed; left for the send job")
            enqueue_staged([job.outbox_id], settings)


@task
def fetch_message_media(message_id: int) -> int:
    """Copy an inbound message's media from Twilio into SINAC's storage (bot.media). A host that
    did not answer properly makes the job fail, so RQ tries again later."""
    from bot.media import fetch_message_media as fetch
    from core.config import Settings
    from workers.connections import job_session

    settings = Settings.from_env()
    with job_session(settings) as session:
        outcome = fetch(session, int(message_id), settings=settings)
        session.commit()
    if outcome.retry and settings.jobs_mode != "inline":
        raise RuntimeError(f"{outcome.retry} media file(s) of message {message_id} not downloaded yet")
    return outcome.stored


# ---- informe mensual (issue 8) ----


@task
def build_monthly_report(month: str | None = None) -> int:
    """Freeze the previous month's report (national and per estado); complete snapshots are kept
    unchanged, partial ones (taken before their month ended) are rebuilt, of that month and of
    any earlier one. Only months that have ended (a ValidationError otherwise). Scheduled on
    the 1st (workers/schedule.py). Returns how many were created."""
    from core.reports import Month
    from core.reports.snapshots import build_month_snapshots, rebuild_partial_snapshots
    from workers.connections import job_session

    target = Month.parse(month) if month else Month.previous_to_today()
    with job_session() as session:
        created = build_month_snapshots(session, target, created_by="scheduler")
        if month is None:
            created += rebuild_partial_snapshots(session, created_by="scheduler")
        session.commit()
    log.info("monthly report %s: %d snapshots", target.key, len(created))
    return len(created)


@task
def expire_idle_sessions() -> int:
    """Short notice to phones whose conversation went idle with something pending (periodic)."""
    from bot.dialogue.expiry import expire_idle_sessions as expire
    from core.config import Settings
    from workers.connections import job_session
    from workers.dispatch import commit_and_enqueue

    settings = Settings.from_env()
    with job_session(settings) as session:
        jobs = expire(session, settings)
        commit_and_enqueue(session, jobs, settings)
    return len(jobs)
