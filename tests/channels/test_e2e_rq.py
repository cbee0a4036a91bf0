"""End to end with the real Redis and an RQ worker (SimpleWorker, burst, in this process, with the
relay's passes for delayed jobs: tests/support/jobs.py):
signed webhook → inbound job → dialogue → outbound job → twilio library → stand-in; Redis down
during intake; the sweep."""

from __future__ import annotations

import importlib.util

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from core.config import Settings
from core.models import Message, OutboxJob
from tests.channels.conftest import make_app
from tests.support.jobs import run_jobs
from tests.support.twilio import inbound_form, post_signed
from workers.dispatch import enqueue_jobs

HAS_DIALOGUE = importlib.util.find_spec("bot.turns") is not None
WA = "whatsapp:+523312345678"


def _inbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


def test_outbound_through_rq_worker_in_order(rq_settings, db, make, standin):
    from bot.outbound.queueing import queue_replies
    from core.timeutil import now

    contact = make.contact(last_inbound_at=now())
    jobs = queue_replies(db, contact, ["Primero", "Segundo", "Tercero"])
    db.commit()
    assert enqueue_jobs(jobs, rq_settings)
    assert standin.messages() == []
    run_jobs(rq_settings, db)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Primero", "Segundo", "Tercero"]
    db.expire_all()
    assert all(m.message_sid for m in db.scalars(select(Message).where(Message.direction == "outbound")))


def _outbox(db):
    db.expire_all()
    return db.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()


def test_webhook_job_reaches_the_worker(rq_client, rq_settings, db, standin):
    form = inbound_form(body="hola")
    assert post_signed(rq_client, form).status_code == 200
    assert post_signed(rq_client, form).status_code == 200  # duplicate delivery
    [message] = _inbound(db)
    [row] = _outbox(db)  # written with the message, enqueued after the commit
    assert (row.name, row.kwargs, row.done_at) == ("process_inbound_message", {"message_id": message.id}, None)
    assert Queue("inbound", connection=Redis.from_url(rq_settings.redis_url)).job_ids == [f"outbox-{row.id}"]
    if not HAS_DIALOGUE:
        pytest.skip("bot.turns (dialogue) not available yet: intake checked up to the enqueued job")
    run_jobs(rq_settings, db)
    [message] = _inbound(db)
    assert message.status == "processed"
    assert all(row.done_at is not None for row in _outbox(db))  # the job and the reply's backstop
    replies = standin.messages(to=WA)
    assert replies, "the bot answered through the stand-in"
    assert all(r["from"] == "whatsapp:+15550000000" for r in replies)
    # Running the worker again (e.g. a re-delivered job) sends nothing more.
    Queue("inbound", connection=Redis.from_url(rq_settings.redis_url)).enqueue(
        "workers.tasks.process_inbound_message", kwargs={"message_id": message.id})
    run_jobs(rq_settings, db)
    assert len(standin.messages(to=WA)) == len(replies)


def test_redis_down_during_intake_then_relay_recovers(rq_settings, db, standin, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    down = Settings.from_env()
    response = post_signed(make_app(down, RATELIMIT_ENABLED=True).test_client(), inbound_form(body="hola"))
    assert response.status_code == 200
    [message] = _inbound(db)
    assert message.status == "received"

    [row] = _outbox(db)
    assert row.enqueued_at is None  # the job was written with the message, Redis refused it

    monkeypatch.setenv("REDIS_URL", rq_settings.redis_url)  # Redis is back
    from workers.relay import relay_pass
    from workers.tasks import TASKS

    connection = Redis.from_url(rq_settings.redis_url)
    row.available_at = row.available_at.replace(year=2000)  # past the relay's grace
    db.commit()
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 1
    inbound_queue = Queue("inbound", connection=connection)
    assert inbound_queue.job_ids == [f"outbox-{row.id}"]
    # Neither the relay nor the sweep enqueues it twice while it waits.
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 0
    assert TASKS["sweep_stuck_inbound"](older_than_seconds=0) == 0
    assert inbound_queue.job_ids == [f"outbox-{row.id}"]
    if not HAS_DIALOGUE:
        pytest.skip("bot.turns (dialogue) not available yet")
    run_jobs(rq_settings, db)
    [message] = _inbound(db)
    assert message.status == "processed"
    assert standin.messages(to=WA)
    assert TASKS["sweep_stuck_inbound"](older_than_seconds=0) == 0


def test_sweep_ignores_recent_messages_and_resends_lost_outbound(rq_settings, db, make, standin):
    from bot.inbox import stuck_inbound_ids
    from bot.outbound.queueing import queue_replies
    from core.timeutil import now
    from workers.tasks import TASKS

    contact = make.contact(last_inbound_at=now())
    db.add(Message(contact_id=contact.id, direction="inbound", channel="whatsapp", message_sid="SM" + "7" * 32,
                   body="hola", status="received"))
    queue_replies(db, contact, ["Uno", "Dos"])  # its job was lost (never enqueued)
    db.commit()
    assert stuck_inbound_ids(db, 3600) == []
    assert len(stuck_inbound_ids(db, 0)) == 1
    assert TASKS["sweep_stuck_inbound"](older_than_seconds=3600) == 0
    assert TASKS["sweep_stuck_inbound"](older_than_seconds=0) == 2
    outbound = Queue("outbound", connection=Redis.from_url(rq_settings.redis_url))
    assert len(outbound.job_ids) == 1
    # Only the outbound queue: the dialogue is not under test here.
    run_jobs(rq_settings, db, queues=("outbound",))
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos"]


def test_sweep_gives_up_on_a_poison_message(rq_settings, db, make):
    from bot.inbox import MAX_SWEEPS
    from workers.tasks import TASKS

    contact = make.contact()
    message = Message(contact_id=contact.id, direction="inbound", channel="whatsapp", message_sid="SM" + "8" * 32,
                      body="hola", status="received")
    db.add(message)
    db.commit()
    connection = Redis.from_url(rq_settings.redis_url)
    for _ in range(MAX_SWEEPS):
        assert TASKS["sweep_stuck_inbound"](older_than_seconds=0) == 1
        # the job ran and failed for good (the relay marks its row failed on RQ's word)
        connection.flushdb()
        from core import outbox

        outbox.mark_failed(db, [row.id for row in _outbox(db)])
        db.commit()
    assert TASKS["sweep_stuck_inbound"](older_than_seconds=0) == 0
    db.expire_all()
    stored = db.get(Message, message.id)
    assert stored.status == "received" and "varios intentos" in stored.error
