"""Redis stopped (SIGKILL) while webhooks arrive at the real app: every message is stored and
acknowledged with 200, its job written beside it; when Redis comes back (empty, as after a crash
without persistence), the relay process enqueues what was never queued and each message is
processed exactly once; a sweep and re-delivered jobs change nothing."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from sqlalchemy import select

from core.models import Message
from tests.faults.conftest import inbound_form, sid, wait_for
from tests.faults.relay_support import open_rows, relay_log, start_relay

PHONES = ["+523311111111", "+523322222222", "+523333333333"]


def _inbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


def _sweep(redis_url: str) -> None:
    Queue("default", connection=Redis.from_url(redis_url)).enqueue(
        "workers.tasks.sweep_stuck_inbound", kwargs={"older_than_seconds": 0})


def test_messages_survive_a_redis_outage_and_are_processed_once(own_redis, stack_factory, db, standin):
    stack = stack_factory(own_redis.url).start_server()
    # Before the outage, one phone's conversation works normally (and the rate limiter uses Redis).
    assert stack.post_webhook(inbound_form(sid(100), sender=f"whatsapp:{PHONES[0]}", body="hola")).status_code == 200

    own_redis.kill()
    statuses = []
    n = 0
    for phone in PHONES:
        for body in ("hola", "quiero poner una queja"):
            n += 1
            statuses.append(stack.post_webhook(inbound_form(sid(n), sender=f"whatsapp:{phone}", body=body)).status_code)
    # Twilio retries one of them while Redis is still down: stored once.
    statuses.append(stack.post_webhook(inbound_form(sid(1), sender=f"whatsapp:{PHONES[0]}", body="hola")).status_code)
    assert statuses == [200] * (len(PHONES) * 2 + 1)
    messages = _inbound(db)
    assert len(messages) == len(PHONES) * 2 + 1
    assert {m.status for m in messages} == {"received"}  # stored, never processed
    assert "left for the relay" in stack.server_log()
    assert open_rows(db) == len(messages)  # one job per stored message, none enqueued (the retry stored none)

    own_redis.start()  # back, empty
    assert Queue("inbound", connection=Redis.from_url(own_redis.url)).count == 0
    start_relay(stack)
    wait_for(lambda: "relay enqueued" in relay_log(stack), 60, 0.2, "the relay to enqueue the outage's jobs")
    stack.run_burst_worker()

    messages = _inbound(db)
    assert {m.status for m in messages} == {"processed"}, [(m.id, m.status) for m in messages]
    sent_after_first_pass = {phone: len(standin.messages(to=f"whatsapp:{phone}")) for phone in PHONES}
    assert all(sent_after_first_pass.values()), sent_after_first_pass
    db.expire_all()
    outbound = db.scalars(select(Message).where(Message.direction == "outbound")).all()
    assert all(m.message_sid for m in outbound if m.status != "suppressed")
    assert len([m for m in outbound if m.message_sid]) == len(standin.messages())

    # Exactly once: sweeping again and re-delivering every job sends nothing more.
    _sweep(own_redis.url)
    inbound = Queue("inbound", connection=Redis.from_url(own_redis.url))
    for message in messages:
        inbound.enqueue("workers.tasks.process_inbound_message", kwargs={"message_id": message.id})
    stack.run_burst_worker()
    assert {phone: len(standin.messages(to=f"whatsapp:{phone}")) for phone in PHONES} == sent_after_first_pass
    assert len(_inbound(db)) == len(PHONES) * 2 + 1
