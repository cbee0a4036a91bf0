"""Intake of Twilio Messaging webhooks: store each inbound message once (on MessageSid), with its
media references and the sender's contact, before anything else happens.

The webhook commits what `record_inbound` adds, then enqueues processing by message id. A message
whose job never ran (worker died, Redis was down) stays `received`; `stuck_inbound_ids` lists
those for the periodic sweep.
"""

from __future__ import annotations

import dataclasses
import logging
import mimetypes
import re
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot import inbox_pg
from bot.inbox_pg import PROCESS_JOB
from core import outbox
from core.db import engine_for, session_factory
from core.enums import Direction, MessageStatus
from core.errors import ValidationError
from core.jobs import Job, QueueName
from core.models import Attachment, Contact, Message, OutboxJob
from core.phones import parse_channel_address
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 4096  # WhatsApp's own limit; SMS arrive concatenated up to 1600
MAX_MEDIA = 10  # Twilio sends at most 10 media per message
_SID_RE = re.compile(r"^[A-Za-z]{2}[A-Za-z0-9]{1,62}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InboundRejected(ValueError):
    """The payload is not a Twilio message we can store (answered with 400)."""


def clean_text(value, limit: int) -> str:
    """A string safe for every database: no NUL/control characters, no lone surrogates, capped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = value.encode("utf-8", "replace").decode("utf-8", "replace")
    value = _CONTROL_RE.sub("", value)
    return value[:limit]


def _field(form: dict, name: str) -> str:
    value = form.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InboundRejected(f"{name} must be text")
    return value


def _media(form: dict) -> list[dict]:
    """MediaUrlN / MediaContentTypeN pairs. NumMedia is not trusted (absurd or non-numeric values
    arrive): the MediaUrlN keys themselves are read, at most 10 as Twilio sends."""
    items = []
    if not any(name.startswith("MediaUrl") for name in form):
        return items
    for index in range(MAX_MEDIA):
        try:
            url = _field(form, f"MediaUrl{index}").strip()
            content_type = _field(form, f"MediaContentType{index}").strip()
        except InboundRejected:
            continue
        if not url:
            continue
        if not url.lower().startswith(("https://", "http://")) or len(url) > 1000:
            log.warning("inbound media url ignored", extra={"index": index})
            continue
        content_type = clean_text(content_type, 100).lower() or "application/octet-stream"
        if not re.fullmatch(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+(;.*)?", content_type):
            content_type = "application/octet-stream"
        items.append({"url": url, "content_type": content_type})
    return items


# An affiliate writes many messages from one number: phonenumbers' parse (~0.1 ms) once per number.
_channel_address = lru_cache(maxsize=4096)(parse_channel_address)


def parse_form(form: dict) -> dict:
    """Validate and normalise the fields we keep; raises InboundRejected with a clear reason."""
    sid = _field(form, "MessageSid").strip() or _field(form, "SmsMessageSid").strip()
    if not sid:
        raise InboundRejected("missing MessageSid")
    if not _SID_RE.match(sid):
        raise InboundRejected("invalid MessageSid")
    sender = _field(form, "From").strip()
    if not sender:
        raise InboundRejected("missing From")
    try:
        channel, phone = _channel_address(sender)
    except ValidationError as exc:
        raise InboundRejected("invalid From address") from exc
    body = clean_text(_field(form, "Body"), MAX_BODY_CHARS)
    # ProfileName (the WhatsApp display name) is not kept: only what a case needs is collected.
    return {"sid": sid, "channel": channel, "phone": phone, "body": body, "media": _media(form)}


def record_inbound(session: Session, form: dict, *, request_id: str | None = None) -> tuple[Message, bool]:
    """Store one inbound message (idempotent on MessageSid) → (message, created).

    A retried delivery returns the stored message with created=False and changes nothing.
    Concurrent duplicates are resolved by the unique MessageSid. This must be the first write of
    the caller's transaction: a duplicate (or a lost race) rolls the session back. The caller
    commits.

    The contact is upserted on its phone and the message inserted with ON CONFLICT (message_sid)
    DO NOTHING RETURNING: one statement on PostgreSQL (the upsert is a CTE), two on SQLite. A
    duplicate returns no row: the transaction (the contact's touch) is rolled back and the stored
    row read. Other databases take the portable path (lookups, then ORM inserts).
    """
    data = parse_form(form)
    dialect = _upsert_dialect(session)
    for attempt in range(3):
        try:
            if dialect is None:
                existing = _find(session, data["sid"])
                if existing is not None:
                    return existing, False
                return _insert(session, data, request_id), True
            message = _upsert(session, dialect, data, request_id)
            if message is not None:
                return message, True
            # Already stored (a retried or concurrent delivery): leave the contact untouched.
            session.rollback()
            existing = _find(session, data["sid"])
            if existing is not None:
                return existing, False
            # The row we conflicted with was rolled back meanwhile: try again.
        except IntegrityError:
            # Another delivery of the same message (or a first message from the same new phone)
            # committed first: start over and find its row.
            session.rollback()
            log.info("inbound insert raced, retrying", extra={"attempt": attempt})
    existing = _find(session, data["sid"])
    if existing is None:
        raise RuntimeError("inbound message could not be stored")
    return existing, False


def store_inbound(session: Session, form: dict, *, request_id: str | None = None) -> tuple[int, bool, list[Job]]:
    """Store one inbound message with the outbox row of its processing job → (message id,
    created, jobs to enqueue now: empty for a retried delivery). Idempotent on MessageSid.

    On PostgreSQL a message without media is one statement in autocommit: the contact upsert, the
    message insert (ON CONFLICT (message_sid) DO NOTHING) and the job's outbox row are CTEs of it
    (bot/inbox_pg.py), so they commit together or not at all, and no BEGIN or COMMIT travels.
    The contact is not touched when the MessageSid is already stored. Elsewhere (SQLite, media)
    it is `record_inbound` plus the staged job in one transaction, which this function commits.
    Either way the session must have done nothing yet. The webhook calls `store_webhook`."""
    return _store_parsed(session, parse_form(form), form, request_id)


def store_webhook(database_url: str, form: dict, *, request_id: str | None = None) -> tuple[int, bool, list[Job]]:
    """`store_inbound` for the webhook, without an ORM Session where none is needed: on
    PostgreSQL a message without media is the same single statement sent on a pooled
    connection's own cursor (bot/inbox_pg.py); anything else goes through a Session of its own."""
    data = parse_form(form)
    engine = engine_for(database_url)
    if engine.dialect.name == "postgresql" and not data["media"]:
        return inbox_pg.store(engine, data, request_id)
    session = session_factory(database_url)()
    try:
        return _store_parsed(session, data, form, request_id)
    finally:
        session.close()


def withdraw_inbound(database_url: str, message_id: int, outbox_ids: list[int]) -> None:
    """Delete a message stored a moment ago with its attachments and outbox rows (the webhook
    refused it after storing: the per-phone limit). Its contact keeps the touch."""
    session = session_factory(database_url)()
    try:
        if outbox_ids:
            session.execute(delete(OutboxJob).where(OutboxJob.id.in_(outbox_ids)))
        session.execute(delete(Attachment).where(Attachment.message_id == message_id))
        session.execute(delete(Message).where(Message.id == message_id))
        session.commit()
    finally:
        session.close()


def _store_parsed(session: Session, data: dict, form: dict, request_id: str | None):
    if _upsert_dialect(session) == "postgresql" and not data["media"]:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        row = session.execute(inbox_pg.one_statement(), inbox_pg.statement_params(data, request_id)).one_or_none()
        if row is not None:
            return row.id, True, [Job(PROCESS_JOB, {"message_id": row.id}, QueueName.INBOUND, outbox_id=row.outbox_id)]
        existing = _find(session, data["sid"])
        if existing is None:  # the delivery we conflicted with was rolled back meanwhile: once more
            return _store_parsed(session, data, form, request_id)
        return existing.id, False, []
    message, created = record_inbound(session, form, request_id=request_id)
    jobs = [Job(PROCESS_JOB, {"message_id": message.id}, QueueName.INBOUND)] if created else []
    ids = outbox.stage(session, jobs)
    session.commit()
    return message.id, created, [dataclasses.replace(job, outbox_id=i) for job, i in zip(jobs, ids, strict=True)]


def _find(session: Session, sid: str) -> Message | None:
    return session.scalar(select(Message).where(Message.message_sid == sid))


def _upsert_dialect(session: Session):
    """The dialect's name when it has INSERT ... ON CONFLICT ... RETURNING, else None (then the
    portable ORM path is used)."""
    name = session.get_bind().dialect.name
    return name if name in ("postgresql", "sqlite") else None


@lru_cache(maxsize=4)
def _statements(dialect: str):
    """(contact upsert, message insert) built once per dialect: building them costs more than
    running them. On PostgreSQL both are one statement (the contact upsert is a CTE of the message
    insert) and the first item is None."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    contacts, messages = Contact.__table__, Message.__table__
    at = bindparam("at", type_=messages.c.created_at.type)
    contact = upsert(contacts).values(phone=bindparam("phone", type_=contacts.c.phone.type),
                                      channel=bindparam("channel", type_=contacts.c.channel.type),
                                      last_inbound_at=at)
    contact = contact.on_conflict_do_update(
        index_elements=[contacts.c.phone],
        set_={"channel": contact.excluded.channel, "last_inbound_at": contact.excluded.last_inbound_at},
    ).returning(contacts.c.id)
    fields = {
        "direction": literal(Direction.INBOUND, messages.c.direction.type),
        "channel": bindparam("channel", type_=messages.c.channel.type),
        "message_sid": bindparam("sid", type_=messages.c.message_sid.type),
        "body": bindparam("body", type_=messages.c.body.type),
        "media": bindparam("media", type_=messages.c.media.type),
        "status": literal(MessageStatus.RECEIVED, messages.c.status.type),
        "attempts": literal(0, messages.c.attempts.type),
        "sequence": literal(0, messages.c.sequence.type),
        "request_id": bindparam("request_id", type_=messages.c.request_id.type),
        "created_at": at,
    }
    if dialect == "postgresql":
        upserted = contact.cte("upserted_contact")
        message = upsert(messages).from_select(
            ["contact_id", *fields], select(upserted.c.id, *fields.values()),
        ).add_cte(upserted)
    else:
        message = upsert(messages).values(contact_id=bindparam("contact_id"), **fields)
    message = message.on_conflict_do_nothing(index_elements=[messages.c.message_sid]).returning(*messages.c)
    return (None if dialect == "postgresql" else contact), select(Message).from_statement(message)


def _upsert(session: Session, dialect: str, data: dict, request_id: str | None) -> Message | None:
    """Contact upserted, message inserted unless its MessageSid is stored; None when it is."""
    contact_stmt, message_stmt = _statements(dialect)
    at = utc_now()
    session.flush()  # nothing pending is expected (first write), but never reorder the caller's writes
    params = {"phone": data["phone"], "channel": data["channel"], "sid": data["sid"], "body": data["body"],
              "media": data["media"] or None, "request_id": (request_id or None) and request_id[:64], "at": at}
    if contact_stmt is not None:
        params["contact_id"] = session.execute(contact_stmt, params).scalar_one()
    message = session.scalars(message_stmt, params).one_or_none()
    if message is None:
        return None
    loaded = session.identity_map.get(session.identity_key(Contact, message.contact_id))
    if loaded is not None:  # a Contact already in this session sees what was written
        set_committed_value(loaded, "channel", data["channel"])
        set_committed_value(loaded, "last_inbound_at", at)
    if data["media"]:
        session.execute(insert(Attachment), [
            {"message_id": message.id, "filename": _filename(message.id, index, item["content_type"]),
             "content_type": item["content_type"], "url": item["url"], "size": 0}
            for index, item in enumerate(data["media"])
        ])
    return message


def _insert(session: Session, data: dict, request_id: str | None) -> Message:
    """The portable path (other databases): select the contact, flush, add the message."""
    at = utc_now()
    contact = session.scalar(select(Contact).where(Contact.phone == data["phone"]))
    if contact is None:
        contact = Contact(phone=data["phone"], channel=data["channel"])
        session.add(contact)
    contact.channel = data["channel"]
    contact.last_inbound_at = at
    session.flush()
    message = Message(contact_id=contact.id, direction=Direction.INBOUND, channel=data["channel"],
                      message_sid=data["sid"], body=data["body"], media=data["media"] or None,
                      status=MessageStatus.RECEIVED, request_id=(request_id or None) and request_id[:64],
                      created_at=at)
    session.add(message)
    session.flush()
    for index, item in enumerate(data["media"]):
        session.add(Attachment(message_id=message.id, filename=_filename(message.id, index, item["content_type"]),
                               content_type=item["content_type"], url=item["url"], size=0))
    session.flush()
    return message


def _filename(message_id: int, index: int, content_type: str) -> str:
    ext = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"mensaje-{message_id}-{index + 1}{ext}"


MAX_SWEEPS = 5  # a message the dialogue keeps failing on is not re-enqueued forever


def claim_for_sweep(session: Session, message_ids: list[int], max_sweeps: int = MAX_SWEEPS) -> list[int]:
    """Count one more sweep on each stuck message; returns those still worth re-enqueueing.
    A message swept `max_sweeps` times keeps status `received` with an error for staff."""
    chosen = []
    for message in session.scalars(select(Message).where(Message.id.in_(message_ids)).order_by(Message.id)):
        if (message.attempts or 0) >= max_sweeps:
            if not message.error:
                message.error = "No se pudo procesar tras varios intentos; revisar la conversación."
                log.error("inbound message given up by the sweep", extra={"message_id": message.id})
            continue
        message.attempts = (message.attempts or 0) + 1
        chosen.append(message.id)
    return chosen


def stuck_inbound_ids(session: Session, older_than_seconds: float, limit: int = 500) -> list[int]:
    """Inbound messages still `received` (never processed) older than the given age, oldest first."""
    cutoff = utc_now() - timedelta(seconds=older_than_seconds)
    rows = session.scalars(
        select(Message.id)
        .where(Message.direction == Direction.INBOUND, Message.status == MessageStatus.RECEIVED,
               Message.created_at <= cutoff)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(rows)
