"""Twilio's delivery status callbacks (POST /webhooks/twilio/status) applied to our outbound
messages: statuses only move forward (callbacks arrive out of order), failures keep Twilio's error
and a failed WhatsApp message gets its SMS copy."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.outbound.queueing import fallback_for, send_job
from bot.send_order import FINAL_FAILURES, SENDING
from core.enums import Direction
from core.jobs import Job
from core.models import Contact, Message
from core.notifications import notify_delivery_failed
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

# Order of Twilio delivery statuses; callbacks may arrive out of order and never move back.
STATUS_RANK = {"queued": 0, "accepted": 0, "scheduled": 0, SENDING: 1, "sent": 2, "delivered": 3, "read": 4}


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
        jobs = send_job(fallback)
    elif status in STATUS_RANK:
        if message.status in FINAL_FAILURES or STATUS_RANK[status] <= STATUS_RANK.get(message.status, -1):
            return []
        message.status = status
        message.status_at = utc_now()
    return jobs
