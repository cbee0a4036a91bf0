"""The same webhook delivered 5 times at once to the real app under gunicorn (2 processes,
8 threads each): one Message row, one job, one turn, one reply."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from core.models import Contact, Message, OutboxJob
from tests.faults.conftest import inbound_form, sid

DUP_PHONE = "+523312345678"
CONTROL_PHONE = "+523398765432"


def _count(db, model, *where):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_five_concurrent_deliveries_store_one_message_and_reply_once(stack, db, standin, redis_url):
    form = inbound_form(sid(1), sender=f"whatsapp:{DUP_PHONE}", body="hola")
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: stack.post_webhook(form), range(5)))
    assert [r.status_code for r in responses] == [200] * 5, [r.text[:200] for r in responses]
    assert all("<Response" in r.text for r in responses)  # TwiML each time: Twilio stops retrying

    assert _count(db, Message, Message.message_sid == sid(1)) == 1
    assert _count(db, Contact) == 1
    [message] = db.scalars(select(Message).where(Message.message_sid == sid(1))).all()
    [row] = db.scalars(select(OutboxJob)).all()  # one job, written with the one message
    assert row.kwargs == {"message_id": message.id}
    assert Queue("inbound", connection=Redis.from_url(redis_url)).job_ids == [f"outbox-{row.id}"]

    # A control phone writes the same thing once: the duplicate gets exactly as many replies.
    assert stack.post_webhook(inbound_form(sid(2), sender=f"whatsapp:{CONTROL_PHONE}", body="hola")).status_code == 200
    # Twilio retries again later, after the first delivery was processed.
    stack.run_burst_worker()
    assert stack.post_webhook(form).status_code == 200
    stack.run_burst_worker()

    db.expire_all()
    message = db.get(Message, message.id)
    assert message.status == "processed"
    dup_replies = standin.messages(to=f"whatsapp:{DUP_PHONE}")
    control_replies = standin.messages(to=f"whatsapp:{CONTROL_PHONE}")
    assert control_replies, "the bot answered the control phone"
    assert [m["body"] for m in dup_replies] == [m["body"] for m in control_replies]
    assert _count(db, Message, Message.direction == "inbound") == 2
