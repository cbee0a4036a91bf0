"""The webhook's PostgreSQL intake without a Session: one statement on a pooled connection.

`bot.inbox.store_inbound` runs the same statement through an ORM Session; at webhook rates the
Session's machinery (its transaction, the connection's execution options, the result objects and
the close) cost more Python than the statement itself: ~0.6 of ~1 ms of CPU per message, measured
in-process. Here the statement is compiled once per dialect and sent with the driver's own
cursor (prepared by psycopg after a few executions) in autocommit: the contact upsert, the
message insert (ON CONFLICT (message_sid) DO NOTHING) and the job's outbox row commit together or
not at all, and no BEGIN or COMMIT travels.

The connection comes from the engine's pool (its checkout events still ping a connection idle
too long, core/db.py) and is put back in its normal mode. A connection that broke under the
statement is invalidated with the whole pool, as SQLAlchemy does for its own statements, so the
next requests reconnect (tests/faults/test_postgres_restart.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from sqlalchemy import bindparam, exists, func, insert, literal, literal_column, select, true
from sqlalchemy.engine import Engine

from core.enums import Direction, MessageStatus
from core.jobs import Job, JobName, QueueName
from core.models import Contact, Message, OutboxJob
from core.timeutil import now as utc_now

log = logging.getLogger(__name__)

PROCESS_JOB = str(JobName.PROCESS_INBOUND_MESSAGE)  # a plain str: SQL literals are built from it
_FIND = "SELECT id FROM messages WHERE message_sid = %(sid)s"


@lru_cache(maxsize=1)
def one_statement():
    """contact upsert → message insert → outbox row, as CTEs of one PostgreSQL statement (built
    once). The outbox key is core.outbox.job_key's `name:{"message_id":N}` (a test holds them equal)."""
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


def statement_params(data: dict, request_id: str | None) -> dict:
    """The statement's parameters for one parsed message (bot.inbox.parse_form)."""
    return {"phone": data["phone"], "channel": data["channel"], "sid": data["sid"], "body": data["body"],
            "request_id": (request_id or None) and request_id[:64], "at": utc_now(),
            "queue": str(QueueName.INBOUND)}


_VARIABLE = ("phone", "channel", "sid", "body", "request_id", "at", "queue")


@lru_cache(maxsize=4)
def _compiled(dialect):
    """(SQL text, its literal parameters already converted, the converters of the others)."""
    compiled = one_statement().compile(dialect=dialect)
    converters = {key: bind.type.bind_processor(dialect) for key, bind in compiled.binds.items()}
    fixed = {key: (converters[key](value) if converters.get(key) else value)
             for key, value in compiled.params.items() if key not in _VARIABLE}
    return compiled.string, fixed, {key: converters[key] for key in _VARIABLE if converters.get(key)}


def store(engine: Engine, data: dict, request_id: str | None) -> tuple[int, bool, list[Job]]:
    """Store one parsed message without media → (message id, created, jobs to enqueue now:
    empty for a retried delivery). Idempotent on MessageSid; raises what the driver raises."""
    sql, fixed, processors = _compiled(engine.dialect)
    params = statement_params(data, request_id)
    for key, convert in processors.items():
        params[key] = convert(params[key])
    params.update(fixed)
    for _attempt in range(3):
        row, existing = _run(engine, sql, params, data["sid"])
        if row is not None:
            message_id, outbox_id = row
            return message_id, True, [Job(PROCESS_JOB, {"message_id": message_id}, QueueName.INBOUND,
                                          outbox_id=outbox_id)]
        if existing is not None:  # already stored (a retried or concurrent delivery)
            return existing, False, []
        # the delivery we conflicted with was rolled back meanwhile: once more
    raise RuntimeError("inbound message could not be stored")


def _run(engine: Engine, sql: str, params: dict, sid: str):
    """The statement, and the stored row's id when it inserted nothing, on one pooled connection."""
    pooled = engine.raw_connection()
    dbapi = pooled.dbapi_connection
    try:
        dbapi.autocommit = True
        with dbapi.cursor() as cursor:
            cursor.execute(sql, params, prepare=True)
            row = cursor.fetchone()
            existing = None
            if row is None:
                cursor.execute(_FIND, {"sid": sid})
                found = cursor.fetchone()
                existing = found[0] if found else None
        dbapi.autocommit = False
    except Exception as exc:
        if getattr(dbapi, "broken", False) or getattr(dbapi, "closed", False):
            # the server went away: drop this connection and every other one pooled before now
            log.warning("webhook database connection lost; the pool starts again")
            pooled.invalidate(exc)
            engine.dispose(close=False)
        else:
            pooled.invalidate(exc)  # its state is unknown (autocommit, a failed statement)
        raise
    finally:
        pooled.close()
    return row, existing
