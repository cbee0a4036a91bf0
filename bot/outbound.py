"""Outbound messages: stored first (in order, formatted for the channel, suppressed for opted-out
phones), then sent by the `send_outbound` job through the twilio library.

Statuses of an outbound Message:
  queued (no message_sid)  waiting to be handed to Twilio
  sending                  a worker is calling Twilio right now (committed before the call)
  queued/accepted/sent/delivered/read (with message_sid)  Twilio has it; callbacks move it on
  failed / undelivered     with `error`, shown to staff
  suppressed               never sent: the phone opted out
A message that has a message_sid, or is `sending` (a worker may have handed it to Twilio before
crashing), is never sent again: a retried job sends each part at most once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from bot.channels import SMS, WHATSAPP, channel_address, format_for_channel
from bot.twilio_client import build_client, status_callback_url
from core.config import Settings
from core.enums import Direction, MessageStatus
from core.jobs import Job, QueueName
from core.models import Contact, Message
from core.notifications import notify_delivery_failed
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

SENDING = "sending"
WHATSAPP_WINDOW = timedelta(hours=24)
# Seconds to wait between tries of one message on 5xx, 429, timeouts and connection errors.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0, 9.0)
TRANSIENT_HTTP = frozenset({429, 500, 502, 503, 504})
# A `sending` message older than this is considered abandoned by a crashed worker.
STALE_SENDING = timedelta(minutes=10)
# Twilio errors meaning "this WhatsApp message cannot go out": template rejected, outside the
# 24-hour window, not a WhatsApp user, template/content problems.
WHATSAPP_FALLBACK_CODES = frozenset({63016, 63003, 63024, 63027, 63028, 63049, 21656, 21655})
# The one confirmation of an opt-out ("Ya no recibirás mensajes…") is still sent.
OPT_OUT_KINDS = frozenset({"opt_out"})
# Order of Twilio delivery statuses; callbacks may arrive out of order and never move back.
STATUS_RANK = {"queued": 0, "accepted": 0, "scheduled": 0, SENDING: 1, "sent": 2, "delivered": 3, "read": 4}
FINAL_FAILURES = frozenset({MessageStatus.FAILED.value, MessageStatus.UNDELIVERED.value})


# ---------------------------------------------------------------------------------------------
# Queueing (called by the dialogue, the back office and notification jobs; the caller commits)


def queue_replies(session: Session, contact: Contact, texts: list[str], *, case_id: int | None = None,
                  kind: str = "reply", sent_by_id: int | None = None) -> list[Job]:
    """Store the replies in order, formatted for the contact's channel (a long SMS becomes several
    messages); suppressed when the contact opted out. Returns one `send_outbound` job."""
    channel = contact.channel if contact.channel in (WHATSAPP, SMS) else SMS
    bodies = [part for text in texts for part in format_for_channel(text, channel)]
    messages = _store(session, contact, channel, bodies, case_id=case_id, kind=kind, sent_by_id=sent_by_id)
    return send_job(messages)


def queue_notification(session: Session, contact: Contact, text: str, *, template_vars: dict,
                       case_id: int | None = None, kind: str = "notification",
                       settings: Settings | None = None) -> list[Job]:
    """A notification days later. WhatsApp: session text inside 24 h of the affiliate's last
    message; outside it the approved template (WHATSAPP_TEMPLATE_SID) with `template_vars`, with
    an SMS fallback if the template fails; SMS when no template is configured. SMS contacts get
    SMS. Opted-out contacts get nothing (stored as suppressed)."""
    settings = settings or Settings.from_env()
    if contact.channel != WHATSAPP or within_whatsapp_window(contact):
        return queue_replies(session, contact, [text], case_id=case_id, kind=kind)
    if settings.whatsapp_template_sid:
        variables = {str(k): "" if v is None else str(v) for k, v in (template_vars or {}).items()}
        messages = _store(session, contact, WHATSAPP, [text], case_id=case_id, kind=kind,
                          template_sid=settings.whatsapp_template_sid, template_vars=variables)
        return send_job(messages)
    bodies = format_for_channel(text, SMS)
    return send_job(_store(session, contact, SMS, bodies, case_id=case_id, kind=kind))


def within_whatsapp_window(contact: Contact, at=None) -> bool:
    """WhatsApp allows free-form messages only within 24 h of the affiliate's last message."""
    if contact.last_inbound_at is None:
        return False
    return (at or utc_now()) - contact.last_inbound_at < WHATSAPP_WINDOW


def send_job(messages: list[Message]) -> list[Job]:
    ids = [m.id for m in messages if m.status == MessageStatus.QUEUED]
    return [Job("send_outbound", {"message_ids": ids}, QueueName.OUTBOUND)] if ids else []


