"""A worker killed with SIGKILL in the middle of a dialogue turn (the turn has just registered the
case, inside its open transaction, and is about to queue the reply): the job is retried, the
affiliate gets one reply and the case is registered once.

Two ways to die: only the work horse (the forked process running the job: RQ's parent notices and
retries the job), and the whole worker (its heartbeat stops; the relay finds the expired entry in
RQ's started registry and requeues the job)."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from core.models import Case, Message
from tests.faults.conftest import inbound_form, sid, stop_process, wait_for
from tests.faults.relay_support import relay_log, start_relay

PHONE = "+523312345678"
FOLIO_RE = re.compile(r"SINAC-\d{4}-\d{6}")
SCRIPT = ["hola", "me cobraron 150 en el centro de salud de Zapopan"]


@pytest.fixture
def enlace(make):
    return make.enlace("14")


def _talk_until_summary(stack, standin) -> None:
    for n, body in enumerate(SCRIPT, start=1):
        assert stack.post_webhook(inbound_form(sid(n), sender=f"whatsapp:{PHONE}", body=body)).status_code == 200
        stack.run_burst_worker()
    assert "Responde SI o NO" in "\n".join(m["body"] for m in standin.messages(to=f"whatsapp:{PHONE}"))


def _message(db, message_sid):
    db.expire_all()
    return db.scalar(select(Message).where(Message.message_sid == message_sid))


def _check_one_case_one_reply(db, standin, before: int) -> None:
    db.expire_all()
    cases = db.scalars(select(Case)).all()
    assert len(cases) == 1, [c.folio for c in cases]
    [case] = cases
    after = standin.messages(to=f"whatsapp:{PHONE}")[before:]
    folios = [f for m in after for f in FOLIO_RE.findall(m["body"])]
    assert folios and set(folios) == {case.folio}
    # one confirmation: the folio is announced once (not once per attempt)
    assert sum(case.folio in m["body"] for m in after) == 1, [m["body"] for m in after]
    outbound = db.scalars(select(Message).where(Message.direction == "outbound", Message.case_id == case.id)).all()
    assert len([m for m in outbound if case.folio in (m.body or "")]) == 1


def test_work_horse_killed_mid_turn_is_retried_with_one_reply(stack, db, standin, enlace, tmp_path):
    _talk_until_summary(stack, standin)
    before = len(standin.messages(to=f"whatsapp:{PHONE}"))
    block = tmp_path / "block"
    block.mkdir()
    worker = stack.start_worker(hooked=True, SINAC_FAULT_BLOCK_DIR=str(block))
    assert stack.post_webhook(inbound_form(sid(9), sender=f"whatsapp:{PHONE}", body="SI")).status_code == 200

    marker = wait_for(lambda: (block / "blocked").exists() and json.loads((block / "blocked").read_text()),
                      60, what="the turn to reach the hook")
    assert marker["pid"] != worker.pid  # the forked work horse
    assert len(marker["cases_in_transaction"]) == 1  # the case exists, uncommitted
    os.kill(marker["pid"], signal.SIGKILL)

    wait_for(lambda: _message(db, sid(9)).status == "processed", 90, 0.3, "the retried turn")
    wait_for(lambda: any(FOLIO_RE.search(m["body"]) for m in standin.messages(to=f"whatsapp:{PHONE}")[before:]),
             60, 0.3, "the confirmation to be sent")
    # let the worker drain anything else it holds, then stop it
    wait_for(lambda: Queue("outbound", connection=Redis.from_url(stack.env["REDIS_URL"])).count == 0, 30)
    time.sleep(0.5)
    stop_process(worker)
    _check_one_case_one_reply(db, standin, before)
    assert "Work-horse terminated unexpectedly" in stack.worker_logs() or "killed" in stack.worker_logs()


def test_whole_worker_killed_mid_turn_is_recovered_with_one_reply(stack, db, standin, enlace, tmp_path):
    """Nothing is simulated: the job's heartbeat in RQ's started registry expires (25 s) and the
    relay process requeues it, once; a worker started as systemd would restart it runs it."""
    _talk_until_summary(stack, standin)
    before = len(standin.messages(to=f"whatsapp:{PHONE}"))
    block = tmp_path / "block"
    block.mkdir()
    start_relay(stack)
    worker = stack.start_worker(hooked=True, SINAC_FAULT_BLOCK_DIR=str(block))
    assert stack.post_webhook(inbound_form(sid(9), sender=f"whatsapp:{PHONE}", body="SI")).status_code == 200
    marker = wait_for(lambda: (block / "blocked").exists() and json.loads((block / "blocked").read_text()),
                      60, what="the turn to reach the hook")
    # The worker, its scheduler and its horse (RQ puts the horse in its own process group):
    # nobody is left to report anything.
    os.killpg(worker.pid, signal.SIGKILL)
    os.kill(marker["pid"], signal.SIGKILL)
    worker.wait(10)

    message = _message(db, sid(9))
    assert message.status == "received"  # the turn's transaction died with it
    assert db.scalars(select(Case)).all() == []  # no half-registered case
    connection = Redis.from_url(stack.env["REDIS_URL"])
    registry = StartedJobRegistry("inbound", connection=connection)
    assert registry.get_job_ids(cleanup=False)  # RQ still believes it runs
    survivor = stack.start_worker()  # a normal worker, as after a restart
    # Bounded by the promise (a retry within 60 s of the death), not a measurement.
    wait_for(lambda: "lost its worker" in relay_log(stack) or "lost its worker" in stack.worker_logs(),
             60, 0.3, "the dead worker's job to be found by its heartbeat and requeued")
    wait_for(lambda: _message(db, sid(9)).status == "processed", 90, 0.3, "the retried turn")
    wait_for(lambda: any(FOLIO_RE.search(m["body"]) for m in standin.messages(to=f"whatsapp:{PHONE}")[before:]),
             60, 0.3, "the confirmation to be sent")
    wait_for(lambda: Queue("outbound", connection=connection).count == 0
             and Queue("default", connection=connection).count == 0, 30)
    time.sleep(0.5)
    stop_process(survivor)
    _check_one_case_one_reply(db, standin, before)
    requeued = (relay_log(stack) + stack.worker_logs()).count("lost its worker")
    assert requeued == 1, requeued  # retried once
