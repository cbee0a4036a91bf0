"""The outbox and its relay against a real Redis and the test database: jobs live and die with
their change's transaction, the relay hands over what nobody did, takes back what Redis lost and
what a dead worker left, once, and marks what RQ finished or gave up."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job as RQJob
from rq.job import JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from core import outbox
from core.jobs import Job, QueueName
from core.models import OutboxJob
from tests.support.jobs import SimpleWorker
from workers.dispatch import commit_and_enqueue, rq_job_id
from workers.relay import LOST_AFTER, relay_pass, requeue_abandoned, until_due

PROBE = Job("purge_retention", {}, QueueName.DEFAULT)  # a real task that needs no arguments


@pytest.fixture
def rq_settings(settings, redis_url, monkeypatch):
    url = redis_url.rsplit("/", 1)[0] + "/8"
    Redis.from_url(url).flushdb()
    monkeypatch.setenv("SINAC_JOBS", "rq")
    monkeypatch.setenv("REDIS_URL", url)
    yield dataclasses.replace(settings, jobs_mode="rq", redis_url=url)
    Redis.from_url(url).flushdb()


@pytest.fixture
def connection(rq_settings):
    return Redis.from_url(rq_settings.redis_url)


def _rows(db):
    db.expire_all()
    return db.scalars(select(OutboxJob).order_by(OutboxJob.id)).all()


def _age(db, **moments):
    """Move the rows' timestamps back (as if the time had passed) without waiting for it."""
    for row in _rows(db):
        for name, seconds in moments.items():
            value = getattr(row, name)
            if value is not None:
                setattr(row, name, value - timedelta(seconds=seconds))
    db.commit()


def test_jobs_roll_back_with_their_change(db, make):
    contact = make.contact()
    outbox.stage(db, [PROBE, Job("send_outbound", {"message_ids": [1, 2]}, QueueName.OUTBOUND)])
    contact.nombre = "cambio que no se guarda"
    db.rollback()
    assert _rows(db) == []


def test_committed_jobs_are_enqueued_then_marked_done_by_the_worker(db, rq_settings, connection):
    [job] = commit_and_enqueue(db, [PROBE], rq_settings)
    [row] = _rows(db)
    assert job.outbox_id == row.id and row.done_at is None
    assert Queue("default", connection=connection).job_ids == [rq_job_id(row.id)]
    SimpleWorker([Queue("default", connection=connection)], connection=connection).work(burst=True)
    [row] = _rows(db)
    assert row.done_at is not None and row.failed_at is None  # the worker marked it


def test_inline_jobs_are_marked_done(db, settings):
    commit_and_enqueue(db, [PROBE], settings)  # SINAC_JOBS=inline
    [row] = _rows(db)
    assert row.done_at is not None


def test_relay_enqueues_what_redis_refused_after_its_grace(db, rq_settings, connection, monkeypatch):
    down = dataclasses.replace(rq_settings, redis_url="redis://127.0.0.1:1/0")
    commit_and_enqueue(db, [PROBE, PROBE], down)
    assert [row.enqueued_at for row in _rows(db)] == [None, None]
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 0  # young: its process may be at it
    _age(db, created_at=10, available_at=10)
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 2
    ids = [rq_job_id(row.id) for row in _rows(db)]
    assert Queue("default", connection=connection).job_ids == ids
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 0  # marked: not twice
    assert Queue("default", connection=connection).job_ids == ids


def test_a_delayed_job_is_enqueued_by_the_relay_when_its_time_comes(db, rq_settings, connection):
    """A job that must not start yet (a reply's next part waiting for its gap) is written at the
    commit and enqueued by nobody then; the relay knows when to wake up for it and enqueues it as
    soon as its time came (no grace: nobody else hands it over)."""
    [job] = commit_and_enqueue(db, [dataclasses.replace(PROBE, delay=30)], rq_settings)
    [row] = _rows(db)
    assert Queue("default", connection=connection).job_ids == []  # not at the commit
    assert abs((row.available_at - row.created_at).total_seconds() - 30) < 1
    assert relay_pass(db, connection, rq_settings)["delayed"] == 0  # not before its time
    assert outbox.next_due(db) == row.available_at
    assert 29 < until_due(outbox.next_due(db), 60) <= 30 and until_due(outbox.next_due(db), 2) == 2
    _age(db, created_at=30.5, available_at=30.5)  # its time came half a second ago
    assert outbox.next_due(db) is None
    counts = relay_pass(db, connection, rq_settings)
    assert (counts["delayed"], counts["enqueued"]) == (1, 0)  # not counted as stranded
    assert Queue("default", connection=connection).job_ids == [rq_job_id(job.outbox_id)]
    assert relay_pass(db, connection, rq_settings)["delayed"] == 0  # marked: not twice