def _store(session: Session, contact: Contact, channel: str, bodies: list[str], *, case_id=None,
           kind="reply", sent_by_id=None, template_sid=None, template_vars=None,
           fallback_of_id=None) -> list[Message]:
    if contact.id is None:
        session.flush()
    suppressed = bool(contact.opt_out) and kind not in OPT_OUT_KINDS
    status = MessageStatus.SUPPRESSED if suppressed else MessageStatus.QUEUED
    messages = [
        Message(contact_id=contact.id, case_id=case_id, direction=Direction.OUTBOUND, channel=channel,
                body=body, status=status, kind=kind, sent_by_id=sent_by_id, sequence=index, attempts=0,
                template_sid=template_sid, template_vars=template_vars, fallback_of_id=fallback_of_id,
                error="Número dado de baja: no se envía." if suppressed else None)
        for index, body in enumerate(bodies)
    ]
    session.add_all(messages)
    session.flush()
    if suppressed:
        log.info("outbound suppressed (opt-out)", extra={"contact_id": contact.id, "count": len(messages)})
    return messages


# ---------------------------------------------------------------------------------------------
# Sending (the send_outbound job)


def send_messages(session: Session, message_ids: list[int], *, settings: Settings | None = None,
                  client=None, sleep: Callable[[float], None] = time.sleep,
                  first_try_only: bool = False) -> list[Job]:
    """Send the given messages in order, committing each step. A part that fails for good stops
    the rest of the same reply (they are marked failed too, never sent out of order). WhatsApp
    template failures get an SMS fallback, sent right away.

    `first_try_only` is the dialogue job sending its own reply at once (no second job between the
    affiliate and the answer): on a transient failure it never waits; the part goes back to
    `queued` and a `send_outbound` job for it and the parts after it is returned, whose tries
    continue the count (a message still gets 1 + len(RETRY_DELAYS) tries in all)."""
    settings = settings or Settings.from_env()
    client = client or build_client(settings)
    pending = list(dict.fromkeys(int(i) for i in message_ids))
    broken_chain = False
    while pending:
        message_id = pending.pop(0)
        message = session.get(Message, message_id)
        if message is None or message.direction != Direction.OUTBOUND:
            continue
        if message.status != MessageStatus.QUEUED or message.message_sid:
            if message.status == SENDING:
                _claim(session, message)  # only to retire an abandoned one
            continue
        contact = session.get(Contact, message.contact_id)
        session.refresh(contact)  # an opt-out may have been committed since the reply was queued
        if contact.opt_out and message.kind not in OPT_OUT_KINDS:
            _finish(session, message, MessageStatus.SUPPRESSED, "Número dado de baja: no se envía.")
            continue
        if broken_chain and message.fallback_of_id is None:
            _finish(session, message, MessageStatus.FAILED, "No enviado: falló una parte anterior del mismo mensaje.")
            continue
        if not _claim(session, message):
            continue
        error_code = _deliver(session, client, message, contact, settings, sleep, first_try_only=first_try_only)
        if error_code is None:
            continue
        if error_code == _RELEASED:
            return [Job("send_outbound", {"message_ids": [message_id, *pending]}, QueueName.OUTBOUND)]
        fallback = _fallback_for(session, message, contact, error_code)
        if fallback:
            session.commit()
            pending[0:0] = [m.id for m in fallback]
        elif message.fallback_of_id is None:
            broken_chain = True
    return []


