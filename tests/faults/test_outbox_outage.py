"""Redis killed (SIGKILL) under the real stack — gunicorn, an `rq worker`, the relay — while
webhooks and buzón submissions arrive. Nobody enqueues anything by hand: the jobs written with
each change (the outbox) are enqueued by the relay once Redis is back, empty. Every message is
processed once; every new case's notices (the enlace's in-app notice, the affiliate's SMS with the
folio) go out exactly once. Before the outbox the buzón's notices were lost for good."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Case, Message
from core.notifications import VOLANTE_NUEVO
from tests.faults.conftest import inbound_form, sid, wait_for
from tests.faults.relay_support import (
    FOLIO_RE,
    buzon,
    notifications,
    open_rows,
    relay_log,
    start_deployed_worker,
    start_relay,
)

PHONES = ["+523315550001", "+523315550002"]
BUZON_PHONES = ["3316660001", "3316660002"]


def _inbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


def _cases(db):
    db.expire_all()
    return db.scalars(select(Case).order_by(Case.id)).all()


def test_redis_outage_delays_jobs_and_loses_none(own_redis, stack_factory, db, make, standin):
    make.enlace("14")
    stack = stack_factory(own_redis.url).start_server()
    relay = start_relay(stack)
    worker = start_deployed_worker(stack, "outage-1")  # Redis goes before it has even warmed up

    own_redis.kill()
    n = 0
    for phone in PHONES:
        for body in ("hola", "quiero poner una queja"):
            n += 1
            assert stack.post_webhook(inbound_form(sid(700 + n), sender=f"whatsapp:{phone}", body=body)).status_code == 200
    assert [buzon(stack.base, i, phone) for i, phone in enumerate(BUZON_PHONES)] == [302, 302]
    assert open_rows(db) == n + len(BUZON_PHONES)  # each change wrote its job; none could be enqueued
    wait_for(lambda: "relay pass failed" in relay_log(stack), 30, 0.2, "the relay to notice the outage")
    assert relay.poll() is None and worker.poll() is None, "a process exited during the outage"

    own_redis.start()  # back, empty
    wait_for(lambda: {m.status for m in _inbound(db)} == {"processed"}, 90, 0.5,
             "every message of the outage to be processed")
    cases = [c for c in _cases(db) if c.canal == "buzon"]
    assert len(cases) == len(BUZON_PHONES)
    wait_for(lambda: len(notifications(db, VOLANTE_NUEVO)) == len(cases), 60, 0.5, "the enlace's notices")
    for case, phone in zip(cases, BUZON_PHONES, strict=True):
        wait_for(lambda p=phone: standin.messages(to=f"+52{p}"), 60, 0.5, "the affiliate's SMS")
    wait_for(lambda: open_rows(db) == 0, 60, 0.5, "every outbox row to be done")
    assert relay.poll() is None and worker.poll() is None

    # Exactly once: one folio SMS per buzón case, one enlace notice per volante, one reply run per message.
    for case, phone in zip(cases, BUZON_PHONES, strict=True):
        sms = standin.messages(to=f"+52{phone}")
        assert [FOLIO_RE.findall(m["body"]) for m in sms] == [[case.folio]], [m["body"] for m in sms]
    assert sorted(x.case_id for x in notifications(db, VOLANTE_NUEVO)) == [c.id for c in cases]
    db.expire_all()
    outbound = db.scalars(select(Message).where(Message.direction == "outbound")).all()
    assert len([m for m in outbound if m.message_sid]) == len(standin.messages())
    assert all(standin.messages(to=f"whatsapp:{p}") for p in PHONES)
    assert "enqueued" in relay_log(stack)
