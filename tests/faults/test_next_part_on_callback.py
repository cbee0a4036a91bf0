"""The next part of a reply starts on Twilio's status callback, not in a sleeping worker (issue 18 /
22 item 3), on the real processes: gunicorn receiving the stand-in's signed callbacks, the
Procfile's worker (InProcessWorker) and the relay, on one Redis and the test database.

- With callbacks and a part gap of a minute, every part goes within seconds: only the `sent`
  callback of the part before can have let it go; and one worker with two phones' replies hands
  the second phone's first part over before the first phone's second part (it was not held while
  the first phone's part waited).
- Without callbacks the next part goes by the delayed job the relay enqueues once the gap is over,
  never before it.
- A callback that comes twice, for a sid nobody knows, or after its part's successors were sent by
  the delayed job, starts nothing and sends nothing twice.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
import requests
from sqlalchemy import func, select

from bot.outbound.queueing import queue_replies
from core.models import Message, OutboxJob
from core.timeutil import now
from tests.faults.conftest import TOKEN, wait_for
from tests.faults.relay_support import open_rows, start_deployed_worker, start_relay
from workers.dispatch import commit_and_enqueue

PARTS = ("parte 1 de 3.", "parte 2 de 3.", "parte 3 de 3.")


@pytest.fixture
def standin(request):
    """The stand-in posting `sent` and `delivered` callbacks (0.3 s and 0.5 s after it took a
    message), except for the test `…without_callbacks…`."""
    from standin import StandinServer

    callbacks = "without_callbacks" not in request.node.name
    server = StandinServer(auth_token=TOKEN, callbacks=callbacks).start()
    yield server
    server.stop()


def _rq(settings, redis_url):
    return dataclasses.replace(settings, jobs_mode="rq", redis_url=redis_url)


def _queue_reply(db, make, settings, redis_url, phone: str, tag: str) -> list[str]:
    contact = make.contact(phone=phone, last_inbound_at=now())
    bodies = [f"{tag}: {part}" for part in PARTS]
    commit_and_enqueue(db, queue_replies(db, contact, bodies), _rq(settings, redis_url))
    return bodies


def _outbound(db) -> list[Message]:
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


def _rows(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(OutboxJob))


def _all_sent(db, standin, count: int) -> bool:
    return len(standin.messages()) == count and all(m.message_sid for m in _outbound(db))


def _only_delayed_rows_open(db) -> bool:
    db.expire_all()
    rows = db.scalars(select(OutboxJob).where(OutboxJob.done_at.is_(None))).all()
    return all(row.available_at > row.created_at and row.enqueued_at is None for row in rows)


def _callback(stack, sid: str, status: str = "sent") -> int:
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01"}
    path = "/webhooks/twilio/status"
    return requests.post(stack.base + path, data=form, headers={"X-Twilio-Signature": stack.sign(path, form)},
                         timeout=15).status_code


def test_the_sent_callback_starts_the_next_part_and_the_worker_is_not_held(stack, redis_url, settings, db, make,
                                                                           standin):
    start_relay(stack)
    start_deployed_worker(stack, "callback-1", OUTBOUND_PART_GAP_SECONDS="60")
    first = _queue_reply(db, make, settings, redis_url, "+523312340001", "A")
    second = _queue_reply(db, make, settings, redis_url, "+523312340002", "B")
    # a minute's gap per part: within the wait below only the callbacks can let the parts go
    wait_for(lambda: _all_sent(db, standin, 6), 50, 0.2, "every part, each released by its predecessor's callback")
    arrived = [m["body"] for m in standin.messages()]
    assert [b for b in arrived if b.startswith("A")] == first
    assert [b for b in arrived if b.startswith("B")] == second
    # one worker: B's first part went while A's second part waited for its callback
    assert arrived.index(second[0]) < arrived.index(first[1])
    # all done but the delayed jobs, whose minute has not come (they will find nothing to send)
    wait_for(lambda: _only_delayed_rows_open(db), 30, 0.2, "every outbox row done but the delayed ones")
    wait_for(lambda: {m.status for m in _outbound(db)} == {"delivered"}, 30, 0.2, "the last callbacks")

    # the same callback again, a callback for a sid nobody knows: stored or ignored, nothing started
    rows = _rows(db)
    for message in _outbound(db):
        assert _callback(stack, message.message_sid, "sent") == 200
    assert _callback(stack, "SM" + "7" * 32, "sent") == 200
    assert _callback(stack, "SM" + "7" * 32, "delivered") == 200
    assert _rows(db) == rows  # no send job was written for any of them
    assert len(standin.messages()) == 6


def test_without_callbacks_the_delayed_job_sends_the_next_part_after_the_gap(stack, redis_url, settings, db, make,
                                                                             standin):
    gap = 1.0
    start_relay(stack)
    start_deployed_worker(stack, "gap-1", OUTBOUND_PART_GAP_SECONDS=str(gap))
    bodies = _queue_reply(db, make, settings, redis_url, "+523312340003", "C")
    wait_for(lambda: _all_sent(db, standin, 3), 60, 0.2, "every part, by the delayed jobs")
    received = standin.messages()
    assert [m["body"] for m in received] == bodies
    # never before the gap: nothing told us the part before was sent
    times = [m["received_at"] for m in received]
    assert all(later - earlier >= gap * 0.95 for earlier, later in itertools.pairwise(times)), times
    db.expire_all()
    delayed = db.scalars(select(OutboxJob).where(OutboxJob.available_at > OutboxJob.created_at)).all()
    assert len(delayed) >= 2 and all(row.done_at for row in delayed)  # the relay enqueued them, once due
    wait_for(lambda: open_rows(db) == 0, 30, 0.2, "every outbox row done")

    # Twilio's callbacks arriving late, after the delayed jobs sent everything: nothing twice
    rows = _rows(db)
    for message in _outbound(db):
        assert _callback(stack, message.message_sid, "sent") == 200
        assert _callback(stack, message.message_sid, "delivered") == 200
    assert _rows(db) == rows
    assert len(standin.messages()) == 3 and standin.state.calls == 3
