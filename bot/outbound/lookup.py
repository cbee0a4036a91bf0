"""A part whose fate is unknown (its worker died during the call to Twilio, or the answer timed
out) is looked up in Twilio's message list before anything is sent again: a message Twilio has is
recorded, never sent twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.send_order import FINAL_FAILURES, SENDING
from core.enums import MessageStatus
from core.models import Message
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

# Looking a part up in Twilio's list: this many newest messages to the phone, created at most
# this long before the part was claimed (clocks differ).
LOOKUP_LIMIT = 50
LOOKUP_SKEW = timedelta(minutes=2)


def find_at_twilio(session: Session, client, message: Message, params: dict):
    """The message as Twilio has it, or None: the newest messages from our sender to that phone
    (`params`: the create call's, bot.outbound.handover.params) created since the part was
    claimed, whose sid none of our messages holds, with the same body (any body for a template,
    which Twilio renders)."""
    since = (message.status_at or message.created_at) - LOOKUP_SKEW
    found = client.messages.list(to=params["to"], from_=params["from_"], limit=LOOKUP_LIMIT)
    sids = [m.sid for m in found]
    known = set(session.scalars(select(Message.message_sid).where(Message.message_sid.in_(sids)))) if sids else set()
    for candidate in found:  # newest first
        if candidate.sid in known or (candidate.date_created and candidate.date_created < since):
            continue
        if message.template_sid or (candidate.body or "") == (message.body or ""):
            return candidate
    return None


def record_found(session: Session, message: Message, found) -> None:
    """Record the part as Twilio has it (its sid and status); commits."""
    status = (found.status or MessageStatus.QUEUED.value)[:16]
    message.message_sid = found.sid
    message.status_at = utc_now()
    if status in FINAL_FAILURES:
        message.status = status
        message.error = f"Twilio error {found.error_code}: {found.error_message or ''}"[:500]
    else:
        message.status = MessageStatus.QUEUED.value if status == SENDING else status
        message.error = None
    session.commit()
    log.warning("outbound found at twilio after an interrupted call", extra={"message_id": message.id})
