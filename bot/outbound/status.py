"""Twilio's delivery status callbacks (POST /webhooks/twilio/status) applied to our outbound
messages: statuses only move forward (callbacks arrive out of order), failures keep Twilio's error
and a failed WhatsApp message gets its SMS copy.

A callback is also what lets the next part of a reply go (bot/send_order.py): when a message is
first accepted (`sent`, `delivered`, `read`) or fails for good, the parts still waiting to that
phone get a send job, enqueued through the outbox after the callback's commit. A callback that
comes twice, late (its part's successors already sent by the delayed job) or for a sid we do not
know starts nothing; a send job for a part already handed over sends nothing (its claim)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.outbound.queueing import fallback_for, send_job
from bot.send_order import ACCEPTED, FINAL_FAILURES, SENDING
from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message
from core.notifications import notify_delivery_failed
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

# Order of Twilio delivery statuses; callbacks may arrive out of order and never move back.
STATUS_RANK = {"queued": 0, "accepted": 0, "scheduled": 0, SENDING: 1, "sent": 2, "delivered": 3, "read": 4}
# At most this many of a phone's waiting parts per send job started by a callback (the rest go
# with the next callback, or the sweep).
WAITING_LIMIT = 50


def record_status(session: Session, form) -> list[Job]:
    """Apply one status callback to the outbound message with that MessageSid. Statuses only move
    forward (callbacks arrive out of order); failed/undelivered keep the error code; a failed
    WhatsApp template gets its SMS fallback. The caller commits, then enqueues the jobs."""
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not status:
        return []
    message = session.scalar(select(Message).where(Message.message_sid == sid[:64],
                                                   Message.direction == Direction.OUTBOUND))
    if message is None:
        log.info("status callback for an unknown message", extra={"status": status[:16]})
        return []
    jobs: list[Job] = []
    if status in FINAL_FAILURES:
        if message.status in FINAL_FAILURES or STATUS_RANK.get(message.status, -1) >= STATUS_RANK["delivered"]:
            return []
        code = (form.get("ErrorCode") or "").strip()
        detail = (form.get("ErrorMessage") or "").strip()
        message.status = status
        message.error = (f"Twilio error {code}" if code else "Twilio") + (f": {detail}" if detail else "")
        message.error = message.error[:500]
        message.status_at = utc_now()
        contact = session.get(Contact, message.contact_id)
        try:
            error_code = int(code) if code else None
        except ValueError:
            error_code = None
        fallback = fallback_for(session, message, contact, error_code)
        if not fallback:
            notify_delivery_failed(session, message)
            return waiting_after(session, message)
        jobs = send_job(fallback)
    elif status in STATUS_RANK:
        if message.status in FINAL_FAILURES or STATUS_RANK[status] <= STATUS_RANK.get(message.status, -1):
            return []
        accepted_now = status in ACCEPTED and message.status not in ACCEPTED
        message.status = status
        message.status_at = utc_now()
        if accepted_now:
            return waiting_after(session, message)
    return jobs


def waiting_after(session: Session, message: Message, limit: int = WAITING_LIMIT) -> list[Job]:
    """A send job for the parts still waiting to be handed over to this message's phone, in the
    order they were stored (bot/send_order.py decides, part by part, what may go now)."""
    ids = list(session.scalars(
        select(Message.id)
        .where(Message.contact_id == message.contact_id, Message.direction == Direction.OUTBOUND,
               Message.status == MessageStatus.QUEUED, Message.message_sid.is_(None))
        .order_by(Message.id).limit(limit)))
    return [Job(JobName.SEND_OUTBOUND, {"message_ids": ids}, QueueName.OUTBOUND)] if ids else []