def test_an_inline_delayed_job_runs_after_its_delay(db, settings):
    started = time.monotonic()
    commit_and_enqueue(db, [dataclasses.replace(PROBE, delay=0.2)], settings)  # SINAC_JOBS=inline
    assert time.monotonic() - started >= 0.2
    [row] = _rows(db)
    assert row.done_at is not None


def test_relay_marks_rows_the_queue_holds_without_enqueueing_them_again(db, rq_settings, connection):
    commit_and_enqueue(db, [PROBE], rq_settings)  # enqueued, its job still waiting for a worker
    [row] = _rows(db)
    assert row.enqueued_at is None
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 0
    assert _rows(db)[0].enqueued_at is None  # within its grace the relay does not even look
    _age(db, available_at=10)
    assert relay_pass(db, connection, rq_settings)["enqueued"] == 0
    assert Queue("default", connection=connection).job_ids == [rq_job_id(row.id)]  # not a second copy
    assert _rows(db)[0].enqueued_at is not None


def test_relay_enqueues_again_what_redis_lost(db, rq_settings, connection):
    commit_and_enqueue(db, [PROBE], rq_settings)
    _age(db, available_at=10)
    relay_pass(db, connection, rq_settings)  # seen in RQ: marked enqueued
    connection.flushdb()  # Redis restarted without persistence
    assert relay_pass(db, connection, rq_settings)["lost"] == 0  # not before LOST_AFTER
    _age(db, enqueued_at=LOST_AFTER.total_seconds() + 1)
    assert relay_pass(db, connection, rq_settings)["lost"] == 1
    [row] = _rows(db)
    assert row.enqueues == 2  # seen once, enqueued once more
    assert Queue("default", connection=connection).job_ids == [rq_job_id(row.id)]
    _age(db, enqueued_at=LOST_AFTER.total_seconds() + 1)
    assert relay_pass(db, connection, rq_settings)["lost"] == 0  # RQ holds it now


def test_relay_marks_finished_and_given_up_rows(db, rq_settings, connection):
    done, given_up = commit_and_enqueue(db, [PROBE, PROBE], rq_settings)
    _age(db, available_at=10)
    relay_pass(db, connection, rq_settings)  # both waiting in RQ: marked enqueued
    RQJob.fetch(rq_job_id(done.outbox_id), connection=connection).set_status(JobStatus.FINISHED)
    RQJob.fetch(rq_job_id(given_up.outbox_id), connection=connection).set_status(JobStatus.FAILED)
    _age(db, enqueued_at=LOST_AFTER.total_seconds() + 1)
    counts = relay_pass(db, connection, rq_settings)
    assert (counts["done"], counts["failed"], counts["lost"]) == (1, 1, 0)
    first, second = _rows(db)
    assert first.done_at is not None and first.failed_at is None
    assert second.done_at is not None and second.failed_at is not None
    assert outbox.backlog(db) == {"sin_encolar": 0, "en_cola": 0}


def _started_by_a_dead_worker(connection, expired_for: float = 5) -> RQJob:
    """What a worker killed mid-job leaves in Redis: the job `started`, its entry in the started
    registry with the expiry of its last heartbeat, now past."""
    queue = Queue("inbound", connection=connection)
    job = queue.enqueue("workers.tasks.purge_retention", job_id="outbox-999")
    queue.remove(job.id)
    job.set_status(JobStatus.STARTED)
    job.worker_name = "muerto"
    job.save()
    registry = StartedJobRegistry(queue=queue)
    connection.zadd(registry.key, {f"{job.id}:exec-1": time.time() - expired_for})
    return job


def test_a_dead_workers_job_is_requeued_once(connection):
    job = _started_by_a_dead_worker(connection)
    live = Queue("inbound", connection=connection).enqueue("workers.tasks.purge_retention")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(requeue_abandoned(connection))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]  # four relays at once: one requeue
    queue = Queue("inbound", connection=connection)
    assert queue.job_ids == [job.id, live.id]  # at the front
    assert RQJob.fetch(job.id, connection=connection).get_status() == JobStatus.QUEUED
    assert requeue_abandoned(connection) == 0


def test_a_running_jobs_fresh_heartbeat_is_left_alone(connection):
    job = _started_by_a_dead_worker(connection, expired_for=-20)  # its worker vouched 5 s ago
    assert requeue_abandoned(connection) == 0
    assert RQJob.fetch(job.id, connection=connection).get_status() == JobStatus.STARTED
