"""A worker killed after a turn's commit and before it sent the reply (issue 18): the reply waits
in the database, its backstop send job 30 s away (workers/tasks.py SEND_BACKSTOP_SECONDS), the
turn's job is requeued only when its heartbeat expires. If the affiliate writes again meanwhile,
the later reply must not overtake the stranded one: the job sending the later reply finds an
earlier message to the same phone never handed over and sends it first (bot/send_order.py), and
the backstop and the requeued turn, when they come, send nothing twice.

Real processes: gunicorn, the relay, a worker hooked to hang right after the turn's commit
(tests/faults/hooked_worker.py, killed with SIGKILL as a machine would lose it), then a fresh
worker; the stand-in's message list is the phone."""

from __future__ import annotations

import json
import signal

from sqlalchemy import select

from core.models import Message
from tests.faults.conftest import inbound_form, sid, stop_process, wait_for
from tests.faults.relay_support import open_rows, start_relay

PHONE = "+523312340099"
WA = f"whatsapp:{PHONE}"


def _outbound(db) -> list[Message]:
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


def test_a_reply_stranded_by_a_dead_worker_goes_before_the_next_reply(stack, db, standin, tmp_path):
    start_relay(stack)
    block = tmp_path / "block"
    block.mkdir()
    doomed = stack.start_worker(hooked=True, scheduler=False, SINAC_FAULT_BLOCK_DIR=str(block),
                                SINAC_FAULT_BLOCK_AT="send")
    assert stack.post_webhook(inbound_form(sid(1), sender=WA, body="hola")).status_code == 200
    marker = wait_for(lambda: (block / "blocked").exists() and json.loads((block / "blocked").read_text()),
                      90, 0.1, "the first turn to commit and reach its send")
    stop_process(doomed, signal.SIGKILL)  # the worker; its work horse ends when it sees it gone
    stranded = _outbound(db)
    assert stranded and [m.id for m in stranded] == marker["message_ids"]
    assert all(m.message_sid is None for m in stranded)  # committed, never handed to Twilio

    # the affiliate writes again at once; a worker (restarted) answers
    stack.start_worker(scheduler=False)
    assert stack.post_webhook(inbound_form(sid(2), sender=WA, body="¿me cubren el parto?")).status_code == 200
    wait_for(lambda: len(_outbound(db)) > len(stranded) and all(m.message_sid for m in _outbound(db)), 120, 0.2,
             "both replies to be handed to Twilio")

    outbound = _outbound(db)
    arrived = standin.messages(to=WA)
    # Twilio got the stranded reply first, then the later one, each part once
    assert [m["sid"] for m in arrived] == [m.message_sid for m in outbound]
    assert [m["body"] for m in arrived] == [m.body for m in outbound]

    # the backstop send job (30 s) and the dead worker's turn (requeued by its heartbeat) come and
    # go: every outbox row done, nothing sent again
    wait_for(lambda: open_rows(db) == 0, 120, 0.5, "the backstop and the requeued turn to finish")
    assert len(standin.messages(to=WA)) == len(outbound)
    assert {m.status for m in _outbound(db)} <= {"queued", "sent", "delivered"}
