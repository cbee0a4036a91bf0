"""Outbound messages: stored first (in order, formatted for the channel, suppressed for opted-out
phones), then sent by the `send_outbound` job through the twilio library, at each sender's pace
(bot/pacing.py) and in order per phone (bot/send_order.py).

Statuses of an outbound Message:
  queued (no message_sid)  waiting to be handed to Twilio
  sending (no message_sid) a worker is calling Twilio right now (committed before the one call)
  queued/accepted/sending/sent/delivered/read (with message_sid)  Twilio has it; callbacks move it on
  failed / undelivered     with `error`, shown to staff
  suppressed               never sent: the phone opted out
A message that has a message_sid is never sent again. One left `sending` by a worker that died
during the call is looked up in Twilio's message list: recorded if Twilio has it, sent again
(once) if not, before anything after it goes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import requests
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from bot.channels import SMS, WHATSAPP, channel_address, format_for_channel
from bot.pacing import pacer_for
from bot.send_order import FINAL_FAILURES, SENDING, before
from bot.twilio_client import build_client, status_callback_url
from core.config import Settings
from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message
from core.notifications import notify_delivery_failed
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
# Seconds to wait between tries of one message on 5xx, 429, timeouts and connection errors.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0, 9.0)
TRANSIENT_HTTP = frozenset({500, 502, 503, 504})
# Pauses of the sender after consecutive 429s on one part (they are not tries); after the last
# one the part goes back to `queued` for a new send job: slowed down, never dropped.
THROTTLE_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
# Looking a part up in Twilio's list: this many newest messages to the phone, created at most
# this long before the part was claimed (clocks differ).
LOOKUP_LIMIT = 50
LOOKUP_SKEW = timedelta(minutes=2)
# Twilio errors meaning "this WhatsApp message cannot go out": template rejected, outside the
# 24-hour window, not a WhatsApp user, template/content problems.
WHATSAPP_FALLBACK_CODES = frozenset({63016, 63003, 63024, 63027, 63028, 63049, 21656, 21655})
# The one confirmation of an opt-out ("Ya no recibirás mensajes…") is still sent.
OPT_OUT_KINDS = frozenset({"opt_out"})
# Notices (days later, possibly thousands at once) wait behind conversations' replies.
NOTICE_QUEUE = QueueName.DEFAULT
# Order of Twilio delivery statuses; callbacks may arrive out of order and never move back.
STATUS_RANK = {"queued": 0, "accepted": 0, "scheduled": 0, SENDING: 1, "sent": 2, "delivered": 3, "read": 4}


# ---------------------------------------------------------------------------------------------
# Queueing (called by the dialogue, the back office and notification jobs; the caller commits)


def queue_replies(session: Session, contact: Contact, texts: list[str], *, case_id: int | None = None,
                  kind: str = "reply", sent_by_id: int | None = None,
                  queue: QueueName = QueueName.OUTBOUND) -> list[Job]:
    """Store the replies in order, formatted for the contact's channel (a long SMS becomes several
    messages); suppressed when the contact opted out. Returns one `send_outbound` job."""
    channel = contact.channel if contact.channel in (WHATSAPP, SMS) else SMS
    bodies = [part for text in texts for part in format_for_channel(text, channel)]
    messages = _store(session, contact, channel, bodies, case_id=case_id, kind=kind, sent_by_id=sent_by_id)
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
    settings = settings or Settings.from_env()
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
        return route, _store(session, contact, WHATSAPP, [text], case_id=case_id, kind=kind, sent_by_id=sent_by_id,
                             template_sid=template_sid, template_vars=variables)
    channel = WHATSAPP if route == ROUTE_SESSION else SMS
    return route, _store(session, contact, channel, format_for_channel(text, channel), case_id=case_id, kind=kind,
                         sent_by_id=sent_by_id)


def within_whatsapp_window(contact: Contact, at=None) -> bool:
    """WhatsApp allows free-form messages only within 24 h of the affiliate's last message."""
    if contact.last_inbound_at is None:
        return False
    return (at or utc_now()) - contact.last_inbound_at < WHATSAPP_WINDOW