def _claim(session: Session, message: Message) -> bool:
    """Atomically take a never-sent message (queued, no message_sid) into `sending`, so two jobs
    holding the same ids (a retried job, a sweep) never both send it. A `sending` message left by
    a crashed worker is marked failed: Twilio may or may not have it, and it is not sent twice."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == MessageStatus.QUEUED, Message.message_sid.is_(None))
        .values(status=SENDING, status_at=utc_now(), attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    session.refresh(message)
    if claimed:
        return True
    if message.status == SENDING and not message.message_sid:
        since = message.status_at or message.created_at
        if since is not None and utc_now() - since > STALE_SENDING:
            _finish(session, message, MessageStatus.FAILED,
                    "Envío interrumpido: no se sabe si Twilio lo recibió; no se reintenta para no duplicarlo.")
    return False


def _params(message: Message, contact: Contact, settings: Settings) -> dict:
    params = {
        "to": channel_address(message.channel, contact.phone),
        "from_": settings.twilio_whatsapp_from if message.channel == WHATSAPP else settings.twilio_sms_from,
        "status_callback": status_callback_url(settings),
    }
    if message.template_sid:
        params["content_sid"] = message.template_sid
        params["content_variables"] = json.dumps(message.template_vars or {}, ensure_ascii=False)
    else:
        params["body"] = message.body
    return params


_RELEASED = -1  # _deliver: a transient failure under first_try_only; the part is `queued` again


def _deliver(session, client, message: Message, contact: Contact, settings: Settings, sleep, *,
             first_try_only: bool = False) -> int | None:
    """Hand one message to Twilio with retries; None on success, _RELEASED when left for the
    send job, else the error code (0 if none)."""
    params = _params(message, contact, settings)
    tries = len(RETRY_DELAYS) + 1
    # Tries already spent on this message (a part released by the dialogue job) count.
    start = min(max((message.attempts or 1) - 1, 0), tries - 1)
    for attempt in range(start, tries):
        if attempt > start:  # the first attempt of this call was counted by _claim
            message.attempts = (message.attempts or 0) + 1
            message.status_at = utc_now()
            session.commit()
        try:
            sent = client.messages.create(**params)
        except TwilioRestException as exc:
            text = (f"Twilio {exc.status}" + (f" error {exc.code}" if exc.code else "") + f": {exc.msg}")[:300]
            if exc.status in TRANSIENT_HTTP and attempt + 1 < tries:
                if first_try_only:
                    return _release(session, message, text)
                _retry_later(session, message, text, sleep, attempt)
                continue
            _finish(session, message, MessageStatus.FAILED, text)
            return exc.code or 0
        except (requests.Timeout, requests.ConnectionError) as exc:
            text = f"Sin respuesta de Twilio ({type(exc).__name__})"
            if attempt + 1 < tries:
                if first_try_only:
                    return _release(session, message, text)
                _retry_later(session, message, text, sleep, attempt)
                continue
            _finish(session, message, MessageStatus.FAILED, text)
            return 0
        except Exception as exc:
            log.exception("unexpected error sending through twilio", extra={"message_id": message.id})
            _finish(session, message, MessageStatus.FAILED, f"Error inesperado al enviar ({type(exc).__name__}).")
            return 0
        message.message_sid = sent.sid
        message.status = (sent.status or MessageStatus.QUEUED.value)[:16]
        message.status_at = utc_now()
        message.error = None
        session.commit()
        log.info("outbound handed to twilio", extra={"message_id": message.id, "attempts": message.attempts})
        return None
    return 0  # not reached


def _release(session, message: Message, text: str) -> int:
    """Give a claimed, unsent part back to `queued` for the send job (Twilio did not take it)."""
    message.status = MessageStatus.QUEUED
    message.error = text
    message.status_at = utc_now()
    session.commit()
    log.warning("outbound transient failure, left for the send job", extra={"message_id": message.id, "error": text})
    return _RELEASED


def _retry_later(session, message: Message, text: str, sleep, attempt: int) -> None:
    message.error = text  # stays `sending`: still ours
    session.commit()
    log.warning("outbound transient failure, retrying", extra={"message_id": message.id, "error": text})
    sleep(RETRY_DELAYS[attempt])


def _finish(session, message: Message, status: str, error: str | None) -> None:
    message.status = status
    message.error = error
    message.status_at = utc_now()
    if status == MessageStatus.FAILED:
        notify_delivery_failed(session, message)
    session.commit()
    if status == MessageStatus.FAILED:
        log.error("outbound failed", extra={"message_id": message.id, "error": error})


def _fallback_for(session: Session, message: Message, contact: Contact, error_code: int | None) -> list[Message]:
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
    fallback = _store(session, contact, SMS, bodies, case_id=message.case_id, kind=message.kind,
                      sent_by_id=message.sent_by_id, fallback_of_id=message.id)
    log.info("whatsapp message falls back to sms", extra={"message_id": message.id, "parts": len(fallback)})
    return fallback


# ---------------------------------------------------------------------------------------------
# Delivery status callbacks (POST /webhooks/twilio/status)


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
        fallback = _fallback_for(session, message, contact, error_code)
        if not fallback:
            notify_delivery_failed(session, message)
        jobs = send_job(fallback)
    elif status in STATUS_RANK:
        if message.status in FINAL_FAILURES or STATUS_RANK[status] <= STATUS_RANK.get(message.status, -1):
            return []
        message.status = status
        message.status_at = utc_now()
    return jobs


def stuck_outbound_ids(session: Session, older_than_seconds: float, limit: int = 500) -> list[list[int]]:
    """Outbound messages still waiting to be handed to Twilio after the given age (their job was
    lost: Redis down, worker died), grouped per contact in their original order."""
    cutoff = utc_now() - timedelta(seconds=older_than_seconds)
    rows = session.execute(
        select(Message.id, Message.contact_id)
        .where(Message.direction == Direction.OUTBOUND, Message.status == MessageStatus.QUEUED,
               Message.message_sid.is_(None), Message.created_at <= cutoff)
        .order_by(Message.id)
        .limit(limit)
    )
    groups: dict[int, list[int]] = {}
    for message_id, contact_id in rows:
        groups.setdefault(contact_id, []).append(message_id)
    return list(groups.values())
