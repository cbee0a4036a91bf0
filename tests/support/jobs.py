"""Running queued jobs in the test process as the deployed workers and relay would: a burst RQ
worker, then the relay's passes (workers/relay.py) for jobs delayed until their time (a reply's
next part waits for the part gap in such a job, bot/send_order.py), each followed by a burst
worker again, until no delayed job is left to hand over."""

from __future__ import annotations

import time

import rq
from redis import Redis
from rq import Queue
from sqlalchemy import select

from core import outbox
from core.jobs import QUEUES
from core.models import OutboxJob
from workers.worker import StopsPubsubFirst


class SimpleWorker(StopsPubsubFirst, rq.SimpleWorker):
    """RQ's SimpleWorker (jobs in the worker's own process), whose end does not wait up to 60 s
    for its pubsub thread (workers/worker.py StopsPubsubFirst): a burst run over a few jobs took
    60 s more about one time in three. For the tests' burst workers, in this process or as
    `rq worker --worker-class tests.support.jobs.SimpleWorker`."""


def run_jobs(settings, db, queues=QUEUES) -> None:
    from workers.relay import relay_pass

    connection = Redis.from_url(settings.redis_url)
    while True:
        SimpleWorker([Queue(name, connection=connection) for name in queues], connection=connection).work(burst=True)
        db.expire_all()
        waiting = db.scalars(select(OutboxJob).where(OutboxJob.done_at.is_(None), OutboxJob.enqueued_at.is_(None),
                                                     OutboxJob.available_at > OutboxJob.created_at)).all()
        if not waiting:
            return
        due = min(row.available_at for row in waiting)
        time.sleep(max((due - outbox.wall_clock()).total_seconds(), 0) + 0.01)
        relay_pass(db, connection, settings)
