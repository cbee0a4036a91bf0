"""A wave of notices drained by several real worker processes at the sender's pace: the real Redis
(the pace is shared there), the twilio library against the stand-in, Twilio's 429s on the way.
None lost, none doubled (every job is enqueued twice, as a retry or a sweep would), and the
rate the stand-in received them at respects the configured limit (its own timestamps; the
10,000-notice figure is in bench/outbound_bench.py and docs/benchmarks.md)."""

from __future__ import annotations

from collections import Counter

from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from bot.outbound.queueing import queue_notification
from bot.pacing import BURST_SECONDS
from core.models import Message

NOTICES = 300
RATE = 30.0  # messages per second for the SMS sender
WORKERS = 4
# Between the turn Redis grants and the stand-in's receipt a request may lag behind a later one
# (scheduling on a loaded machine): this much time's worth of messages is tolerated on top.
LAG_SECONDS = 0.2


def max_excess(times: list[float], rate: float) -> float:
    """The largest (messages in [t_i, t_j]) − rate × (t_j − t_i) over all pairs: a sender held to
    `rate` with a burst of B never exceeds B."""
    times = sorted(times)
    worst = 0.0
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            worst = max(worst, (j - i + 1) - rate * (times[j] - start))
    return worst


def test_max_excess_detects_an_unpaced_sender():
    assert max_excess([0.1 * k for k in range(50)], 10.0) <= 1.0 + 1e-9  # exactly 10/s
    assert max_excess([0.01 * k for k in range(50)], 10.0) > 40  # 100/s


def test_a_wave_drains_at_the_pace_none_lost_none_doubled(stack_factory, redis_url, db, make, standin, settings):
    Redis.from_url(redis_url).flushdb()
    stack = stack_factory(redis_url)
    jobs = []
    for n in range(NOTICES):
        contact = make.contact(phone=f"+5233{10000000 + n}", channel="sms")
        jobs += queue_notification(db, contact, f"Aviso {n}: tu volante vence pronto.", template_vars={},
                                   settings=settings)
    db.commit()
    assert len(jobs) == NOTICES and {job.queue for job in jobs} == {"default"}
    queue = Queue("default", connection=Redis.from_url(redis_url))
    for _ in range(2):  # every job twice: a retried job or a sweep must not double anything
        for job in jobs:
            queue.enqueue("workers.tasks.send_outbound", kwargs=job.kwargs)
    standin.fail(12, "429", code=20429, message="Too Many Requests")

    workers = [stack.start_worker(burst=True, scheduler=False, simple=True, OUTBOUND_SMS_PER_SECOND=str(RATE))
               for _ in range(WORKERS)]
    for proc in workers:
        proc.wait(300)

    received = standin.messages()
    per_phone = Counter(m["to"] for m in received)
    assert len(per_phone) == NOTICES, "none lost"
    assert set(per_phone.values()) == {1}, "none doubled"
    assert standin.state.calls == NOTICES + 12  # the 429s were tried again, nothing else
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Message).where(Message.message_sid.is_not(None))) == NOTICES
    burst = max(1.0, RATE * BURST_SECONDS)
    excess = max_excess([m["received_at"] for m in received], RATE)
    assert excess <= burst + RATE * LAG_SECONDS, excess
