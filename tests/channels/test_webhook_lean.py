"""The webhook's lean path keeps its guarantees: one statement on PostgreSQL, two on SQLite store
a message (contact upsert, message insert), a retried delivery changes nothing, a contact already loaded in the session sees
the new channel, jobs of one call are enqueued together, and the rate-limit headers Twilio ignores
are not computed except on a 429; the per-phone windows cost one Redis round trip."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from redis import Redis
from rq import Queue
from sqlalchemy import event, func, select

from core.jobs import Job, QueueName
from core.logs import request_id_var
from core.models import Attachment, Contact, Message
from core.timeutil import now as utc_now
from tests.channels.conftest import make_app
from tests.support.twilio import inbound_form, post_signed


def _writes(db):
    """SQL statements (INSERT/UPDATE/SELECT, not BEGIN/COMMIT) the session's engine runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement.split(None, 1)[0].upper())

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(engine, "before_cursor_execute", record)


def test_new_message_is_one_or_two_statements_and_a_retry_changes_nothing(db, is_postgres):
    from bot.inbox import record_inbound

    seen, stop = _writes(db)
    try:
        message, created = record_inbound(db, inbound_form(body="hola"), request_id="req-abc123")
        db.commit()
        first = list(seen)
        seen.clear()
        contact = db.get(Contact, message.contact_id)
        stamped = contact.last_inbound_at
        again, created_again = record_inbound(db, inbound_form(body="hola"), request_id="req-other1")
        db.commit()
    finally:
        stop()
    assert created and not created_again and again.id == message.id
    # PostgreSQL: the contact upsert is a CTE of the message insert; SQLite: two INSERTs.
    assert first == (["WITH"] if is_postgres else ["INSERT", "INSERT"])
    assert message.request_id == "req-abc123" and message.status == "received" and message.attempts == 0
    db.expire_all()
    assert db.get(Contact, message.contact_id).last_inbound_at == stamped  # the retry did not touch it
    assert db.get(Message, message.id).request_id == "req-abc123"
    assert db.scalar(select(func.count()).select_from(Message)) == 1


def test_contact_loaded_in_the_session_sees_the_new_channel_and_time(db):
    from bot.inbox import record_inbound

    record_inbound(db, inbound_form(sid="SM" + "1" * 32, sender="whatsapp:+5213312345678"))
    db.commit()
    contact = db.scalar(select(Contact))
    contact.last_inbound_at = utc_now() - timedelta(days=3)
    db.commit()
    message, _ = record_inbound(db, inbound_form(sid="SM" + "2" * 32, sender="+523312345678"))
    db.commit()
    assert message.contact_id == contact.id
    assert contact.channel == "sms"  # same object, no reload
    assert utc_now() - contact.last_inbound_at < timedelta(hours=1)
    db.expire_all()
    assert db.get(Contact, contact.id).channel == "sms"


def test_media_rows_follow_the_message(db):
    from bot.inbox import record_inbound

    form = inbound_form(NumMedia="2", MediaUrl0="https://api.twilio.com/m/ME1", MediaContentType0="image/png",
                        MediaUrl1="https://api.twilio.com/m/ME2", MediaContentType1="application/pdf")
    message, _ = record_inbound(db, form)
    db.commit()
    rows = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.message_id, a.filename, a.url) for a in rows] == [
        (message.id, f"mensaje-{message.id}-1.png", "https://api.twilio.com/m/ME1"),
        (message.id, f"mensaje-{message.id}-2.pdf", "https://api.twilio.com/m/ME2"),
    ]


def test_jobs_of_one_call_are_enqueued_together_with_the_request_id(rq_settings):
    from workers.dispatch import enqueue_jobs

    token = request_id_var.set("req-together")
    try:
        ids = enqueue_jobs([Job("process_inbound_message", {"message_id": 41}, QueueName.INBOUND, outbox_id=41),
                            Job("process_inbound_message", {"message_id": 42}, QueueName.INBOUND, outbox_id=42),
                            Job("notify_case_concluded", {"case_id": 7}, QueueName.OUTBOUND)], rq_settings)
    finally:
        request_id_var.reset(token)
    connection = Redis.from_url(rq_settings.redis_url)
    inbound = Queue("inbound", connection=connection)
    assert inbound.job_ids == ["outbox-41", "outbox-42"] and ids[:2] == ["outbox-41", "outbox-42"]
    outbound = Queue("outbound", connection=connection)
    [job] = [outbound.fetch_job(job_id) for job_id in outbound.job_ids]
    assert job.id == ids[2] and job.kwargs == {"case_id": 7}
    assert job.meta["request_id"] == "req-together"
    assert inbound.fetch_job("outbox-42").meta == {"request_id": "req-together", "outbox_id": 42}
    assert job.retries_left == 5


def test_enqueue_with_redis_down_returns_nothing_and_raises_nothing(rq_settings):
    from workers.dispatch import enqueue_jobs

    down = dataclasses.replace(rq_settings, redis_url="redis://127.0.0.1:1/0")
    assert enqueue_jobs([Job("process_inbound_message", {"message_id": 1}, QueueName.INBOUND)], down) == []