def send_job(messages: list[Message], queue: QueueName = QueueName.OUTBOUND) -> list[Job]:
    ids = [m.id for m in messages if m.status == MessageStatus.QUEUED]
    return [Job(JobName.SEND_OUTBOUND, {"message_ids": ids}, queue)] if ids else []


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
                  first_try_only: bool = False, pacer=None) -> list[Job]:
    """Send the given messages in order, committing each step, each at the sender's pace
    (bot/pacing.py) and each after the message before it to the same phone was accepted
    (bot/send_order.py: a predecessor still waiting is sent first; a part left `sending` by a
    crashed worker is resolved against Twilio's message list). A part that fails for good takes
    the rest of its reply with it (marked failed, never sent out of order or alone). WhatsApp
    template failures get an SMS fallback, sent right away.

    `first_try_only` is the dialogue job sending its own reply at once (no second job between the
    affiliate and the answer): on a transient failure it never waits; the part goes back to
    `queued` and a `send_outbound` job for it and the parts after it is returned, whose tries
    continue the count (a message still gets 1 + len(RETRY_DELAYS) tries in all). Twilio's 429s
    never count as tries: the sender is paused for every worker and the part is sent later."""
    settings = settings or Settings.from_env()
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
            if not _abandoned(message, settings):
                pending.pop(0)  # another worker is handing it over; what follows waits for it
                continue
            if not _resolve_abandoned(session, client, message, settings):
                return []  # Twilio cannot tell now; the sweep comes back to it
            continue  # recorded as Twilio has it, or queued again to be sent now
        # fresh: an opt-out may have been committed since the reply was queued
        contact = session.get(Contact, message.contact_id, populate_existing=True)
        if contact.opt_out and message.kind not in OPT_OUT_KINDS:
            pending.pop(0)
            _finish(session, message, MessageStatus.SUPPRESSED, "Número dado de baja: no se envía.")
            continue
        step = before(session, message, gap_seconds=settings.outbound_part_gap_seconds,
                      stale=stale_sending(settings))
        if step.action == "send_first":
            pending.insert(0, step.message.id)
            continue
        if step.action == "wait":
            session.commit()  # end the read transaction: the next look sees other commits
            sleep(step.seconds)
            continue
        pending.pop(0)
        if step.action == "fail":
            _finish(session, message, MessageStatus.FAILED, "No enviado: falló una parte anterior del mismo mensaje.")
            continue
        outcome = _deliver(session, client, pacer, message, contact, settings, sleep, first_try_only=first_try_only)
        if outcome == _RELEASED:
            return [Job(JobName.SEND_OUTBOUND, {"message_ids": [message_id, *pending]}, QueueName.OUTBOUND)]
        if outcome == _UNKNOWN:
            return []  # left `sending`: the sweep resolves it before anything later is sent
        if outcome is not None and outcome != _TAKEN:
            fallback = _fallback_for(session, message, contact, outcome)
            if fallback:
                session.commit()
                pending[0:0] = [m.id for m in fallback]
    return []


def stale_sending(settings: Settings) -> timedelta:
    """A part `sending` longer than this was left by a worker that died during its one call to
    Twilio (a call lasts at most the timeout; retries put the part back to `queued` between
    tries)."""
    return timedelta(seconds=2 * settings.twilio_timeout_seconds + 5)


def _abandoned(message: Message, settings: Settings) -> bool:
    since = message.status_at or message.created_at
    return since is not None and utc_now() - since > stale_sending(settings)


