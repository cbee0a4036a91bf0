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

from sqlalchemy import bindparam, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core import outbox
from core.enums import Direction, MessageStatus
from core.errors import ValidationError
from core.jobs import Job, JobName, QueueName
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
        channel, phone = parse_channel_address(sender)
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


PROCESS_JOB = str(JobName.PROCESS_INBOUND_MESSAGE)  # a plain str: SQL literals are built from it


def store_inbound(session: Session, form: dict, *, request_id: str | None = None) -> tuple[int, bool, list[Job]]:
    """Store one inbound message with the outbox row of its processing job → (message id,
    created, jobs to enqueue now: empty for a retried delivery). Idempotent on MessageSid.

    On PostgreSQL a message without media is one statement in autocommit, the webhook's only
    round trip to the database: the contact upsert, the message insert (ON CONFLICT (message_sid)
    DO NOTHING) and the job's outbox row are CTEs of it, so they commit together or not at all, and
    no BEGIN or COMMIT travels. The contact is not touched when the MessageSid is already stored.
    Elsewhere (SQLite, media) it is `record_inbound` plus the staged job in one transaction, which
    this function commits. Either way the session must have done nothing yet."""
    data = parse_form(form)
    if _upsert_dialect(session) == "postgresql" and not data["media"]:
        at = utc_now()
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        row = session.execute(_one_statement(), {
            "phone": data["phone"], "channel": data["channel"], "sid": data["sid"], "body": data["body"],
            "request_id": (request_id or None) and request_id[:64], "at": at,
            "queue": str(QueueName.INBOUND)}).one_or_none()
        if row is not None:
            return row.id, True, [Job(PROCESS_JOB, {"message_id": row.id}, QueueName.INBOUND, outbox_id=row.outbox_id)]
        existing = _find(session, data["sid"])
        if existing is None:  # the delivery we conflicted with was rolled back meanwhile: once more
            return store_inbound(session, form, request_id=request_id)
        return existing.id, False, []
    message, created = record_inbound(session, form, request_id=request_id)
    jobs = [Job(PROCESS_JOB, {"message_id": message.id}, QueueName.INBOUND)] if created else []
    ids = outbox.stage(session, jobs)
    session.commit()
    return message.id, created, [dataclasses.replace(job, outbox_id=i) for job, i in zip(jobs, ids, strict=True)]


@lru_cache(maxsize=1)
def _one_statement():
    """contact upsert → message insert → outbox row, as CTEs of one PostgreSQL statement (built
    once). The outbox key is core.outbox.job_key's `name:{"message_id":N}` (a test holds them equal)."""
    from sqlalchemy import exists, func, literal_column, true
    from sqlalchemy.dialects.postgresql import insert as upsert

    contacts, messages, jobs = Contact.__table__, Message.__table__, OutboxJob.__table__
    at = bindparam("at", type_=messages.c.created_at.type)
    channel = bindparam("channel", type_=contacts.c.channel.type)
    sid = bindparam("sid", type_=messages.c.message_sid.type)
    new_contact = {"phone": bindparam("phone", type_=contacts.c.phone.type), "channel": channel,
                   "last_inbound_at": at, "created_at": at, **_scalar_defaults(contacts, exclude=("created_at",))}
    fresh = select(*new_contact.values()).where(~exists(select(messages.c.id).where(messages.c.message_sid == sid)))
    contact = upsert(contacts).from_select(list(new_contact), fresh)
    contact = contact.on_conflict_do_update(
        index_elements=[contacts.c.phone],
        set_={"channel": contact.excluded.channel, "last_inbound_at": contact.excluded.last_inbound_at},
    ).returning(contacts.c.id).cte("upserted_contact")
    fields = {
        "contact_id": contact.c.id,
        "direction": literal(Direction.INBOUND, messages.c.direction.type),
        "channel": channel,
        "message_sid": sid,
        "body": bindparam("body", type_=messages.c.body.type),
        "status": literal(MessageStatus.RECEIVED, messages.c.status.type),
        "attempts": literal(0, messages.c.attempts.type),
        "sequence": literal(0, messages.c.sequence.type),
        "request_id": bindparam("request_id", type_=messages.c.request_id.type),
        "created_at": at,
    }
    message = (upsert(messages).from_select(list(fields), select(*fields.values()))
               .on_conflict_do_nothing(index_elements=[messages.c.message_sid])
               .returning(messages.c.id).cte("inserted_message"))
    job = {
        "name": literal(PROCESS_JOB, jobs.c.name.type),
        "kwargs": func.json_build_object(literal_column("'message_id'"), message.c.id),
        "queue": bindparam("queue", type_=jobs.c.queue.type),
        "key": func.concat(literal(PROCESS_JOB + ':{"message_id":'), message.c.id, literal("}")),
        "created_at": at,
        "available_at": at,
        "enqueues": literal(0, jobs.c.enqueues.type),
    }
    staged = insert(jobs).from_select(list(job), select(*job.values())).returning(jobs.c.id)
    staged = staged.cte("staged_job")
    return (select(message.c.id, staged.c.id.label("outbox_id"))
            .select_from(message.join(staged, true())).add_cte(contact))


def _scalar_defaults(table, exclude=()) -> dict:
    """The model's scalar Python-side defaults (an INSERT ... SELECT does not apply them)."""
    return {c.name: literal(c.default.arg, c.type) for c in table.c
            if c.name not in exclude and c.default is not None and c.default.is_scalar}


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
