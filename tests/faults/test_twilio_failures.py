"""Twilio's API failing for outbound messages, through the real worker process and the twilio
library against the stand-in: 5xx and timeouts are retried with backoff; a message that never
gets through is marked failed with the reason, visible to staff, and nothing is lost or doubled."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.models import Message
from tests.faults.conftest import inbound_form, sid
from tests.support.web import login

PHONE = "+523312345678"
WA = f"whatsapp:{PHONE}"


def _outbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


def test_persistent_5xx_is_retried_then_marked_failed_and_shown(stack, db, standin, make, settings):
    standin.fail(count=1000, mode="500")
    assert stack.post_webhook(inbound_form(sid(1), sender=WA, body="hola")).status_code == 200
    stack.run_burst_worker()
    replies = _outbound(db)
    assert replies, "the bot's replies are stored even though Twilio is down"
    first = replies[0]
    assert first.status == "failed" and first.attempts == 4  # 1 try + 3 retries with backoff
    assert "Twilio 500" in first.error
    assert all(m.status == "failed" and m.error for m in replies)
    assert all(not m.message_sid for m in replies)
    assert standin.messages() == [] and standin.state.calls == 4  # later parts were not tried out of order
    assert "outbound transient failure, retrying" in stack.worker_logs()
    assert "Job OK" in stack.worker_logs()  # handled, not a crashed job left to RQ

    # Staff see it: the conversation shows the failure and its reason.
    client = stack_client(settings)
    login(client, make.user("vinculacion"))
    html = client.get(f"/conversaciones/{first.contact_id}").get_data(as_text=True)
    assert "Twilio 500" in html

    # Twilio is back: a sweep does not resend failed messages (they were marked, not lost).
    standin.state.reset()
    from redis import Redis
    from rq import Queue

    from workers.tasks import TASKS  # noqa: F401 (the sweep as the scheduler runs it)

    Queue("default", connection=Redis.from_url(stack.env["REDIS_URL"])).enqueue(
        "workers.tasks.sweep_stuck_inbound", kwargs={"older_than_seconds": 0})
    stack.run_burst_worker()
    assert standin.messages() == []


def test_timeouts_and_5xx_then_success_send_each_reply_once(stack, db, standin):
    standin.fail(count=1, mode="timeout", delay=3)  # longer than TWILIO_TIMEOUT_SECONDS=2
    standin.fail(count=1, mode="503")
    assert stack.post_webhook(inbound_form(sid(1), sender=WA, body="hola")).status_code == 200
    stack.run_burst_worker()
    replies = _outbound(db)
    assert replies and all(m.message_sid for m in replies)
    assert replies[0].attempts == 3 and replies[0].error is None
    sent = standin.messages(to=WA)
    assert [m["body"] for m in sent] == [m.body for m in replies]  # each once, in order


def test_the_dialogue_job_sends_its_reply_without_a_second_job(stack, db, standin):
    """The reply's first part goes from the dialogue job itself; the parts after it wait for the
    part before to be accepted in send jobs of their own (a callback's, or delayed by the gap),
    never in the dialogue job's worker."""
    assert stack.post_webhook(inbound_form(sid(1), sender=WA, body="hola")).status_code == 200
    stack.run_burst_worker()
    replies = _outbound(db)
    assert replies and all(m.message_sid for m in replies)
    assert [m["body"] for m in standin.messages(to=WA)] == [m.body for m in replies]
    logs = stack.worker_logs()
    assert "process_inbound_message" in logs
    sends = [[int(i) for i in ids.split(",")] for ids in re.findall(r"send_outbound\(message_ids=\[([\d, ]+)\]\)", logs)]
    assert replies[0].id not in {i for ids in sends for i in ids}  # no second job for the first part


def test_a_reply_twilio_refuses_once_goes_to_the_send_job(stack, db, standin):
    standin.fail(count=1, mode="503")
    assert stack.post_webhook(inbound_form(sid(1), sender=WA, body="hola")).status_code == 200
    stack.run_burst_worker()
    replies = _outbound(db)
    assert replies and all(m.message_sid for m in replies)
    assert replies[0].attempts == 2 and replies[0].error is None
    assert [m["body"] for m in standin.messages(to=WA)] == [m.body for m in replies]
    assert "send_outbound" in stack.worker_logs()


def stack_client(settings):
    from backoffice.app import create_app

    return create_app(settings, TESTING=True, RATELIMIT_ENABLED=False).test_client()