def _claim(session: Session, message: Message) -> bool:
    """Atomically take a never-sent message (queued, no message_sid) into `sending`, so two jobs
    holding the same ids (a retried job, a sweep) never both send it."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == MessageStatus.QUEUED, Message.message_sid.is_(None))
        .values(status=SENDING, status_at=utc_now(), attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    session.refresh(message)
    return claimed


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


_RELEASED = -1  # _deliver: left `queued` for a send job (transient failure under first_try_only, 429s)
_TAKEN = -2  # _deliver: another job claimed the part between two tries
_UNKNOWN = -3  # _deliver: the call timed out and Twilio could not be asked whether it took it


def _deliver(session, client, pacer, message: Message, contact: Contact, settings: Settings, sleep, *,
             first_try_only: bool = False) -> int | None:
    """Hand one message to Twilio: a turn from the pacer, a claim, one call; transient failures
    put the part back to `queued` and are tried again after RETRY_DELAYS, 429s after a pause
    shared by every worker. None on success, _RELEASED / _TAKEN, else the error code (0 if
    none) of a failure for good."""
    params = _params(message, contact, settings)
    tries = len(RETRY_DELAYS) + 1
    throttled = 0
    while True:
        pacer.wait_turn(params["from_"], message.channel, sleep)
        if not _claim(session, message):
            return _TAKEN
        try:
            sent = client.messages.create(**params)
        except TwilioRestException as exc:
            text = (f"Twilio {exc.status}" + (f" error {exc.code}" if exc.code else "") + f": {exc.msg}")[:300]
            if exc.status == 429:
                pause = THROTTLE_DELAYS[min(throttled, len(THROTTLE_DELAYS) - 1)]
                throttled += 1
                pacer.pause(params["from_"], message.channel, pause)
                _release(session, message, text, refund=True)
                if first_try_only or throttled >= len(THROTTLE_DELAYS):
                    return _RELEASED
                continue  # the pacer holds every worker for the pause
            if exc.status in TRANSIENT_HTTP and message.attempts < tries:
                if first_try_only:
                    return _release(session, message, text)
                _retry_later(session, message, text, sleep)
                continue
            _finish(session, message, MessageStatus.FAILED, text)
            return exc.code or 0
        except (requests.Timeout, requests.ConnectionError) as exc:
            text = f"Sin respuesta de Twilio ({type(exc).__name__})"
            if isinstance(exc, requests.ReadTimeout):
                # Twilio may have taken it before the answer was lost: ask before trying again.
                try:
                    found = find_at_twilio(session, client, message, params)
                except Exception as lookup_exc:  # noqa: BLE001 - left `sending`, resolved later
                    log.warning("outbound lookup after a timeout failed", extra={"message_id": message.id,
                                                                                "error": str(lookup_exc)})
                    return _UNKNOWN
                if found is not None:
                    _record_found(session, message, found)
                    return None
            if message.attempts < tries:
                if first_try_only:
                    return _release(session, message, text)
                _retry_later(session, message, text, sleep)
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


def _release(session, message: Message, text: str, *, refund: bool = False) -> int:
    """Give a claimed, unsent part back to `queued` (Twilio did not take it); `refund`: the try
    does not count (a 429 is Twilio asking us to slow down, not a failure of the message)."""
    message.status = MessageStatus.QUEUED
    message.error = text
    message.status_at = utc_now()
    if refund:
        message.attempts = max((message.attempts or 1) - 1, 0)
    session.commit()
    log.warning("outbound not taken by twilio for now", extra={"message_id": message.id, "error": text})
    return _RELEASED


def _retry_later(session, message: Message, text: str, sleep) -> None:
    _release(session, message, text)
    log.warning("outbound transient failure, retrying", extra={"message_id": message.id, "error": text})
    sleep(RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1])


def _finish(session, message: Message, status: str, error: str | None) -> None:
    message.status = status
    message.error = error
    message.status_at = utc_now()
    if status == MessageStatus.FAILED:
        notify_delivery_failed(session, message)
    session.commit()
    if status == MessageStatus.FAILED:
        log.error("outbound failed", extra={"message_id": message.id, "error": error})


# ---------------------------------------------------------------------------------------------
# A part whose fate is unknown (its worker died during the call, or the answer timed out)


def find_at_twilio(session: Session, client, message: Message, params: dict | None = None):
    """The message as Twilio has it, or None: the newest messages from our sender to that phone
    created since the part was claimed, whose sid none of our messages holds, with the same
    body (any body for a template, which Twilio renders)."""
    if params is None:
        params = _params(message, session.get(Contact, message.contact_id), Settings.from_env())
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


def _record_found(session, message: Message, found) -> None:
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


def _resolve_abandoned(session, client, message: Message, settings: Settings) -> bool:
    """A part left `sending` by a dead worker: recorded as Twilio has it, or `queued` again
    when Twilio never got it (then sent as usual, once). False when Twilio cannot be asked now."""
    params = _params(message, session.get(Contact, message.contact_id), settings)
    try:
        found = find_at_twilio(session, client, message, params)
    except Exception as exc:  # noqa: BLE001 - Twilio unreachable: left for the next sweep
        log.warning("cannot resolve an interrupted send now", extra={"message_id": message.id, "error": str(exc)})
        session.rollback()
        return False
    if found is not None:
        _record_found(session, message, found)
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


def stuck_outbound_ids(session: Session, older_than_seconds: float, limit: int = 500,
                       settings: Settings | None = None) -> list[list[int]]:
    """Outbound messages still waiting to be handed to Twilio after the given age (their job was
    lost: Redis down, worker died), and parts left `sending` by a worker that died during the
    call (resolved against Twilio by the send job), grouped per contact in their original order."""
    settings = settings or Settings.from_env()
    cutoff = utc_now() - timedelta(seconds=older_than_seconds)
    abandoned = utc_now() - stale_sending(settings)
    rows = session.execute(
        select(Message.id, Message.contact_id)
        .where(Message.direction == Direction.OUTBOUND, Message.message_sid.is_(None),
               Message.created_at <= cutoff,
               or_(Message.status == MessageStatus.QUEUED,
                   and_(Message.status == SENDING, Message.status_at <= abandoned)))
        .order_by(Message.id)
        .limit(limit)
    )
    groups: dict[int, list[int]] = {}
    for message_id, contact_id in rows:
        groups.setdefault(contact_id, []).append(message_id)
    return list(groups.values())
