"""The senders' pace (bot/pacing.py) on the real Redis, and Twilio's 429s through the twilio
library against the stand-in: slowed down for every worker, tried again, never dropped.

The waits asserted here are the ones the Redis script asks for (its own clock), never times
measured on our code; the wave's observed rate is checked at the stand-in in
tests/faults/test_outbound_wave.py."""

from __future__ import annotations

import time

import pytest
from redis import Redis

from bot.outbound.queueing import queue_replies
from bot.outbound.sending import send_messages
from bot.pacing import BURST_SECONDS, Pacer
from core.models import Message
from core.timeutil import now

WA = "whatsapp:+523312345678"


class Asked(Exception):
    """Raised by the fake sleep: the pacer asked to wait this long."""


def _refusing_sleep(seconds: float) -> None:
    raise Asked(seconds)


@pytest.fixture
def redis(redis_url):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    return connection


def test_turns_are_granted_at_the_rate_with_a_burst(redis):
    # 0.1/s: one turn, then the next one 10 s later (whatever this machine's load)
    pacer = Pacer(redis, {"sms": 0.1, "whatsapp": 1.0})
    assert pacer.wait_turn("+15550000000", "sms", _refusing_sleep) == 0
    with pytest.raises(Asked) as asked:
        pacer.wait_turn("+15550000000", "sms", _refusing_sleep)
    assert 5 < asked.value.args[0] <= 10
    # a burst of 3 turns (3 s worth at 1/s), then one a second
    bursty = Pacer(redis, {"whatsapp": 1.0}, burst_seconds=3)
    for _ in range(3):
        assert bursty.wait_turn("whatsapp:+15550000000", "whatsapp", _refusing_sleep) == 0
    with pytest.raises(Asked) as asked:
        bursty.wait_turn("whatsapp:+15550000000", "whatsapp", _refusing_sleep)
    assert 0 < asked.value.args[0] <= 1
    # each sender has its own turns
    assert pacer.wait_turn("+15559999999", "sms", _refusing_sleep) == 0
    assert BURST_SECONDS * 80 == 8  # the default: 0.1 s worth (a WhatsApp sender at 80/s: 8)


def test_workers_share_the_pace(redis, redis_url):
    """Two pacers on two connections (two workers): the second is refused what the first took."""
    first = Pacer(redis, {"sms": 0.1})
    second = Pacer(Redis.from_url(redis_url), {"sms": 0.1})
    assert first.wait_turn("+15550000000", "sms", _refusing_sleep) == 0
    with pytest.raises(Asked) as asked:
        second.wait_turn("+15550000000", "sms", _refusing_sleep)
    assert 5 < asked.value.args[0] <= 10


def test_a_pause_holds_every_worker_even_unpaced_channels(redis):
    pacer = Pacer(redis, {"sms": 100.0, "whatsapp": 0})
    pacer.pause("+15550000000", "sms", 20.0)
    with pytest.raises(Asked) as asked:
        Pacer(redis, {"sms": 100.0}).wait_turn("+15550000000", "sms", _refusing_sleep)
    assert 10 < asked.value.args[0] <= 20
    assert pacer.wait_turn("whatsapp:+15550000000", "whatsapp", _refusing_sleep) == 0  # unpaced
    pacer.pause("whatsapp:+15550000000", "whatsapp", 20.0)
    with pytest.raises(Asked):
        pacer.wait_turn("whatsapp:+15550000000", "whatsapp", _refusing_sleep)


def test_redis_unreachable_grants_the_turn():
    pacer = Pacer(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2), {"sms": 1.0})
    assert pacer.wait_turn("+15550000000", "sms", _refusing_sleep) == 0
    pacer.pause("+15550000000", "sms", 1.0)  # logged, not raised


def test_429s_pause_the_sender_do_not_count_as_tries_and_never_drop(chan_settings, db, make, standin, redis,
                                                                    monkeypatch):
    monkeypatch.setattr("bot.outbound.handover.THROTTLE_DELAYS", (0.05, 0.1, 0.2, 0.4, 0.8))
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno", "Dos"])
    db.commit()
    standin.fail(7, "429", code=20429, message="Too Many Requests")
    pauses: list[float] = []

    class Recording(Pacer):
        def pause(self, sender, channel, seconds):
            pauses.append(seconds)
            super().pause(sender, channel, seconds)

    pacer = Recording(redis, {"whatsapp": 1000.0})
    sleep = time.sleep
    # 5 pauses in this job, then the part goes back to `queued` for a new send job
    [follow] = send_messages(db, job.kwargs["message_ids"], settings=chan_settings, pacer=pacer, sleep=sleep)
    assert follow.kwargs["message_ids"] == job.kwargs["message_ids"]
    db.expire_all()
    first = db.get(Message, job.kwargs["message_ids"][0])
    assert first.status == "queued" and first.attempts == 0 and "429" in first.error
    assert standin.state.calls == 5 and standin.messages() == []
    # each 429 paused the sender (for every worker, through Redis: see the test above), longer each time
    assert pauses == [0.05, 0.1, 0.2, 0.4, 0.8]
    jobs = send_messages(db, follow.kwargs["message_ids"], settings=chan_settings, pacer=pacer, sleep=sleep)
    while jobs:  # part 2 waits for part 1 to be accepted (a delayed job: the gap)
        [later] = jobs
        time.sleep(later.delay)
        jobs = send_messages(db, later.kwargs["message_ids"], settings=chan_settings, pacer=pacer, sleep=sleep)
    assert [m["body"] for m in standin.messages(to=WA)] == ["Uno", "Dos"]
    db.expire_all()
    first = db.get(Message, job.kwargs["message_ids"][0])
    assert first.message_sid and first.attempts == 1 and first.error is None


def test_the_dialogue_job_leaves_a_429_to_the_send_job(chan_settings, db, make, standin, redis):
    contact = make.contact(last_inbound_at=now())
    [job] = queue_replies(db, contact, ["Uno"])
    db.commit()
    standin.fail(1, "429", code=20429, message="Too Many Requests")
    pacer = Pacer(redis, {"whatsapp": 1000.0})
    [follow] = send_messages(db, job.kwargs["message_ids"], settings=chan_settings, pacer=pacer,
                             first_try_only=True, sleep=_refusing_sleep)
    assert follow.name == "send_outbound"
    with pytest.raises(Asked):  # the sender is paused for the next one who asks
        pacer.wait_turn(chan_settings.twilio_whatsapp_from, "whatsapp", _refusing_sleep)
