"""One inbound message → one dialogue turn (contract: docs/TEAM_NOTES.md).

`handle_inbound(session, message_id) -> list[Job]` is idempotent: a message already processed
returns [] and sends nothing. It locks the contact, then the message (SELECT … FOR UPDATE on
PostgreSQL; on SQLite a no-op UPDATE takes the database write lock first), processes any
earlier unprocessed message of the same phone first so replies keep the order the affiliate
wrote in, records intent/confidence/entities/status on each message, stores the dialogue state
and queues the replies through bot.outbound. It never commits: the job does.

Opt-out convention (Twilio's): the opt-out word gets exactly one confirmation (kind "opt_out",
which bot.outbound lets through); after that nothing is sent until the phone writes ALTA.
Messages from an opted-out or handed-off phone are always stored and marked processed.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.dialogue import state as S
from bot.dialogue.router import run_turn
from bot.dialogue.turn import DIGIT_INTENT, Turn
from bot.nlu.interpret import Interpretation, interpret
from core.config import Settings, current_settings
from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message
from core.timeutil import now

log = logging.getLogger(__name__)

MAX_NLU_CHARS = 2000
MAX_CATCH_UP = 20
ERROR_REPLY = "Perdón, tuve un problema con tu mensaje. Inténtalo de nuevo o escribe 6 para hablar con una persona."


def handle_inbound(session: Session, message_id: int, *, settings: Settings | None = None) -> list[Job]:
    settings = settings or current_settings()
    if session.get_bind().dialect.name == "sqlite":
        # Take SQLite's write lock first so a concurrent worker waits and then sees `processed`.
        session.execute(update(Message).where(Message.id == message_id).values(status=Message.status)
                        .execution_options(synchronize_session=False))
    contact_id = session.scalar(select(Message.contact_id).where(Message.id == message_id))
    if contact_id is None:
        return []
    # The contact's row is locked first: every worker handling this phone queues up on it, so
    # turns of one conversation never interleave (and never deadlock on the message rows).
    fresh = {"populate_existing": True}
    contact = session.scalar(select(Contact).where(Contact.id == contact_id).with_for_update()
                             .execution_options(**fresh))
    message = session.scalar(select(Message).where(Message.id == message_id).with_for_update()
                             .execution_options(**fresh))
    if contact is None or message is None or message.direction != Direction.INBOUND \
            or message.status == MessageStatus.PROCESSED:
        return []
    earlier = session.scalars(
        select(Message)
        .where(Message.contact_id == contact.id, Message.direction == Direction.INBOUND,
               Message.status != MessageStatus.PROCESSED, Message.id < message.id)
        .order_by(Message.id)
        .limit(MAX_CATCH_UP)
        .with_for_update()
        .execution_options(**fresh)
    ).all()
    jobs: list[Job] = []
    for msg in [*earlier, message]:
        jobs += _process(session, contact, msg, settings)
    return jobs


def _interpret(text: str, state: dict) -> Interpretation:
    if not text.strip():
        return Interpretation(text=text, intent="nlu_fallback", confidence=0.0)
    try:
        from bot.nlu import get_parser

        return interpret(text[:MAX_NLU_CHARS], get_parser(), {"step": state.get("step")})
    except Exception:
        log.exception("NLU failed; continuing without it")
        return Interpretation(text=text, intent="nlu_fallback", confidence=0.0)


def _process(session: Session, contact: Contact, message: Message, settings: Settings) -> list[Job]:
    text = (message.body or "").replace("\x00", "")
    at = message.created_at or now()
    state = S.load(contact)
    nlu = _interpret(text, state)
    intent, confidence, entities = nlu.intent, nlu.confidence, nlu.entities
    digit = nlu.signals.digit
    message.intent = DIGIT_INTENT[digit] if digit in DIGIT_INTENT and intent == "nlu_fallback" else intent
    message.confidence = 1.0 if message.intent != intent else confidence
    message.entities = [{k: e.get(k) for k in ("entity", "value", "start", "end")} for e in entities]
    turn = Turn(session=session, contact=contact, message=message, settings=settings, text=text,
                intent=intent, confidence=confidence, entities=entities,
                ranking=nlu.ranking, state=state, at=at, secondary=nlu.secondary,
                clauses=nlu.clauses, signals=nlu.signals)
    try:
        with session.begin_nested():
            run_turn(turn)
    except Exception:
        log.exception("dialogue turn failed", extra={"message_id": message.id})
        session.refresh(contact)
        state = S.load(contact)
        turn = Turn(session=session, contact=contact, message=message, settings=settings, text=text,
                    intent=intent, confidence=confidence, entities=entities, ranking=[], state=state, at=at)
        turn.say(ERROR_REPLY)
        message.error = "dialogue error"
    S.touch(turn.state, at)
    S.save(contact, turn.state)
    message.status = MessageStatus.PROCESSED
    message.processed_at = now()
    jobs = list(turn.jobs)
    if message.media:  # copied into SINAC's storage after the commit (bot.media)
        jobs.append(Job(JobName.FETCH_MESSAGE_MEDIA, {"message_id": message.id}, QueueName.DEFAULT))
    if turn.replies:
        jobs += send_replies(session, contact, turn.replies, case_id=turn.case_id, kind=turn.reply_kind)
    session.flush()
    return jobs


def send_replies(session: Session, contact: Contact, texts: list[str], *, case_id: int | None = None,
                 kind: str = "reply") -> list[Job]:
    from bot.outbound.queueing import queue_replies

    return list(queue_replies(session, contact, texts, case_id=case_id, kind=kind) or [])
