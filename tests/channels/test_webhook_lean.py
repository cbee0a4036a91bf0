"""The webhook's lean path keeps its guarantees: one statement on PostgreSQL, two on SQLite store
a message (contact upsert, message insert), a retried delivery changes nothing, a contact already loaded in the session sees
the new channel, jobs of one call are enqueued together, and the rate-limit headers Twilio ignores
are not computed except on a 429."""

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
from tests.channels.conftest import inbound_form, make_app, post_signed


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
    from core.config import Settings

    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    checks = []
    original = limiter._check_request_limit
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *a, **k: checks.append(1) or original(*a, **k))
    app.before_request_funcs[None] = [limiter._check_request_limit if f == original else f
                                      for f in app.before_request_funcs[None]]
    assert post_signed(client, inbound_form(sid="SM" + "1" * 32)).status_code == 200
    assert len(checks) == 1
    assert post_signed(client, inbound_form(sid="SM" + "2" * 32)).status_code == 429
    status = {"MessageSid": "SM" + "3" * 32, "MessageStatus": "delivered", "From": "whatsapp:+5213312345678"}
    codes = [post_signed(client, status, path="/webhooks/twilio/status").status_code for _ in range(3)]
    assert codes == [200, 200, 200]


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
