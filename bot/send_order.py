"""Which outbound message must go first: messages to one phone leave in the order they were
stored, and a part of a reply only after the part before it was accepted by Twilio.

Twilio keeps no order between messages handed to it one after the other: two parts queued
10 ms apart may reach the phone in either order. So each message waits for the message stored
before it to the same phone (its predecessor) to be accepted: Twilio reports it `sent` (status
callback), or the part gap (OUTBOUND_PART_GAP_SECONDS) has passed since it was handed over,
whichever comes first. A predecessor not handed over yet is sent first; one that failed for
good takes the rest of its own reply with it (a part never goes out alone), but not the
messages of other replies. A WhatsApp message replaced by its SMS fallback is followed once
the fallback's last part is accepted; the fallback's own parts follow each other.

Nobody sleeps through the wait: the send job stops at a part that must wait and leaves it to
the status callback that accepts its predecessor (bot/outbound/status.py starts a send job for
the phone's waiting parts) and, should no callback come, to a job delayed until the gap is over
(`Before.seconds`), which the outbox relay enqueues then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Direction, MessageStatus
from core.models import Message
from core.timeutil import now as utc_now

SENDING = "sending"  # claimed by a worker that is calling Twilio (no sid yet)
# A predecessor another worker is handing over right now: look again after this long (its
# callback usually comes first), never sooner.
RECHECK_SECONDS = 0.5
ACCEPTED = frozenset({"sent", "delivered", "read"})
FINAL_FAILURES = frozenset({MessageStatus.FAILED.value, MessageStatus.UNDELIVERED.value})


@dataclass(frozen=True)
class Before:
    """What stands before a message: `go`, `send_first` (the predecessor is still to be handed
    over), `wait` (handed over or being handed over, not accepted yet: look again after
    `seconds` unless a callback comes first), `fail` (an earlier part of the same reply failed
    for good)."""

    action: str
    message: Message | None = None
    seconds: float = 0.0


GO = Before("go")


def predecessor(session: Session, message: Message) -> tuple[Message | None, bool]:
    """The message that must be accepted before `message`, and whether it is the previous part
    of the same reply. Fresh from the database (other workers and callbacks change it)."""
    fresh = {"populate_existing": True}
    if message.fallback_of_id is not None:
        if not message.sequence:
            return None, False
        previous = session.scalar(
            select(Message).where(Message.fallback_of_id == message.fallback_of_id,
                                  Message.sequence == message.sequence - 1).execution_options(**fresh))
        return previous, previous is not None
    previous = session.scalar(
        select(Message)
        .where(Message.contact_id == message.contact_id, Message.direction == Direction.OUTBOUND,
               Message.id < message.id, Message.fallback_of_id.is_(None),
               Message.status != MessageStatus.SUPPRESSED)
        # created_at first: the (contact_id, created_at) index answers it; by id alone PostgreSQL
        # may walk the primary key back through every other phone's messages
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1).execution_options(**fresh))
    if previous is None:
        return None, False
    same_reply = bool(message.sequence) and previous.sequence == message.sequence - 1 \
        and previous.kind == message.kind and previous.case_id == message.case_id
    if previous.status in FINAL_FAILURES:
        fallback = session.scalar(
            select(Message).where(Message.fallback_of_id == previous.id)
            .order_by(Message.sequence.desc()).limit(1).execution_options(**fresh))
        if fallback is not None:
            if fallback.status == MessageStatus.QUEUED and not fallback.message_sid:
                # send the fallback from its first part still waiting
                first = session.scalar(
                    select(Message).where(Message.fallback_of_id == previous.id,
                                          Message.status == MessageStatus.QUEUED,
                                          Message.message_sid.is_(None))
                    .order_by(Message.sequence).limit(1).execution_options(**fresh))
                return first or fallback, same_reply
            return fallback, same_reply
    return previous, same_reply


def before(session: Session, message: Message, *, gap_seconds: float, stale: timedelta) -> Before:
    """What to do before sending `message` (see the module docstring)."""
    previous, same_reply = predecessor(session, message)
    if previous is None:
        return GO
    if previous.status in FINAL_FAILURES:
        return Before("fail", previous) if same_reply else GO
    if previous.message_sid is None:
        if previous.status == MessageStatus.QUEUED:
            return Before("send_first", previous)
        if previous.status == SENDING:
            since = previous.status_at or previous.created_at
            if utc_now() - since > stale:  # its worker died: whoever sends next resolves it
                return Before("send_first", previous)
            return Before("wait", previous, max(gap_seconds, RECHECK_SECONDS))
        return GO  # suppressed or another final state without a sid
    if previous.status in ACCEPTED:
        return GO
    handed = previous.status_at or previous.created_at
    left = gap_seconds - (utc_now() - handed).total_seconds()
    return Before("wait", previous, left) if left > 0 else GO
