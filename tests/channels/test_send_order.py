"""Order of outbound messages to one phone (bot/send_order.py) through the twilio library and the
stand-in: the next part after the previous one is reported sent (its status callback starts a
send job) or after the part gap (a delayed job), whichever comes first, and nobody sleeps through
the wait; an earlier message not sent yet goes first; a failed part takes its own reply with it
and nothing else. Under concurrency, with real workers, the relay and callbacks:
tests/faults/test_outbound_order.py."""

from __future__ import annotations

import time

import time_machine
from sqlalchemy import select

from bot.outbound.queueing import queue_replies
from bot.outbound.sending import send_messages
from bot.outbound.status import record_status
from core.config import Settings
from core.models import Message
from core.timeutil import now

WA = "whatsapp:+523312345678"


def _messages(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


def _settings(monkeypatch, gap: float) -> Settings:
    monkeypatch.setenv("OUTBOUND_PART_GAP_SECONDS", str(gap))
    return Settings.from_env()


def _send_through(db, ids, settings):
    """send_messages, then the jobs it returns once their delay is over (the relay's part)."""
    jobs = send_messages(db, ids, settings=settings)
    while jobs:
        [job] = jobs
        time.sleep(job.delay)
        jobs = send_messages(db, job.kwargs["message_ids"], settings=settings)


def _no_sleep(seconds):
    raise AssertionError(f"the sender slept {seconds} s: a waiting part must not hold the worker")


def test_without_a_callback_the_next_part_goes_by_a_job_delayed_by_the_gap(chan_settings, db, make, standin,
                                                                           monkeypatch):
    settings = _settings(monkeypatch, 0.4)
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos", "Tres"])
    db.commit()
    ids = job.kwargs["message_ids"]
    with time_machine.travel(now(), tick=False) as clock:
        [later] = send_messages(db, ids, settings=settings, sleep=_no_sleep)
        assert [m["body"] for m in standin.messages(to=WA)] == ["Uno"]  # the job ended there
        assert later.kwargs["message_ids"] == ids[1:] and later.delay == 0.4 and later.queue == "outbound"
        clock.shift(0.1)  # run early (a callback's job, a sweep): still nothing to send
        [again] = send_messages(db, later.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
        assert [m["body"] for m in standin.messages(to=WA)] == ["Uno"]
        assert again.kwargs["message_ids"] == ids[1:] and abs(again.delay - 0.3) < 1e-6
        clock.shift(0.3)  # the gap is over: part 2 goes, part 3 waits the gap after it
        [last] = send_messages(db, again.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
        assert last.kwargs["message_ids"] == ids[2:] and last.delay == 0.4
        clock.shift(0.4)
        assert send_messages(db, last.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos", "Tres"]


def test_a_sent_callback_starts_the_next_part_before_the_gap(chan_settings, db, make, standin, monkeypatch):
    settings = _settings(monkeypatch, 600)  # the gap alone would hold part 2 for ten minutes
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos", "Tres"])
    db.commit()
    ids = job.kwargs["message_ids"]
    [fallback] = send_messages(db, ids, settings=settings, sleep=_no_sleep)
    assert 599 < fallback.delay <= 600 and fallback.kwargs["message_ids"] == ids[1:]
    first = _messages(db)[0]
    # Twilio's callback (the web process): the status stored, a send job for the parts waiting
    [kick] = record_status(db, {"MessageSid": first.message_sid, "MessageStatus": "sent"})
    db.commit()
    assert _messages(db)[0].status == "sent"
    assert kick.name == "send_outbound" and kick.delay == 0 and kick.kwargs["message_ids"] == ids[1:]
    [after_two] = send_messages(db, kick.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos"]
    second = _messages(db)[1]
    [kick] = record_status(db, {"MessageSid": second.message_sid, "MessageStatus": "delivered"})
    db.commit()
    assert kick.kwargs["message_ids"] == ids[2:]
    assert send_messages(db, kick.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos", "Tres"]
    # the delayed jobs, when their time comes, find everything sent: nothing goes twice
    for late in (fallback, after_two):
        assert send_messages(db, late.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    assert standin.state.calls == 3


def test_a_callback_twice_late_or_for_an_unknown_sid_starts_nothing(chan_settings, db, make, standin, monkeypatch):
    settings = _settings(monkeypatch, 600)
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    send_messages(db, job.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
    first = _messages(db)[0]
    [kick] = record_status(db, {"MessageSid": first.message_sid, "MessageStatus": "sent"})
    db.commit()
    assert record_status(db, {"MessageSid": first.message_sid, "MessageStatus": "sent"}) == []  # twice
    send_messages(db, kick.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
    # after the part went: its predecessor's later callbacks start nothing, nor an unknown sid's
    assert record_status(db, {"MessageSid": first.message_sid, "MessageStatus": "delivered"}) == []
    assert record_status(db, {"MessageSid": "SM" + "9" * 32, "MessageStatus": "sent"}) == []
    db.commit()
    # even a send job for the part again (a retried callback's job) sends nothing twice
    assert send_messages(db, kick.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos"]


def test_a_failed_callback_lets_the_next_reply_go_and_fails_the_rest_of_its_own(chan_settings, db, make, standin,
                                                                                monkeypatch):
    settings = _settings(monkeypatch, 600)
    contact = make.contact(channel="sms", phone="+523312345679")
    [job] = queue_replies(db, contact, ["Uno.", "Dos."])
    [other] = queue_replies(db, contact, ["Otra respuesta."])
    db.commit()
    send_messages(db, job.kwargs["message_ids"] + other.kwargs["message_ids"], settings=settings, sleep=_no_sleep)
    uno = _messages(db)[0]
    [kick] = record_status(db, {"MessageSid": uno.message_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"})
    db.commit()
    assert kick.kwargs["message_ids"] == [m.id for m in _messages(db)[1:]]
    assert send_messages(db, kick.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    uno, dos, otra = _messages(db)
    assert (uno.status, dos.status) == ("undelivered", "failed") and otra.message_sid
    assert [m["body"] for m in standin.messages(to=contact.phone)] == ["Uno.", "Otra respuesta."]


def test_an_earlier_message_not_yet_sent_goes_first(chan_settings, db, make, standin):
    """The conclusion notice and the survey question are two jobs: whichever runs first, the
    phone gets them in the order they were written."""
    contact = make.contact(last_inbound_at=now())
    [notice] = queue_replies(db, contact, ["Tu caso concluyó."])
    [survey] = queue_replies(db, contact, ["¿Cómo calificas la atención?"])
    db.commit()
    _send_through(db, survey.kwargs["message_ids"], chan_settings)
    _send_through(db, notice.kwargs["message_ids"], chan_settings)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Tu caso concluyó.", "¿Cómo calificas la atención?"]
    assert standin.state.calls == 2


def test_a_failed_part_takes_its_reply_not_the_next_one(chan_settings, db, make, standin):
    contact = make.contact(last_inbound_at=now())
    [first_reply] = queue_replies(db, contact, ["Uno", "Dos"])
    [second_reply] = queue_replies(db, contact, ["Otra respuesta"])
    db.commit()
    standin.fail(1, "400", code=21211, message="Invalid 'To' Phone Number")
    # a sweep that groups both replies of the phone in one job
    _send_through(db, first_reply.kwargs["message_ids"] + second_reply.kwargs["message_ids"], chan_settings)
    uno, dos, otra = _messages(db)
    assert uno.status == "failed" and dos.status == "failed" and "parte anterior" in dos.error
    assert otra.message_sid and [m["body"] for m in standin.messages(to=WA)] == ["Otra respuesta"]


def test_a_later_part_alone_waits_for_an_earlier_part_being_sent(chan_settings, db, make, standin, monkeypatch):
    """Part 1 is `sending` (a live worker is calling Twilio): a job holding only part 2 ends at
    once, delayed to look again; once part 1 has its sid and the gap is over, part 2 goes."""
    settings = _settings(monkeypatch, 0.05)
    contact = make.contact(last_inbound_at=now())
    queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    first, second = _messages(db)
    first.status, first.status_at, first.attempts = "sending", now(), 1
    db.commit()
    [later] = send_messages(db, [second.id], settings=settings, sleep=_no_sleep)
    assert later.kwargs["message_ids"] == [second.id] and later.delay >= 0.05
    assert standin.messages(to=WA) == []
    row = db.get(Message, first.id)  # the other worker gets Twilio's answer
    row.status, row.message_sid, row.status_at = "queued", "SM" + "f" * 32, now()
    db.commit()
    time.sleep(later.delay)
    assert send_messages(db, later.kwargs["message_ids"], settings=settings, sleep=_no_sleep) == []
    assert [m["body"] for m in standin.messages(to=WA)] == ["Dos"]  # part 1 went through the other worker
    assert _messages(db)[1].message_sid


def test_a_part_replaced_by_its_sms_fallback_is_followed_after_the_fallback(chan_settings, db, make, standin):
    """Part 1 is refused by WhatsApp (outside the 24-hour window): its SMS copy goes, then part 2,
    never part 2 before the copy of part 1."""
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    standin.fail(1, "400", code=63016, match="whatsapp", message="Outside the allowed window")
    _send_through(db, job.kwargs["message_ids"], chan_settings)
    assert [(m["to"], m["body"]) for m in standin.messages()] == [("+523312345678", "Uno"), (WA, "Dos")]
    uno, dos, copy = _messages(db)
    assert uno.status == "failed" and copy.fallback_of_id == uno.id and copy.message_sid and dos.message_sid
