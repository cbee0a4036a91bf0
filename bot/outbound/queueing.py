"""What is stored before anything is sent: the replies and notices, split into parts for the
channel, in order, suppressed for opted-out phones; the 24-hour rule that picks WhatsApp session
text, the approved template or SMS; and the SMS copies of a WhatsApp message that could not go
out. The caller commits, then enqueues the returned `send_outbound` job."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels import SMS, WHATSAPP, format_for_channel
from core.config import Settings, current_settings
from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
# Twilio errors meaning "this WhatsApp message cannot go out": template rejected, outside the
# 24-hour window, not a WhatsApp user, template/content problems.
WHATSAPP_FALLBACK_CODES = frozenset({63016, 63003, 63024, 63027, 63028, 63049, 21656, 21655})
# The one confirmation of an opt-out ("Ya no recibirás mensajes…") is still sent.
OPT_OUT_KINDS = frozenset({"opt_out"})
# Notices (days later, possibly thousands at once) wait behind conversations' replies.
NOTICE_QUEUE = QueueName.DEFAULT
SUPPRESSED_TEXT = "Número dado de baja: no se envía."


def queue_replies(session: Session, contact: Contact, texts: list[str], *, case_id: int | None = None,
                  kind: str = "reply", sent_by_id: int | None = None,
                  queue: QueueName = QueueName.OUTBOUND) -> list[Job]:
    """Store the replies in order, formatted for the contact's channel (a long SMS becomes several
    messages); suppressed when the contact opted out. Returns one `send_outbound` job."""
    channel = contact.channel if contact.channel in (WHATSAPP, SMS) else SMS
    bodies = [part for text in texts for part in format_for_channel(text, channel)]
    messages = store(session, contact, channel, bodies, case_id=case_id, kind=kind, sent_by_id=sent_by_id)
    return send_job(messages, queue)


def queue_notification(session: Session, contact: Contact, text: str, *, template_vars: dict,
                       case_id: int | None = None, kind: str = "notification",
                       settings: Settings | None = None) -> list[Job]:
    """A notification days later. WhatsApp: session text inside 24 h of the affiliate's last
    message; outside it the approved template (WHATSAPP_TEMPLATE_SID) with `template_vars`, with
    an SMS fallback if the template fails; SMS when no template is configured. SMS contacts get
    SMS. Opted-out contacts get nothing (stored as suppressed).

    Its send job goes to the `default` queue (NOTICE_QUEUE): a wave of notices drains at the
    senders' pace behind conversations (workers take `outbound` and `inbound` first)."""
    settings = settings or current_settings()
    _route, messages = store_notification(session, contact, text, template_vars=template_vars, case_id=case_id,
                                          kind=kind, template_sid=settings.whatsapp_template_sid)
    return send_job(messages, NOTICE_QUEUE)


# How a message that is not an answer reaches the affiliate (the 24-hour rule, in one place).
ROUTE_SESSION = "whatsapp"  # WhatsApp session text (inside the window)
ROUTE_TEMPLATE = "plantilla"  # the approved WhatsApp template (outside it)
ROUTE_SMS = "sms"  # SMS contacts, and WhatsApp outside the window with no template


def notification_route(contact: Contact, template_sid: str, at=None) -> str:
    if contact.channel != WHATSAPP or within_whatsapp_window(contact, at):
        return ROUTE_SESSION if contact.channel == WHATSAPP else ROUTE_SMS
    return ROUTE_TEMPLATE if template_sid else ROUTE_SMS


def store_notification(session: Session, contact: Contact, text: str, *, template_vars: dict,
                       case_id: int | None = None, kind: str = "notification", template_sid: str = "",
                       sent_by_id: int | None = None) -> tuple[str, list[Message]]:
    """Store a message that is not an answer by `notification_route`; returns (route, messages)
    for the caller's send job."""
    route = notification_route(contact, template_sid)
    if route == ROUTE_TEMPLATE:
        variables = {str(k): "" if v is None else str(v) for k, v in (template_vars or {}).items()}
        return route, store(session, contact, WHATSAPP, [text], case_id=case_id, kind=kind, sent_by_id=sent_by_id,
                            template_sid=template_sid, template_vars=variables)
    channel = WHATSAPP if route == ROUTE_SESSION else SMS
    return route, store(session, contact, channel, format_for_channel(text, channel), case_id=case_id, kind=kind,
                        sent_by_id=sent_by_id)


def within_whatsapp_window(contact: Contact, at=None) -> bool:
    """WhatsApp allows free-form messages only within 24 h of the affiliate's last message."""
    if contact.last_inbound_at is None:
        return False
    return (at or utc_now()) - contact.last_inbound_at < WHATSAPP_WINDOW


def send_job(messages: list[Message], queue: QueueName = QueueName.OUTBOUND) -> list[Job]:
    ids = [m.id for m in messages if m.status == MessageStatus.QUEUED]
    return [Job(JobName.SEND_OUTBOUND, {"message_ids": ids}, queue)] if ids else []


def store(session: Session, contact: Contact, channel: str, bodies: list[str], *, case_id=None,
          kind="reply", sent_by_id=None, template_sid=None, template_vars=None,
          fallback_of_id=None) -> list[Message]:
    """One Message per body, numbered in order (`sequence`), queued (or suppressed)."""
    if contact.id is None:
        session.flush()
    suppressed = bool(contact.opt_out) and kind not in OPT_OUT_KINDS
    status = MessageStatus.SUPPRESSED if suppressed else MessageStatus.QUEUED
    messages = [
        Message(contact_id=contact.id, case_id=case_id, direction=Direction.OUTBOUND, channel=channel,
                body=body, status=status, kind=kind, sent_by_id=sent_by_id, sequence=index, attempts=0,
                template_sid=template_sid, template_vars=template_vars, fallback_of_id=fallback_of_id,
                error=SUPPRESSED_TEXT if suppressed else None)
        for index, body in enumerate(bodies)
    ]
    session.add_all(messages)
    session.flush()
    if suppressed:
        log.info("outbound suppressed (opt-out)", extra={"contact_id": contact.id, "count": len(messages)})
    return messages


def fallback_for(session: Session, message: Message, contact: Contact, error_code: int | None) -> list[Message]:
    """SMS copies of a WhatsApp message that could not go out (template failed, outside the
    24-hour window, not on WhatsApp). Created once per message, never for opted-out contacts."""
    if message.channel != WHATSAPP or message.fallback_of_id is not None:
        return []
    if not message.template_sid and (error_code or 0) not in WHATSAPP_FALLBACK_CODES:
        return []
    if contact.opt_out and message.kind not in OPT_OUT_KINDS:
        return []
    exists = session.scalar(select(Message.id).where(Message.fallback_of_id == message.id).limit(1))
    if exists is not None:
        return []
    bodies = format_for_channel(message.body or "", SMS)
    fallback = store(session, contact, SMS, bodies, case_id=message.case_id, kind=message.kind,
                     sent_by_id=message.sent_by_id, fallback_of_id=message.id)
    log.info("whatsapp message falls back to sms", extra={"message_id": message.id, "parts": len(fallback)})
    return fallback
