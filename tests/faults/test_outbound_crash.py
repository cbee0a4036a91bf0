"""A worker killed (SIGKILL) during its call to Twilio for part 1 of a reply (issue 18, item 5):
part 1 is left `sending` without a sid. The sweep's job resolves it against Twilio's message
list (the stand-in's GET) before anything later is sent: recorded if Twilio has it, sent again
once if not; part 2 goes after it, never alone, never before."""

from __future__ import annotations

import os
import signal

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from bot.outbound.queueing import queue_replies
from core.models import Message
from core.timeutil import now
from tests.faults.conftest import wait_for

PHONE = "+523312345678"
WA = f"whatsapp:{PHONE}"


def _parts(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


class Sweeper:
    """Enqueues the sweep every couple of seconds, as the scheduler would (with no age limit)."""

    def __init__(self, redis_url: str):
        self.queue = Queue("default", connection=Redis.from_url(redis_url))
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls % 20 == 1:
            self.queue.enqueue("workers.tasks.sweep_stuck_inbound", kwargs={"older_than_seconds": 0})


@pytest.mark.parametrize("twilio_took_it", [True, False], ids=["twilio-has-part-1", "twilio-never-got-it"])
def test_worker_killed_during_the_call_for_part_1(stack_factory, redis_url, db, make, standin, twilio_took_it):
    Redis.from_url(redis_url).flushdb()
    stack = stack_factory(redis_url)
    contact = make.contact(phone=PHONE, channel="whatsapp", last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Tu folio es SINAC-2026-000123.", "Te avisaremos por este medio."])
    db.commit()
    # "hold": the stand-in keeps the message and answers a minute later; "timeout": it hangs and
    # keeps nothing
    standin.fail(1, "hold" if twilio_took_it else "timeout", delay=60)
    Queue("outbound", connection=Redis.from_url(redis_url)).enqueue("workers.tasks.send_outbound", kwargs=job.kwargs)
    doomed = stack.start_worker(simple=True, scheduler=False, TWILIO_TIMEOUT_SECONDS="120")
    wait_for(lambda: standin.state.calls == 1, 60, 0.05, "the call for part 1")
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    first, second = _parts(db)
    assert first.status == "sending" and first.message_sid is None
    assert second.status == "queued"

    stack.start_worker(simple=True, scheduler=False)  # after a restart; the sweep finds the rest
    sweep = Sweeper(redis_url)
    wait_for(lambda: sweep() or _parts(db)[1].message_sid, 90, 0.1, "part 2 to be handed over")

    sent = standin.messages(to=WA)
    assert [m["body"] for m in sent] == ["Tu folio es SINAC-2026-000123.", "Te avisaremos por este medio."]
    first, second = _parts(db)
    assert [first.message_sid, second.message_sid] == [m["sid"] for m in sent]
    # Twilio got part 1 once: kept (found in its list), or tried again (not there)
    assert standin.state.calls == (2 if twilio_took_it else 3)
