"""Faults in real time on the real stack, under load, each followed by the same accounting:
every message stored once and processed, every reply part and notice handed to Twilio exactly once
and in order per phone, every outbox row done, and the recovery time measured (docs/benchmarks.md
"Faults in real time").

- Redis killed for 60 s while citizens write over WhatsApp and the buzón (a back-office form) takes
  reports with a phone to be told the folio; the scheduler keeps running its cron throughout.
- A worker killed with SIGKILL (it, its horse and its scheduler) in the middle of a turn, then
  restarted 2 s later as systemd would; the other worker keeps going.
- A worker killed with SIGKILL in the middle of sending a reply part: Twilio (the stand-in, holding
  its answer) has accepted the part, the row is still `sending` without a sid. Nobody resends it
  blindly: it is looked up in Twilio's message list and recorded once.
- PostgreSQL restarted under the same load (PostgreSQL run only).
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests
from redis import Redis
from rq.job import Job as RQJob
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.models import Case, Contact, Message, Notification, OutboxJob
from core.notifications import VOLANTE_NUEVO
from tests.faults.conftest import inbound_form, wait_for
from tests.faults.relay_support import (
    FOLIO_RE,
    buzon,
    relay_log,
    start_deployed_worker,
    start_relay,
)
from tests.support.postgres import restart_cluster

OUTAGE_SECONDS = 60
# Citizens starting a conversation per second (two messages each: ~2 messages/s, issue 18's load).
# Keep it under what two workers sustain on the machine, or the backlog grows whatever the fault
# and "recovery" means nothing (two forking workers did not sustain it; InProcessWorker does).
CITIZENS_PER_SECOND = float(os.environ.get("CHAOS_CITIZENS_PER_SECOND", "1"))
BODIES = ("hola", "¿me cubren el parto?")
WORKERS = ("chaos-a", "chaos-b")


# ---- the stack and the load --------------------------------------------------------------------


class Chaos:
    """gunicorn, two Procfile workers, the scheduler and the relay on one Redis."""

    def __init__(self, stack, **worker_env):
        self.stack = stack
        self.worker_env = worker_env
        self.relay = start_relay(stack)
        self.scheduler = stack.start_scheduler()
        self.workers = {name: start_deployed_worker(stack, name, **worker_env) for name in WORKERS}

    def alive(self) -> dict[str, bool]:
        procs = {"relay": self.relay, "scheduler": self.scheduler, "web": self.stack.server, **self.workers}
        return {name: proc.poll() is None for name, proc in procs.items()}

    def restart_worker(self, name: str) -> None:
        self.workers[name] = start_deployed_worker(self.stack, name, **self.worker_env)


class Load:
    """Citizens writing (two messages each, one after the other, as people do) and buzón reports
    with a phone, from threads, until stopped. A webhook that was not acknowledged is posted again,
    as Twilio retries."""

    def __init__(self, stack, *, citizens_per_second: float = CITIZENS_PER_SECOND, buzon_every: float = 6.0):
        self.stack = stack
        self.pause = 1.0 / citizens_per_second
        self.buzon_every = buzon_every
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sids: list[str] = []
        self.buzon_phones: list[str] = []
        self.retries = 0
        self.counter = itertools.count(1)
        self.threads = [threading.Thread(target=self._citizens, daemon=True),
                        threading.Thread(target=self._citizens, daemon=True),
                        threading.Thread(target=self._buzon, daemon=True)]
        self.started = self.finished = 0.0

    def start(self) -> Load:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    @property
    def offered(self) -> float:
        """Messages per second the citizens wrote."""
        return round(len(self.sids) / max((self.finished or time.monotonic()) - self.started, 1e-9), 2)

    def finish(self) -> None:
        self.finished = time.monotonic()
        self.stop.set()
        for thread in self.threads:
            thread.join(120)

    def _post(self, form: dict) -> None:
        while True:  # Twilio retries until acknowledged
            try:
                if self.stack.post_webhook(form, timeout=20).status_code == 200:
                    return
            except requests.RequestException:
                pass
            with self.lock:
                self.retries += 1
            time.sleep(1)

    def _citizens(self) -> None:
        while not self.stop.is_set():
            n = next(self.counter)
            phone = f"+5233177{n:05d}"
            for k, body in enumerate(BODIES):
                sid = f"SM{n:016d}{k:016d}"
                self._post(inbound_form(sid, sender=f"whatsapp:{phone}", body=body))
                with self.lock:
                    self.sids.append(sid)
            self.stop.wait(self.pause * 2)

    def _buzon(self) -> None:
        while not self.stop.wait(self.buzon_every):
            n = next(self.counter)
            phone = f"33188{n:05d}"
            while True:
                try:
                    if buzon(self.stack.base, n, phone) == 302:
                        break
                except (requests.RequestException, AttributeError):
                    pass
                with self.lock:
                    self.retries += 1
                time.sleep(1)
            with self.lock:
                self.buzon_phones.append(phone)


# ---- the accounting -----------------------------------------------------------------------------


def _pending(db) -> dict[str, int]:
    """What is still to do; all zero when the stack has caught up."""
    db.expire_all()
    inbound = db.scalar(select(func.count()).select_from(Message).where(
        Message.direction == "inbound", Message.status != "processed"))
    outbound = db.scalar(select(func.count()).select_from(Message).where(
        Message.direction == "outbound", Message.status.in_(("queued", "sending")), Message.message_sid.is_(None)))
    outbox_open = db.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_(None)))
    return {"inbound": inbound, "outbound": outbound, "outbox": outbox_open}


def _done_rows(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_not(None)))


def _caught_up(db, load: Load) -> bool:
    db.expire_all()
    stored = db.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound"))
    cases = db.scalar(select(func.count()).select_from(Case).where(Case.canal == "buzon"))
    return stored >= len(load.sids) and cases >= len(load.buzon_phones) and not any(_pending(db).values())


def _settle(db, load: Load, since: float, what: str, timeout: float = 600) -> float:
    """Seconds from `since` until everything is done (the recovery time)."""
    wait_for(lambda: _caught_up(db, load), timeout, 0.25, what)
    return round(time.monotonic() - since, 1)


def _account(db, standin, load: Load) -> dict:
    """Exactly once and in order, from the database and what the stand-in received."""
    db.expire_all()
    inbound = db.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert sorted(m.message_sid for m in inbound) == sorted(set(load.sids)), "an inbound message lost or doubled"
    assert {m.status for m in inbound} == {"processed"}
    outbound = db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()
    received = standin.messages()
    by_sid: dict[str, int] = {}
    for message in received:
        by_sid[message["sid"]] = by_sid.get(message["sid"], 0) + 1
    sent = [m for m in outbound if m.message_sid]
    duplicated = sum(count - 1 for count in by_sid.values()) + (len(received) - len(sent))
    unsent = [m.id for m in outbound if not m.message_sid and m.status not in ("suppressed", "failed")]
    failed = [m.id for m in outbound if m.status == "failed"]
    # Twilio got the parts of each reply in the order they were written (parts: consecutive rows of
    # one contact numbered from sequence 0); replies of one phone to each other are counted apart
    arrival = {m["sid"]: i for i, m in enumerate(received)}
    out_of_order = across_replies = 0
    for contact_id in {m.contact_id for m in sent}:
        mine = [m for m in outbound if m.contact_id == contact_id]
        replies: list[list] = []
        for m in mine:
            if not replies or (m.sequence or 0) == 0:
                replies.append([])
            replies[-1].append(m)
        for parts in replies:
            order = [arrival.get(m.message_sid, -1) for m in parts]
            out_of_order += sum(1 for a, b in itertools.pairwise(order) if a > b)
        firsts = [arrival.get(parts[0].message_sid, -1) for parts in replies if parts[0].message_sid]
        across_replies += sum(1 for a, b in itertools.pairwise(firsts) if a > b)
    # notices: each buzón case told its folio once by SMS; the enlace told once per volante
    cases = db.scalars(select(Case).where(Case.canal == "buzon")).all()
    assert len(cases) == len(load.buzon_phones)
    notices_wrong = []
    for case in cases:
        sms = [m for m in received if case.folio in FOLIO_RE.findall(m["body"])]
        if len(sms) != 1:
            notices_wrong.append((case.folio, len(sms)))
    enlace_notices = db.scalars(select(Notification).where(Notification.kind == VOLANTE_NUEVO)).all()
    assert sorted(n.case_id for n in enlace_notices) == sorted(c.id for c in cases)
    figures = {"messages": len(inbound), "replies_sent": len(sent), "buzon_cases": len(cases),
               "lost": len(unsent), "failed": len(failed), "duplicated": duplicated, "out_of_order": out_of_order,
               "replies_overtaken": across_replies, "notices_not_once": len(notices_wrong), "webhook_retries": load.retries,
               "offered_msgs_per_s": load.offered}
    assert (figures["lost"], figures["duplicated"], figures["out_of_order"], figures["notices_not_once"]) == \
        (0, 0, 0, 0), (figures, notices_wrong[:5], unsent[:5])
    return figures


def _start(own_redis, stack_factory, make, **worker_env) -> Chaos:
    make.enlace("14")
    stack = stack_factory(own_redis.url).start_server()
    chaos = Chaos(stack, **worker_env)
    connection = Redis.from_url(own_redis.url)
    wait_for(lambda: {w.name for w in _workers(connection)} >= set(WORKERS), 180, 0.5, "both workers to listen")
    return chaos


@pytest.fixture
def chaos(own_redis, stack_factory, db, make):
    return _start(own_redis, stack_factory, make)


@pytest.fixture
def chaos_twilio_timeout(own_redis, stack_factory, db, make):
    """The workers wait for Twilio as long as production does (TWILIO_TIMEOUT_SECONDS=10, not the
    fault tests' 2 s): a call can be cut short by a kill before it times out."""
    return _start(own_redis, stack_factory, make, TWILIO_TIMEOUT_SECONDS="10")


def _workers(connection):
    from rq import Worker

    return Worker.all(connection=connection)


# ---- the scenarios ------------------------------------------------------------------------------


def test_redis_down_60_s_under_webhooks_buzon_and_cron(chaos, own_redis, db, standin, record):
    load = Load(chaos.stack).start()
    time.sleep(10)
    own_redis.kill()
    killed = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    during = {"messages": len(load.sids), "buzon": len(load.buzon_phones)}
    assert all(chaos.alive().values()), chaos.alive()  # nobody exited during the outage
    done_before = _done_rows(db)
    own_redis.start()  # back, empty
    back = time.monotonic()
    load.finish()
    wait_for(lambda: _done_rows(db) > done_before, 120, 0.1, "work to resume")
    resumed = round(time.monotonic() - back, 1)
    backlog = _pending(db)
    recovery = _settle(db, load, back, "the stack to catch up after Redis came back")
    figures = _account(db, standin, load)
    assert all(chaos.alive().values()), chaos.alive()
    wait_for(lambda: "Redis is back" in chaos.stack.scheduler_log(), 60, 0.5, "the scheduler to reconnect")
    record("redis_down_60s", outage_s=round(back - killed, 1), resumed_after_s=resumed, recovery_s=recovery,
           backlog_at_return=backlog, load_average=os.getloadavg()[0],
           stored_during_outage=during, relay_enqueued="relay enqueued" in relay_log(chaos.stack), **figures)


def test_worker_killed_mid_turn(chaos, own_redis, db, standin, record):
    connection = Redis.from_url(own_redis.url)
    load = Load(chaos.stack).start()
    time.sleep(8)
    victim, job_id = wait_for(lambda: _busy_on_inbound(connection, db), 60, 0.02, "a worker in the middle of a turn")
    row = int(job_id.split("-", 1)[1])
    _kill_tree(chaos.workers[victim].pid)
    killed, killed_wall = time.monotonic(), time.time()
    message_id = db.get(OutboxJob, row).kwargs["message_id"]
    mid_turn = db.get(Message, message_id, populate_existing=True).status != "processed"  # not committed
    time.sleep(2)  # systemd's RestartSec
    chaos.restart_worker(victim)
    wait_for(lambda: db.get(Message, message_id, populate_existing=True).status == "processed", 120, 0.1,
             "the killed turn to be retried")
    retried = round(time.monotonic() - killed, 1)
    time.sleep(5)
    load.finish()
    recovery = _settle(db, load, killed, "the stack to catch up after the kill")
    figures = _account(db, standin, load)
    logs = relay_log(chaos.stack) + chaos.stack.worker_logs()
    requeued = logs.count(f"job {job_id} lost its worker")
    assert requeued == 1, requeued
    requeued_at = _logged_at(logs, f"job {job_id} lost its worker")
    record("worker_kill_9_mid_turn", killed_job=job_id, killed_before_the_turn_committed=mid_turn,
           load_average=os.getloadavg()[0], requeued_after_s=round(requeued_at - killed_wall, 1),
           processed_after_s=retried, recovery_s=recovery, requeued_by_heartbeat=requeued, **figures)


def test_worker_killed_mid_send(chaos_twilio_timeout, own_redis, db, standin, record):
    chaos = chaos_twilio_timeout
    connection = Redis.from_url(own_redis.url)
    load = Load(chaos.stack).start()
    time.sleep(8)
    before = len(standin.messages())
    # Twilio takes the next WhatsApp part and holds its answer for a minute (longer than the call
    # waits): the worker is inside the call, the part accepted, its row `sending` without a sid
    standin.fail(1, "hold", delay=60, match="whatsapp")
    held, part = wait_for(lambda: _held_part(standin, db, before), 60, 0.05, "a reply part held at Twilio")
    victim, job_id = wait_for(lambda: _sending_to(connection, db, held["to"]), 5, 0.02,
                              "the worker calling Twilio for it")
    _kill_tree(chaos.workers[victim].pid)
    killed = time.monotonic()
    assert db.get(Message, part.id, populate_existing=True).message_sid is None
    time.sleep(2)  # systemd's RestartSec
    chaos.restart_worker(victim)
    wait_for(lambda: db.get(Message, part.id, populate_existing=True).message_sid, 120, 0.2,
             "the part left sending to be resolved")
    resolved = round(time.monotonic() - killed, 1)
    assert db.get(Message, part.id).message_sid == held["sid"]  # recorded as Twilio has it, not sent again
    time.sleep(5)
    load.finish()
    recovery = _settle(db, load, killed, "the stack to catch up after the kill")
    figures = _account(db, standin, load)
    logs = relay_log(chaos.stack) + chaos.stack.worker_logs()
    found = logs.count("outbound found at twilio after an interrupted call")
    assert found >= 1, "the part was not looked up at Twilio"
    record("worker_kill_9_mid_send", killed_job=job_id, load_average=os.getloadavg()[0],
           part_resolved_after_s=resolved, found_at_twilio=found, recovery_s=recovery, **figures)


def test_postgres_restarted_under_load(chaos, database_url, db, standin, record):
    cluster = _cluster(database_url)
    if cluster is None:
        pytest.skip("PostgreSQL only (its cluster is restarted): the PostgreSQL run of make chaos")
    load = Load(chaos.stack).start()
    time.sleep(10)
    started = time.monotonic()
    restart_cluster(*cluster)
    restarted = time.monotonic()
    time.sleep(15)
    load.finish()
    recovery = _settle(db, load, restarted, "the stack to catch up after the restart")
    figures = _account(db, standin, load)
    assert all(chaos.alive().values()), chaos.alive()
    record("postgres_restart", restart_s=round(restarted - started, 1), recovery_s=recovery,
           load_average=os.getloadavg()[0], **figures)


# ---- helpers --------------------------------------------------------------------------------------


def _busy_on_inbound(connection, db):
    """(worker name, job id) of one of ours running, right now, the turn of a citizen's last
    message (nothing later from that phone would process it on the way: only the heartbeat can)."""
    registry = StartedJobRegistry("inbound", connection=connection)
    for job_id in registry.get_job_ids(cleanup=False):
        job = RQJob.fetch(job_id, connection=connection)
        if job.worker_name not in WORKERS or job.get_status() != "started" or not job_id.startswith("outbox-"):
            continue
        message = db.get(Message, job.kwargs.get("message_id"), populate_existing=True)
        if message is not None and message.status != "processed" \
                and message.message_sid.endswith(f"{len(BODIES) - 1:016d}"):
            return job.worker_name, job_id
    return None


def _held_part(standin, db, before: int):
    """(the stand-in's message, our row) of the part Twilio is holding: taken by the stand-in
    since `before`, and `sending` without a sid for over a second (others get theirs at once)."""
    from datetime import timedelta

    from core.timeutil import now

    taken = standin.messages()[before:]
    db.expire_all()
    rows = db.scalars(select(Message).where(Message.direction == "outbound", Message.status == "sending",
                                            Message.message_sid.is_(None))).all()
    for row in rows:
        if row.status_at is None or now() - row.status_at < timedelta(seconds=1):
            continue
        address = f"whatsapp:{db.get(Contact, row.contact_id).phone}"
        for message in taken:
            if message["to"] == address and message["body"] == row.body:
                return message, row
    return None


def _sending_to(connection, db, address: str):
    """(worker name, job id) of our job that handles the phone at `address` right now: the one
    inside the held call."""
    phone = address.split(":", 1)[1]
    for queue in ("inbound", "outbound", "default"):
        for job_id in StartedJobRegistry(queue, connection=connection).get_job_ids(cleanup=False):
            job = RQJob.fetch(job_id, connection=connection)
            if job.worker_name not in WORKERS:
                continue
            ids = job.kwargs.get("message_ids") or [job.kwargs.get("message_id")]
            contacts = {m.contact_id for m in db.scalars(select(Message).where(Message.id.in_([i for i in ids if i])))}
            if contacts & {c.id for c in db.scalars(select(Contact).where(Contact.phone == phone))}:
                return job.worker_name, job_id
    return None


def _logged_at(text: str, needle: str) -> float | None:
    """Wall-clock time of the first log line holding `needle` (our log format's timestamp)."""
    import datetime as dt

    for line in text.splitlines():
        if needle in line:
            stamp = dt.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
            return stamp.replace(tzinfo=dt.UTC).timestamp()
    return None


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker, its work horse (own process group) and its scheduler process."""
    children = subprocess.run(["pgrep", "-P", str(pid)], check=False, capture_output=True, text=True).stdout.split()
    for child in children:
        try:
            os.kill(int(child), signal.SIGKILL)
        except ProcessLookupError:
            pass
    os.killpg(pid, signal.SIGKILL)


def _cluster(database_url: str) -> tuple[str, str] | None:
    if not database_url.startswith("postgresql") or shutil.which("pg_lsclusters") is None:
        return None
    port = make_url(database_url).port or 5432
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == str(port):
            return parts[0], parts[1]
    return None
