"""Handing one part to Twilio: a turn from the sender's pacer (bot/pacing.py), an atomic claim,
one call through the twilio library; what Twilio did not take is tried again (5xx, timeouts,
connection errors after RETRY_DELAYS; 429s after a pause shared by every worker, not counted as
tries), and what failed for good is marked failed and told to staff."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import requests
from sqlalchemy import update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from bot.channels import WHATSAPP, channel_address
from bot.outbound.lookup import find_at_twilio, record_found
from bot.send_order import SENDING
from bot.twilio_client import status_callback_url
from core.config import Settings
from core.enums import MessageStatus
from core.models import Contact, Message
from core.notifications import notify_delivery_failed
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

# Seconds to wait between tries of one message on 5xx, 429, timeouts and connection errors.
RETRY_DELAYS: tuple[float, ...] = (1.0, 3.0, 9.0)
TRANSIENT_HTTP = frozenset({500, 502, 503, 504})
# Pauses of the sender after consecutive 429s on one part (they are not tries); after the last
# one the part goes back to `queued` for a new send job: slowed down, never dropped.
THROTTLE_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)

# What `deliver` returns besides None (success) and an error code (failure for good).
RELEASED = -1  # left `queued` for a send job (transient failure under first_try_only, 429s)
TAKEN = -2  # another job claimed the part between two tries
UNKNOWN = -3  # the call timed out and Twilio could not be asked whether it took it


def params(message: Message, contact: Contact, settings: Settings) -> dict:
    """The arguments of Twilio's create call for this part."""
    args = {
        "to": channel_address(message.channel, contact.phone),
        "from_": settings.twilio_whatsapp_from if message.channel == WHATSAPP else settings.twilio_sms_from,
        "status_callback": status_callback_url(settings),
    }
    if message.template_sid:
        args["content_sid"] = message.template_sid
        args["content_variables"] = json.dumps(message.template_vars or {}, ensure_ascii=False)
    else:
        args["body"] = message.body
    return args


def claim(session: Session, message: Message) -> bool:
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


def deliver(session: Session, client, pacer, message: Message, contact: Contact, settings: Settings,
            sleep: Callable[[float], None], *, first_try_only: bool = False) -> int | None:
    """Hand one message to Twilio: a turn from the pacer, a claim, one call; transient failures
    put the part back to `queued` and are tried again after RETRY_DELAYS, 429s after a pause
    shared by every worker. None on success, RELEASED / TAKEN / UNKNOWN, else the error code (0
    if none) of a failure for good."""
    args = params(message, contact, settings)
    tries = len(RETRY_DELAYS) + 1
    throttled = 0
    while True:
        pacer.wait_turn(args["from_"], message.channel, sleep)
        if not claim(session, message):
            return TAKEN
        try:
            sent = client.messages.create(**args)
        except TwilioRestException as exc:
            text = (f"Twilio {exc.status}" + (f" error {exc.code}" if exc.code else "") + f": {exc.msg}")[:300]
            if exc.status == 429:
                pause = THROTTLE_DELAYS[min(throttled, len(THROTTLE_DELAYS) - 1)]
                throttled += 1
                pacer.pause(args["from_"], message.channel, pause)
                release(session, message, text, refund=True)
                if first_try_only or throttled >= len(THROTTLE_DELAYS):
                    return RELEASED
                continue  # the pacer holds every worker for the pause
            if exc.status in TRANSIENT_HTTP and message.attempts < tries:
                if first_try_only:
                    return release(session, message, text)
                _retry_later(session, message, text, sleep)
                continue
            finish(session, message, MessageStatus.FAILED, text)
            return exc.code or 0
        except (requests.Timeout, requests.ConnectionError) as exc:
            text = f"Sin respuesta de Twilio ({type(exc).__name__})"
            if isinstance(exc, requests.ReadTimeout):
                # Twilio may have taken it before the answer was lost: ask before trying again.
                try:
                    found = find_at_twilio(session, client, message, args)
                except Exception as lookup_exc:  # noqa: BLE001 - left `sending`, resolved later
                    log.warning("outbound lookup after a timeout failed", extra={"message_id": message.id,
                                                                                "error": str(lookup_exc)})
                    return UNKNOWN
                if found is not None:
                    record_found(session, message, found)
                    return None
            if message.attempts < tries:
                if first_try_only:
                    return release(session, message, text)
                _retry_later(session, message, text, sleep)
                continue
            finish(session, message, MessageStatus.FAILED, text)
            return 0
        except Exception as exc:
            log.exception("unexpected error sending through twilio", extra={"message_id": message.id})
            finish(session, message, MessageStatus.FAILED, f"Error inesperado al enviar ({type(exc).__name__}).")
            return 0
        message.message_sid = sent.sid
        message.status = (sent.status or MessageStatus.QUEUED.value)[:16]
        message.status_at = utc_now()
        message.error = None
        session.commit()
        log.info("outbound handed to twilio", extra={"message_id": message.id, "attempts": message.attempts})
        return None


def release(session: Session, message: Message, text: str, *, refund: bool = False) -> int:
    """Give a claimed, unsent part back to `queued` (Twilio did not take it); `refund`: the try
    does not count (a 429 is Twilio asking us to slow down, not a failure of the message)."""
    message.status = MessageStatus.QUEUED
    message.error = text
    message.status_at = utc_now()
    if refund:
        message.attempts = max((message.attempts or 1) - 1, 0)
    session.commit()
    log.warning("outbound not taken by twilio for now", extra={"message_id": message.id, "error": text})
    return RELEASED


def _retry_later(session: Session, message: Message, text: str, sleep) -> None:
    release(session, message, text)
    log.warning("outbound transient failure, retrying", extra={"message_id": message.id, "error": text})
    sleep(RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1])


def finish(session: Session, message: Message, status: str, error: str | None) -> None:
    """A final status (failed: staff are told); commits."""
    message.status = status
    message.error = error
    message.status_at = utc_now()
    if status == MessageStatus.FAILED:
        notify_delivery_failed(session, message)
    session.commit()
    if status == MessageStatus.FAILED:
        log.error("outbound failed", extra={"message_id": message.id, "error": error})