def test_rate_limit_headers_only_on_a_429(rq_settings, db, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", "2 per minute")
    from core.config import Settings

    client = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    responses = [post_signed(client, inbound_form(sid=f"SM{i:032d}")) for i in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert not [k for k, _ in responses[0].headers.items() if k.lower().startswith("x-ratelimit")]
    assert "Retry-After" in responses[2].headers and responses[2].headers.get("X-RateLimit-Limit") == "2"
    assert responses[0].headers.get("X-Request-ID")  # the other headers are untouched
    assert responses[0].headers.get("Content-Security-Policy")


def test_the_per_phone_limit_is_checked_once_and_never_on_status_callbacks(rq_settings, db, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", "1 per minute")
    from backoffice.extensions import limiter
    from backoffice.webhook_limits import WebhookLimits
    from core.config import Settings

    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    checks, flask_limiter_checks = [], []
    original = WebhookLimits.check
    monkeypatch.setattr(WebhookLimits, "check", lambda self, key: checks.append(key) or original(self, key))
    original_fl = limiter._check_request_limit
    monkeypatch.setattr(limiter, "_check_request_limit",
                        lambda *a, **k: flask_limiter_checks.append(1) or original_fl(*a, **k))
    app.before_request_funcs[None] = [limiter._check_request_limit if f == original_fl else f
                                      for f in app.before_request_funcs[None]]
    assert post_signed(client, inbound_form(sid="SM" + "1" * 32)).status_code == 200
    assert checks == ["twilio-from:whatsapp:+5213312345678"]
    assert post_signed(client, inbound_form(sid="SM" + "2" * 32)).status_code == 429
    status = {"MessageSid": "SM" + "3" * 32, "MessageStatus": "delivered", "From": "whatsapp:+5213312345678"}
    codes = [post_signed(client, status, path="/webhooks/twilio/status").status_code for _ in range(3)]
    assert codes == [200, 200, 200] and len(checks) == 2
    # Flask-Limiter runs its pass but has nothing to count on the webhooks (exempt blueprint)
    assert flask_limiter_checks and not [k for k, _ in post_signed(
        client, inbound_form(sid="SM" + "4" * 32, sender="whatsapp:+5213300000000")).headers.items()
        if k.lower().startswith("x-ratelimit")]


def test_every_window_is_counted_in_one_redis_round_trip(rq_settings, redis_url, monkeypatch):
    """Two windows, one EVALSHA per webhook; the first full window refuses with its own limit and
    the seconds left in it, and a refused minute does not count against the hour."""
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", "2 per minute;3 per hour")
    from redis import Redis

    from backoffice.webhook_limits import limits_for
    from core.config import Settings

    Redis.from_url(redis_url).flushdb()
    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url)
    state = limits_for(app)
    calls = []
    with app.app_context():
        first = state.check("phone-a")
        script = state._script
        original = type(script).__call__
        monkeypatch.setattr(type(script), "__call__", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
        second, third, fourth = (state.check("phone-a") for _ in range(3))
        other = state.check("phone-b")
    assert first is None and second is None and other is None
    assert len(calls) == 4  # one round trip per check, whatever the number of windows
    assert third.limit.amount == 2 and 0 < third.retry_after <= 60
    assert fourth.limit.amount == 2
    counters = Redis.from_url(redis_url)
    assert sorted(int(counters.get(k)) for k in counters.keys("sinac-webhook-limit:*phone-a*")) == [2, 4]


def test_redis_unreachable_counts_in_memory_and_never_refuses_wrongly(rq_settings, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", "2 per minute")
    from backoffice.webhook_limits import limits_for
    from core.config import Settings

    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    state = limits_for(app)
    with app.app_context():
        results = [state.check("phone-a") for _ in range(3)]
    assert results[0] is None and results[1] is None and results[2].limit.amount == 2


def test_portable_path_for_other_databases_is_idempotent_too(db, monkeypatch):
    from bot import inbox

    monkeypatch.setattr(inbox, "_upsert_dialect", lambda session: None)
    form = inbound_form(NumMedia="1", MediaUrl0="https://api.twilio.com/m/ME1", MediaContentType0="image/jpeg")
    message, created = inbox.record_inbound(db, form, request_id="req-portable")
    db.commit()
    again, created_again = inbox.record_inbound(db, form)
    db.commit()
    assert created and not created_again and again.id == message.id
    assert message.request_id == "req-portable" and message.contact.phone == "+523312345678"
    assert db.scalar(select(func.count()).select_from(Attachment)) == 1


def test_store_inbound_is_one_statement_on_postgres_with_its_outbox_row(db, is_postgres):
    """The webhook's database work: on PostgreSQL one statement in autocommit (no BEGIN, no
    COMMIT: the contact, the message and the job's outbox row are CTEs of it); a retried delivery
    stores nothing, touches no contact and asks for no job."""
    from sqlalchemy.orm import sessionmaker

    from bot.inbox import store_inbound
    from core import outbox
    from core.models import OutboxJob

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_):
        statements.append(statement.split(None, 1)[0].upper())

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    Session = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with Session() as session:
            message_id, created, jobs = store_inbound(session, inbound_form(body="hola"), request_id="req-one")
        first = list(statements)
        statements.clear()
        with Session() as session:
            contact_at = session.get(Contact, session.get(Message, message_id).contact_id).last_inbound_at
            session.rollback()
        statements.clear()
        with Session() as session:
            again_id, created_again, again_jobs = store_inbound(session, inbound_form(body="hola"))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert created and not created_again and again_id == message_id and again_jobs == []
    if is_postgres:
        assert first == ["WITH"]  # the only round trip: autocommit sends no BEGIN/COMMIT
    [job] = jobs
    db.expire_all()
    row = db.get(OutboxJob, job.outbox_id)
    assert (row.name, row.kwargs, row.queue, row.done_at) == ("process_inbound_message", {"message_id": message_id},
                                                             "inbound", None)
    assert row.key == outbox.job_key(job)  # the SQL spelling of the key is core.outbox's
    assert db.scalar(select(func.count()).select_from(OutboxJob)) == 1
    assert db.get(Contact, db.get(Message, message_id).contact_id).last_inbound_at == contact_at
