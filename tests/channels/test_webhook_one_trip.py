"""The webhook's accepted message costs one statement to the database and one script to Redis:
the statement on a pooled connection without a Session (bot/inbox_pg.py), the script counting
the phone's windows and enqueuing the job (backoffice/webhook_limits.py `admit`). A refused
message is deleted again and its job never enqueued; the same phone is then refused by the
process without storing anything until its window ends."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import event, func, select

from core.models import Message, OutboxJob
from tests.channels.conftest import make_app
from tests.support.twilio import inbound_form, post_signed


def _commands(redis: Redis) -> dict[str, int]:
    """Top-level calls per command so far (INFO commandstats; a script's own calls count under
    their names too, so only EVALSHA / MULTI / EXEC are compared)."""
    stats = redis.info("commandstats")
    return {name: stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval", "multi", "exec")}


def _limited_app(monkeypatch, redis_url, limit: str):
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", limit)
    from core.config import Settings

    return make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url)


def test_an_accepted_message_is_one_redis_script_that_also_enqueues(rq_settings, redis_url, db, monkeypatch):
    client = _limited_app(monkeypatch, redis_url, "5 per minute;100 per hour").test_client()
    redis = Redis.from_url(redis_url)
    # the first call of a process may load the script (NOSCRIPT, SCRIPT LOAD): not counted
    assert post_signed(client, inbound_form(sid="SM" + "0" * 32, sender="whatsapp:+5213300000002")).status_code == 200
    before = _commands(redis)
    assert post_signed(client, inbound_form(sid="SM" + "1" * 32)).status_code == 200
    after = _commands(redis)
    assert after["evalsha"] + after["eval"] - before["evalsha"] - before["eval"] == 1
    assert (after["multi"], after["exec"]) == (before["multi"], before["exec"])  # no separate enqueue
    message = db.scalar(select(Message).where(Message.message_sid == "SM" + "1" * 32))
    row = db.scalar(select(OutboxJob).where(OutboxJob.kwargs["message_id"].as_integer() == message.id))
    job = Queue("inbound", connection=redis).fetch_job(f"outbox-{row.id}")
    assert job.kwargs == {"message_id": message.id} and job.retries_left == 5
    assert job.meta["outbox_id"] == row.id and job.meta["request_id"]
    assert len(Queue("inbound", connection=redis).job_ids) == 2


def test_a_refused_message_is_withdrawn_and_never_enqueued(rq_settings, redis_url, db, monkeypatch):
    app = _limited_app(monkeypatch, redis_url, "2 per minute")
    client = app.test_client()
    codes = [post_signed(client, inbound_form(sid=f"SM{n:032d}")).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Message)) == 2
    assert db.scalar(select(func.count()).select_from(OutboxJob)) == 2
    assert len(Queue("inbound", connection=Redis.from_url(redis_url)).job_ids) == 2
    # Refused again without a statement or a script: the window is full until it ends.
    statements: list[str] = []
    engine = db.get_bind()
    record = lambda *args: statements.append(args[2])
    event.listen(engine, "before_cursor_execute", record)
    redis = Redis.from_url(redis_url)
    before = _commands(redis)
    try:
        again = post_signed(client, inbound_form(sid="SM" + "9" * 32))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert again.status_code == 429 and 0 < int(again.headers["Retry-After"]) <= 60
    assert statements == [] and _commands(redis) == before
    # another phone is not affected; a retried delivery of a stored message is still counted
    assert post_signed(client, inbound_form(sid="SM" + "8" * 32, sender="whatsapp:+5213300000001")).status_code == 200
    assert db.scalar(select(func.count()).select_from(Message)) == 3


def test_store_webhook_is_one_statement_on_the_pooled_connection(db, is_postgres, rq_settings):
    """PostgreSQL: the webhook's store sends one statement through the driver's cursor (no
    BEGIN/COMMIT, no Session); a retried delivery stores nothing and asks for no job."""
    if not is_postgres:
        pytest.skip("PostgreSQL path (SQLite goes through a Session: test_webhook_lean.py)")
    from bot.inbox import store_webhook
    from core.db import engine_for

    url = rq_settings.database_url
    engine = engine_for(url)
    sent: list[str] = []

    import psycopg

    class Counting(psycopg.Cursor):
        def execute(self, query, *args, **kwargs):
            sent.append(str(query).split(None, 1)[0].upper())
            return super().execute(query, *args, **kwargs)

    def counting(dbapi_connection, _record, _proxy):
        dbapi_connection.cursor_factory = Counting

    event.listen(engine, "checkout", counting)
    try:
        message_id, created, jobs = store_webhook(url, inbound_form(body="hola"), request_id="req-raw")
        first = list(sent)
        sent.clear()
        again_id, created_again, again_jobs = store_webhook(url, inbound_form(body="hola"))
    finally:
        event.remove(engine, "checkout", counting)
        engine.dispose()  # no pooled connection keeps the counting cursor
    assert first == ["WITH"]
    assert created and not created_again and again_id == message_id and again_jobs == []
    [job] = jobs
    db.expire_all()
    row = db.get(OutboxJob, job.outbox_id)
    assert (row.name, row.kwargs, row.queue) == ("process_inbound_message", {"message_id": message_id}, "inbound")
    message = db.get(Message, message_id)
    assert (message.request_id, message.status, message.body) == ("req-raw", "received", "hola")


def test_the_script_writes_the_job_as_rq_writes_it(rq_settings, redis_url, monkeypatch):
    """The commands travel packed in one argument (bytes with colons, UTF-8, integers intact), and
    the job hash they write has the fields RQ's own pipeline writes, with the same values apart
    from the timestamps."""
    from backoffice.webhook_limits import limits_for
    from core.jobs import Job, QueueName
    from workers.dispatch import enqueue_jobs

    app = _limited_app(monkeypatch, redis_url, "5 per minute")
    redis = Redis.from_url(redis_url)
    odd = b"\x00:1:\xff" + "ñandú 12:3".encode()
    with app.app_context():
        assert limits_for(app)._check_redis((), "k", b"3:3:SET1:x" + b"%d:" % len(odd) + odd + b"3:3:SET1:y2:42") is None
    assert (redis.get("x"), redis.get("y")) == (odd, b"42")
    with app.app_context():
        assert limits_for(app).admit("phone-a", [Job("process_inbound_message", {"message_id": 7}, QueueName.INBOUND,
                                                     outbox_id=7)], rq_settings) is None
    enqueue_jobs([Job("process_inbound_message", {"message_id": 7}, QueueName.INBOUND, outbox_id=8)], rq_settings)
    scripted, piped = redis.hgetall("rq:job:outbox-7"), redis.hgetall("rq:job:outbox-8")
    assert scripted.keys() == piped.keys()
    moving = {b"created_at", b"enqueued_at", b"meta"}
    assert {k: v for k, v in scripted.items() if k not in moving} == {k: v for k, v in piped.items() if k not in moving}
    assert Queue("inbound", connection=redis).job_ids == ["outbox-7", "outbox-8"]
