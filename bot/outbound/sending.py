"""The `send_outbound` job's body: stored parts handed to Twilio in order, each after the part
before it to the same phone was accepted (bot/send_order.py), each at its sender's pace; a part
left `sending` by a worker that died is resolved against Twilio first; and the sweep's list of
parts whose job was lost."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.outbound.handover import RELEASED, TAKEN, UNKNOWN, deliver, finish, params
from bot.outbound.lookup import find_at_twilio, record_found
from bot.outbound.queueing import OPT_OUT_KINDS, SUPPRESSED_TEXT, fallback_for
from bot.pacing import pacer_for
from bot.send_order import SENDING, before
from bot.twilio_client import build_client
from core.config import Settings, current_settings
from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)


def send_messages(session: Session, message_ids: list[int], *, settings: Settings | None = None,
                  client=None, sleep: Callable[[float], None] = time.sleep,
                  first_try_only: bool = False, pacer=None) -> list[Job]:
    """Send the given messages in order, committing each step, each at the sender's pace
    (bot/pacing.py) and each after the message before it to the same phone was accepted
    (bot/send_order.py: a predecessor still waiting is sent first; a part left `sending` by a
    crashed worker is resolved against Twilio's message list). A part that fails for good takes
    the rest of its reply with it (marked failed, never sent out of order or alone). WhatsApp
    template failures get an SMS fallback, sent right away. A part whose predecessor is not
    accepted yet ends the job: the rest goes when the predecessor's status callback comes, or
    by the returned job, delayed until the part gap is over (the worker is free meanwhile).

    `first_try_only` is the dialogue job sending its own reply at once (no second job between the
    affiliate and the answer): on a transient failure it never waits; the part goes back to
    `queued` and a `send_outbound` job for it and the parts after it is returned, whose tries
    continue the count (a message still gets 1 + len(RETRY_DELAYS) tries in all). Twilio's 429s
    never count as tries: the sender is paused for every worker and the part is sent later."""
    settings = settings or current_settings()
    client = client or build_client(settings)
    pacer = pacer or pacer_for(settings)
    pending = list(dict.fromkeys(int(i) for i in message_ids))
    while pending:
        message_id = pending[0]
        message = session.get(Message, message_id, populate_existing=True)  # fresh: others change it
        if message is None or message.direction != Direction.OUTBOUND:
            pending.pop(0)
            continue
        if message.message_sid or message.status not in (MessageStatus.QUEUED, SENDING):
            pending.pop(0)  # handed over, or finished
            continue
        if message.status == SENDING:
            if not abandoned(message, settings):
                pending.pop(0)  # another worker is handing it over; what follows waits for it
                continue
            if not resolve_abandoned(session, client, message, settings):
                return []  # Twilio cannot tell now; the sweep comes back to it
            continue  # recorded as Twilio has it, or queued again to be sent now
        # fresh: an opt-out may have been committed since the reply was queued
        contact = session.get(Contact, message.contact_id, populate_existing=True)
        if contact.opt_out and message.kind not in OPT_OUT_KINDS:
            pending.pop(0)
            finish(session, message, MessageStatus.SUPPRESSED, SUPPRESSED_TEXT)
            continue
        step = before(session, message, gap_seconds=settings.outbound_part_gap_seconds,
                      stale=stale_sending(settings))
        if step.action == "send_first":
            pending.insert(0, step.message.id)
            continue
        if step.action == "wait":
            # not slept through: the predecessor's status callback starts the rest
            # (bot/outbound/status.py), or this job, delayed, once the gap is over
            return [Job(JobName.SEND_OUTBOUND, {"message_ids": pending}, QueueName.OUTBOUND, delay=step.seconds)]
        pending.pop(0)
        if step.action == "fail":
            finish(session, message, MessageStatus.FAILED, "No enviado: falló una parte anterior del mismo mensaje.")
            continue
        outcome = deliver(session, client, pacer, message, contact, settings, sleep, first_try_only=first_try_only)
        if outcome == RELEASED:
            return [Job(JobName.SEND_OUTBOUND, {"message_ids": [message_id, *pending]}, QueueName.OUTBOUND)]
        if outcome == UNKNOWN:
            return []  # left `sending`: the sweep resolves it before anything later is sent
        if outcome is not None and outcome != TAKEN:
            fallback = fallback_for(session, message, contact, outcome)
            if fallback:
                session.commit()
                pending[0:0] = [m.id for m in fallback]
    return []


def stale_sending(settings: Settings) -> timedelta:
    """A part `sending` longer than this was left by a worker that died during its one call to
    Twilio (a call lasts at most the timeout; retries put the part back to `queued` between
    tries)."""
    return timedelta(seconds=2 * settings.twilio_timeout_seconds + 5)


def abandoned(message: Message, settings: Settings) -> bool:
    since = message.status_at or message.created_at
    return since is not None and utc_now() - since > stale_sending(settings)


def resolve_abandoned(session: Session, client, message: Message, settings: Settings) -> bool:
    """A part left `sending` by a dead worker: recorded as Twilio has it, or `queued` again
    when Twilio never got it (then sent as usual, once). False when Twilio cannot be asked now."""
    args = params(message, session.get(Contact, message.contact_id), settings)
    try:
        found = find_at_twilio(session, client, message, args)
    except Exception as exc:  # noqa: BLE001 - Twilio unreachable: left for the next sweep
        log.warning("cannot resolve an interrupted send now", extra={"message_id": message.id, "error": str(exc)})
        session.rollback()
        return False
    if found is not None:
        record_found(session, message, found)
        return True
    claimed_at = message.status_at
    session.execute(
        update(Message).where(Message.id == message.id, Message.status == SENDING,
                              Message.message_sid.is_(None), Message.status_at == claimed_at)
        .values(status=MessageStatus.QUEUED, status_at=utc_now(),
                error="Envío interrumpido; Twilio no lo recibió: se envía de nuevo.")
        .execution_options(synchronize_session=False))
    session.commit()
    log.warning("interrupted send not at twilio, queued again", extra={"message_id": message.id})
    return True


def stuck_outbound_ids(session: Session, older_than_seconds: float, limit: int = 500,
                       settings: Settings | None = None) -> list[list[int]]:
    """Outbound messages still waiting to be handed to Twilio after the given age (their job was
    lost: Redis down, worker died), and parts left `sending` by a worker that died during the
    call (resolved against Twilio by the send job), grouped per contact in their original order."""
    settings = settings or current_settings()
    cutoff = utc_now() - timedelta(seconds=older_than_seconds)
    abandoned_before = utc_now() - stale_sending(settings)
    rows = session.execute(
        select(Message.id, Message.contact_id)
        .where(Message.direction == Direction.OUTBOUND, Message.message_sid.is_(None),
               Message.created_at <= cutoff,
               or_(Message.status == MessageStatus.QUEUED,
                   and_(Message.status == SENDING, Message.status_at <= abandoned_before)))
        .order_by(Message.id)
        .limit(limit)
    )
    groups: dict[int, list[int]] = {}
    for message_id, contact_id in rows:
        groups.setdefault(contact_id, []).append(message_id)
    return list(groups.values())
