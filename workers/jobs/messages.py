"""The jobs of the affiliate's messages: a conversation turn per inbound message, sending
through Twilio, copying media, and the sweeps that give lost messages a job again."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.dialogue.expiry import expire_idle_sessions as expire
from bot.inbox import claim_for_sweep, stuck_inbound_ids
from bot.media import fetch_message_media as fetch
from bot.outbound.sending import send_messages, stuck_outbound_ids
from bot.turns import handle_inbound
from core import outbox
from core.jobs import Job, JobName, QueueName
from workers.connections import current_settings, job_session
from workers.dispatch import commit_and_enqueue, enqueue_staged, stage_jobs
from workers.jobs.wrapper import job

log = logging.getLogger("sinac.jobs")

# The reply's send job is written with the turn as a backstop and enqueued by the relay only if
# the turn's job has not sent the reply by then (it died after the turn's commit).
SEND_BACKSTOP_SECONDS = 30


@job
def process_inbound_message(message_id: int) -> None:
    """Run the dialogue on one inbound message (idempotent), commit, then send the reply at once
    from this same job: a second job would add a queue hop, a fork and a new database connection
    between the affiliate and the answer. What Twilio does not take on the first try (or any
    error here) goes to a `send_outbound` job, which continues the tries."""
    settings = current_settings()
    with job_session(settings) as session:
        jobs = handle_inbound(session, int(message_id), settings=settings)
        sends = stage_jobs(session, [j for j in jobs if j.name == JobName.SEND_OUTBOUND],
                           delay=timedelta(seconds=SEND_BACKSTOP_SECONDS))
        commit_and_enqueue(session, [j for j in jobs if j.name != JobName.SEND_OUTBOUND], settings)
    for send in sends:
        try:
            with job_session(settings) as session:
                later = send_messages(session, send.kwargs["message_ids"], settings=settings, first_try_only=True)
                outbox.mark_done(session, [send.outbox_id])
                commit_and_enqueue(session, later, settings)
        except Exception:
            log.exception("sending the reply from the dialogue job failed; left for the send job")
            enqueue_staged([send.outbox_id], settings)


@job
def send_outbound(message_ids: list[int]) -> None:
    """Send stored outbound messages, in the given order, through Twilio (bot.outbound)."""
    settings = current_settings()
    with job_session(settings) as session:
        jobs = send_messages(session, list(message_ids), settings=settings)
        commit_and_enqueue(session, jobs, settings)


@job
def fetch_message_media(message_id: int) -> int:
    """Copy an inbound message's media from Twilio into SINAC's storage (bot.media). A host that
    did not answer properly makes the job fail, so RQ tries again later."""
    settings = current_settings()
    with job_session(settings) as session:
        outcome = fetch(session, int(message_id), settings=settings)
        session.commit()
    if outcome.retry and settings.jobs_mode != "inline":
        raise RuntimeError(f"{outcome.retry} media file(s) of message {message_id} not downloaded yet")
    return outcome.stored


@job
def sweep_stuck_inbound(older_than_seconds: float = 120) -> int:
    """Beside the outbox relay: inbound messages still `received` with no job on its way (no
    open outbox row: their job failed for good, or they were stored before the outbox) and
    outbound messages never handed to Twilio get a job again."""
    settings = current_settings()
    with job_session(settings) as session:
        inbound = {i: Job(JobName.PROCESS_INBOUND_MESSAGE, {"message_id": i}, QueueName.INBOUND)
                   for i in stuck_inbound_ids(session, older_than_seconds)}
        on_their_way = outbox.open_keys(session, [outbox.job_key(j) for j in inbound.values()])
        chosen = claim_for_sweep(session, [i for i, j in inbound.items() if outbox.job_key(j) not in on_their_way])
        jobs = [inbound[i] for i in chosen]
        outbound = stuck_outbound_ids(session, older_than_seconds)
        jobs += [Job(JobName.SEND_OUTBOUND, {"message_ids": ids}, QueueName.OUTBOUND) for ids in outbound]
        if jobs:
            log.warning("sweep re-enqueues lost jobs", extra={"inbound": len(chosen), "outbound": len(outbound)})
        commit_and_enqueue(session, jobs, settings)
    return len(jobs)


@job
def expire_idle_sessions() -> int:
    """Short notice to phones whose conversation went idle with something pending (periodic)."""
    settings = current_settings()
    with job_session(settings) as session:
        jobs = expire(session, settings)
        commit_and_enqueue(session, jobs, settings)
    return len(jobs)
