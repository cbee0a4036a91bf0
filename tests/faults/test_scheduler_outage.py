"""Redis goes away under the real scheduler process (`python -m workers.scheduler`), while
webhooks keep arriving. The scheduler must stay up and reconnect when Redis returns; with the
relay beside it (as in the Procfile) and nobody enqueueing anything by hand, every message stored
during the outage is processed once."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from core.models import Message
from tests.faults.conftest import inbound_form, sid, wait_for
from tests.faults.relay_support import start_relay

PHONES = ["+523314440001", "+523314440002"]


def _inbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


def _scheduler_registered(url: str) -> bool:
    from workers.scheduler import status

    try:
        return bool(status(Redis.from_url(url, socket_connect_timeout=1)))
    except RedisError:
        return False


def test_scheduler_survives_redis_outage_and_sweeps_what_arrived(own_redis, stack_factory, db, standin):
    stack = stack_factory(own_redis.url).start_server()
    scheduler = stack.start_scheduler()
    start_relay(stack)
    wait_for(lambda: _scheduler_registered(own_redis.url), 60, 0.2, "the scheduler to register")

    own_redis.kill()
    n = 0
    for phone in PHONES:
        for body in ("hola", "quiero poner una queja"):
            n += 1
            assert stack.post_webhook(inbound_form(sid(500 + n), sender=f"whatsapp:{phone}", body=body)).status_code == 200
    wait_for(lambda: "Redis unavailable" in stack.scheduler_log(), 30, 0.2, "the scheduler to notice the outage")
    wait_for(lambda: stack.scheduler_log().count("Redis unavailable") >= 2, 30, 0.2, "a second reconnect attempt")
    assert scheduler.poll() is None, "the scheduler exited during the outage:\n" + stack.scheduler_log()[-3000:]

    own_redis.start()  # back, empty: nothing of the outage is queued anywhere
    wait_for(lambda: _scheduler_registered(own_redis.url), 60, 0.2, "the scheduler to register again")
    stack.start_worker()
    wait_for(lambda: {m.status for m in _inbound(db)} == {"processed"}, 90, 0.5,
             "every message of the outage to be processed")
    assert scheduler.poll() is None
    assert "Redis is back" in stack.scheduler_log()
    messages = _inbound(db)
    assert len(messages) == n
    # each phone got its replies once: no message was processed twice
    wait_for(lambda: all(standin.messages(to=f"whatsapp:{p}") for p in PHONES), 30, 0.5, "replies to be sent")

    def stored_sids() -> set[str]:
        db.expire_all()
        outbound = db.scalars(select(Message).where(Message.direction == "outbound")).all()
        return {m.message_sid for m in outbound if m.message_sid}

    # every message Twilio took is one outbound row (a part sent twice would be a Twilio sid no
    # row holds); the last part's sid is written just after Twilio answers: wait for it, not race it
    wait_for(lambda: stored_sids() == {m["sid"] for m in standin.messages()}, 30, 0.5,
             "each message Twilio took to be stored once")
    assert stored_sids() == {m["sid"] for m in standin.messages()}
