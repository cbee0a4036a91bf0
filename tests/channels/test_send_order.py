"""Order of outbound messages to one phone (bot/send_order.py) through the twilio library and the
stand-in: the next part after the previous one is reported sent or after the part gap, whichever
comes first; an earlier message not sent yet goes first; a failed part takes its own reply with
it and nothing else. Under concurrency, with real workers: tests/faults/test_outbound_order.py."""

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


def test_without_a_callback_the_next_part_waits_the_gap(chan_settings, db, make, standin, monkeypatch):
    settings = _settings(monkeypatch, 0.4)
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos", "Tres"])
    db.commit()
    waits: list[float] = []
    with time_machine.travel(now(), tick=False) as clock:  # time moves only when we sleep

        def sleep(seconds):
            waits.append(seconds)
            clock.shift(seconds)

        send_messages(db, job.kwargs["message_ids"], settings=settings, sleep=sleep)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos", "Tres"]
    # the gap was waited out twice (between 1-2 and 2-3), in short looks
    assert 2 * 0.4 <= sum(waits) <= 2 * 0.4 + 0.1 and max(waits) <= 0.05


def test_a_sent_callback_lets_the_next_part_go_before_the_gap(chan_settings, db, make, standin, monkeypatch):
    settings = _settings(monkeypatch, 600)  # the gap alone would hold part 2 for ten minutes
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    looks: list[float] = []

    def sleep(seconds):
        """While part 2 waits, Twilio's callback reports part 1 sent (as the web process would)."""
        looks.append(seconds)
        first = _messages(db)[0]
        record_status(db, {"MessageSid": first.message_sid, "MessageStatus": "sent"})
        db.commit()

    send_messages(db, job.kwargs["message_ids"], settings=settings, sleep=sleep)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos"]
    assert len(looks) == 1  # one look, then the callback released it


def test_an_earlier_message_not_yet_sent_goes_first(chan_settings, db, make, standin):
    """The conclusion notice and the survey question are two jobs: whichever runs first, the
    phone gets them in the order they were written."""
    contact = make.contact(last_inbound_at=now())
    [notice] = queue_replies(db, contact, ["Tu caso concluyó."])
    [survey] = queue_replies(db, contact, ["¿Cómo calificas la atención?"])
    db.commit()
    send_messages(db, survey.kwargs["message_ids"], settings=chan_settings)
    send_messages(db, notice.kwargs["message_ids"], settings=chan_settings)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Tu caso concluyó.", "¿Cómo calificas la atención?"]
    assert standin.state.calls == 2


def test_a_failed_part_takes_its_reply_not_the_next_one(chan_settings, db, make, standin):
    contact = make.contact(last_inbound_at=now())
    [first_reply] = queue_replies(db, contact, ["Uno", "Dos"])
    [second_reply] = queue_replies(db, contact, ["Otra respuesta"])
    db.commit()
    standin.fail(1, "400", code=21211, message="Invalid 'To' Phone Number")
    # a sweep that groups both replies of the phone in one job
    send_messages(db, first_reply.kwargs["message_ids"] + second_reply.kwargs["message_ids"], settings=chan_settings)
    uno, dos, otra = _messages(db)
    assert uno.status == "failed" and dos.status == "failed" and "parte anterior" in dos.error
    assert otra.message_sid and [m["body"] for m in standin.messages(to=WA)] == ["Otra respuesta"]


def test_a_later_part_alone_waits_for_an_earlier_part_being_sent(chan_settings, db, make, standin, monkeypatch):
    """Part 1 is `sending` (a live worker is calling Twilio): a job holding only part 2 waits,
    and sends it once part 1 has its sid."""
    settings = _settings(monkeypatch, 0.05)
    contact = make.contact(last_inbound_at=now())
    queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    first, second = _messages(db)
    first.status, first.status_at, first.attempts = "sending", now(), 1
    db.commit()
    looks = []

    def sleep(seconds):
        looks.append(seconds)
        if len(looks) == 3:  # the other worker gets Twilio's answer
            row = db.get(Message, first.id)
            row.status, row.message_sid, row.status_at = "queued", "SM" + "f" * 32, now()
            db.commit()
        time.sleep(seconds)

    send_messages(db, [second.id], settings=settings, sleep=sleep)
    assert len(looks) >= 3
    assert [m["body"] for m in standin.messages(to=WA)] == ["Dos"]  # part 1 went through the other worker
    assert _messages(db)[1].message_sid


def test_a_part_replaced_by_its_sms_fallback_is_followed_after_the_fallback(chan_settings, db, make, standin):
    """Part 1 is refused by WhatsApp (outside the 24-hour window): its SMS copy goes, then part 2,
    never part 2 before the copy of part 1."""
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    standin.fail(1, "400", code=63016, match="whatsapp", message="Outside the allowed window")
    send_messages(db, job.kwargs["message_ids"], settings=chan_settings)
    assert [(m["to"], m["body"]) for m in standin.messages()] == [("+523312345678", "Uno"), (WA, "Dos")]
    uno, dos, copy = _messages(db)
    assert uno.status == "failed" and copy.fallback_of_id == uno.id and copy.message_sid and dos.message_sid
