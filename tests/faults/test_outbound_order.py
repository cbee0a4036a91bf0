"""Order of multi-part replies at the stand-in under concurrency: several real worker processes,
many replies, every job enqueued twice and the later reply's job first, and a stand-in that
(like Twilio) sends queued messages after a random delay, so two parts handed over back to back
reach the phone in either order. The next part must wait for the previous one's `sent`
callback (through the real web process, which starts its send job) or the part gap (a delayed job
the relay enqueues), whichever comes first; no worker sleeps through the wait."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from bot.outbound.queueing import queue_replies
from core.models import Message
from core.timeutil import now
from tests.faults.conftest import TOKEN, wait_for
from tests.faults.relay_support import start_relay

JITTER = 0.3  # seconds a message may wait in the stand-in's queue before it is sent
GAP = "1.0"  # the part gap, longer than the jitter: order holds even if a callback is lost
PHONES = [f"+5233{20000000 + n}" for n in range(16)]


@pytest.fixture
def standin():
    from standin import StandinServer

    server = StandinServer(auth_token=TOKEN, callbacks=True, send_jitter=JITTER).start()
    yield server
    server.stop()


def _address(contact) -> str:
    return f"whatsapp:{contact.phone}" if contact.channel == "whatsapp" else contact.phone


def test_parts_reach_each_phone_in_order_under_concurrency(stack, redis_url, db, make, standin):
    queue = Queue("outbound", connection=Redis.from_url(redis_url))
    expected: dict[str, list[str]] = {}
    jobs = []
    for n, phone in enumerate(PHONES):
        channel = "whatsapp" if n % 2 else "sms"
        contact = make.contact(phone=phone, channel=channel, last_inbound_at=now())
        replies = [queue_replies(db, contact, [f"{n}: respuesta {r}, parte {p}." for p in (1, 2, 3)])
                   for r in (1, 2)]
        db.commit()
        expected[_address(contact)] = [f"{n}: respuesta {r}, parte {p}." for r in (1, 2) for p in (1, 2, 3)]
        [first], [second] = replies
        jobs += [second, first, first, second]  # the later reply's job first, each twice
    for job in jobs:
        queue.enqueue("workers.tasks.send_outbound", kwargs=job.kwargs)

    # the parts after the first go by callbacks' jobs and delayed jobs: workers that keep
    # listening (not burst) and the relay
    start_relay(stack)
    for _ in range(4):
        stack.start_worker(scheduler=False, simple=True, OUTBOUND_PART_GAP_SECONDS=GAP)
    total = sum(len(bodies) for bodies in expected.values())
    wait_for(lambda: len(standin.messages()) == total and all(m["sent_at"] for m in standin.messages()),
             300, 0.5, "every message to leave the stand-in's queue")

    for address, bodies in expected.items():
        arrived = sorted(standin.messages(to=address), key=lambda m: m["sent_at"])
        assert [m["body"] for m in arrived] == bodies, address
    # the callbacks reached the app (the `sent` that lets a next part go before the gap)
    db.expire_all()
    statuses = {m.status for m in db.scalars(select(Message).where(Message.direction == "outbound"))}
    assert statuses & {"sent", "delivered"}, statuses
