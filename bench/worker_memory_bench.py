"""Does the in-process worker's memory grow with the jobs it runs (issue 18/22)? The Procfile's
worker (`python -m workers.run_worker … InProcessWorker`) runs every job in one long-lived
process, so anything a job leaves behind (a cache without a bound, an identity map kept alive,
RQ's job objects) stays until the process ends. This runs that worker, with the relay and the
Twilio stand-in, on a real Redis and database, feeds it conversation turns (a new phone's 'hola'
then '¿me cubren el parto?', each turn sending its reply through the stand-in) and samples the
worker process's resident memory (VmRSS, /proc) as the turns go by.

    python bench/worker_memory_bench.py                      # SQLite, 10,000 turns
    BENCH_TURNS=2000 python bench/worker_memory_bench.py
    pg_virtualenv -t -- python bench/worker_memory_bench.py  # PostgreSQL
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, VENV_BIN, Redis, database_url, header, stop_processes, write_section

TURNS = int(os.environ.get("BENCH_TURNS", "10000"))
SAMPLE_EVERY = int(os.environ.get("BENCH_SAMPLE_EVERY", "500"))
BATCH = 100  # turns enqueued at a time: the queue stays short, as in steady operation
BODIES = ("hola", "¿me cubren el parto?")
TOKEN = "bench-auth-token"


def vm(pid: int, field: str) -> float:
    """A /proc/<pid>/status field (VmRSS, VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(db_url: str, instance: Path) -> None:
    os.environ.update(DATABASE_URL=db_url, SINAC_INSTANCE_DIR=str(instance))
    from bot.nlu.engine import train
    from core.db import session_factory
    from core.migrate import upgrade
    from core.seed import seed

    upgrade(db_url)
    train(inst_dir=instance)
    with session_factory(db_url)() as session:
        seed(session)
        session.commit()


def main() -> None:
    from redis import Redis as RedisClient
    from sqlalchemy import func, select

    from bot.inbox import record_inbound
    from core.db import session_factory
    from core.jobs import Job, JobName, QueueName
    from core.models import Message
    from standin.app import StandinServer

    tmp = Path(tempfile.mkdtemp(prefix="sinac-memory-bench-"))
    instance = tmp / "instance"
    instance.mkdir()
    db_url = database_url(tmp)
    prepare(db_url, instance)
    redis = Redis()
    standin = StandinServer(auth_token=TOKEN, callbacks=False).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")}
    env.update(DATABASE_URL=db_url, REDIS_URL=redis.url, SINAC_JOBS="rq", TWILIO_AUTH_TOKEN=TOKEN,
               TWILIO_API_BASE_URL=standin.url, SINAC_INSTANCE_DIR=str(instance), LOG_FORMAT="text",
               PUBLIC_BASE_URL="http://127.0.0.1:9", PYTHONPATH=str(ROOT))
    os.environ.update(env)
    procfile = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    args = [a.replace("${REDIS_URL:-redis://127.0.0.1:6379/0}", redis.url) for a in procfile.split(":", 1)[1].split()]
    procs = []
    samples: list[tuple[int, float, float, float]] = []  # turns, RSS, peak RSS, seconds
    try:
        worker = subprocess.Popen([str(VENV_BIN / "python"), *args[1:]], cwd=ROOT, env=env,
                                  stdout=(tmp / "worker.log").open("w"), stderr=subprocess.STDOUT)
        relay = subprocess.Popen([str(VENV_BIN / "python"), "-m", "workers.relay"], cwd=ROOT, env=env,
                                 stdout=(tmp / "relay.log").open("w"), stderr=subprocess.STDOUT)
        procs = [worker, relay]
        from rq import Worker

        connection = RedisClient.from_url(redis.url)
        deadline = time.monotonic() + 300
        while not Worker.all(connection=connection):  # warmed up and listening
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; see {tmp / 'worker.log'}")
            time.sleep(0.5)
        from workers.dispatch import enqueue_jobs

        Session = session_factory(db_url)
        started = time.monotonic()
        samples.append((0, vm(worker.pid, "VmRSS"), vm(worker.pid, "VmHWM"), 0.0))
        print(f"worker pid {worker.pid}, {samples[0][1]:.1f} MiB after its warm-up; logs in {tmp}", flush=True)
        fed = n = 0
        while fed < TURNS:
            jobs = []
            with Session() as session:
                for _ in range(BATCH // len(BODIES)):
                    n += 1
                    for k, body in enumerate(BODIES):
                        message, _ = record_inbound(session, {
                            "MessageSid": f"SM{n:016d}{k:016d}", "From": f"whatsapp:+52339{n:07d}",
                            "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0",
                            "AccountSid": "AC" + "0" * 32})
                        jobs.append(Job(JobName.PROCESS_INBOUND_MESSAGE, {"message_id": message.id},
                                        QueueName.INBOUND))
                session.commit()
            enqueue_jobs(jobs)
            fed += len(jobs)
            while True:  # the batch processed (the next one is fed when the queue is empty)
                with Session() as session:
                    done = session.scalar(select(func.count()).select_from(Message).where(
                        Message.direction == "inbound", Message.status == "processed"))
                if done >= fed:
                    break
                if worker.poll() is not None:
                    raise SystemExit(f"the worker exited; see {tmp / 'worker.log'}")
                time.sleep(0.2)
            if fed % SAMPLE_EVERY == 0 or fed >= TURNS:
                samples.append((fed, vm(worker.pid, "VmRSS"), vm(worker.pid, "VmHWM"), time.monotonic() - started))
                print(f"  {fed} turns: RSS {samples[-1][1]:.1f} MiB (peak {samples[-1][2]:.1f})", flush=True)
        time.sleep(5)  # the relay's delayed sends, the last callbacks
    finally:
        stop_processes(procs)
        standin.stop()
        redis.stop()

    load = os.getloadavg()[0]
    kind = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    base = samples[0][1]
    marks = sorted({s for s in (1000, 2000, 5000, 10000, TURNS) if s <= TURNS})
    by_turns = {s[0]: s for s in samples}
    rows = ["| turns run | RSS MiB | growth since warm-up MiB | peak RSS MiB | elapsed s |", "|---:|---:|---:|---:|---:|",
            f"| 0 (warmed up) | {base:.1f} | — | {samples[0][2]:.1f} | 0 |"]
    for mark in marks:
        s = by_turns.get(mark) or min(samples, key=lambda x: abs(x[0] - mark))
        rows.append(f"| {s[0]:,} | {s[1]:.1f} | {s[1] - base:+.1f} | {s[2]:.1f} | {s[3]:.0f} |")
    # growth per 1,000 turns over the second half (past the caches' first filling)
    half = [s for s in samples if s[0] >= TURNS // 2]
    slope = (half[-1][1] - half[0][1]) / max((half[-1][0] - half[0][0]) / 1000, 1e-9) if len(half) > 1 else 0.0
    table = "\n".join(rows)
    print(table)
    print(f"second half: {slope:+.2f} MiB per 1,000 turns")
    sent = len(standin.state.messages)
    body = (header("python bench/worker_memory_bench.py" if TURNS == 10000 else
                   f"BENCH_TURNS={TURNS} python bench/worker_memory_bench.py") +
            f"Database: {kind}. Load average (1 min) at the end: {load:.1f}. The Procfile's worker command "
            "(InProcessWorker, one process for every job) with the relay and the Twilio stand-in, on a "
            f"Redis of its own; turns fed {BATCH} at a time (a new phone's 'hola', then '¿me cubren el "
            f"parto?', which registers a case), each reply sent through the stand-in ({sent:,} messages "
            "in all). RSS of the worker process from /proc (its scheduler child apart).\n\n" + table +
            f"\n\nOver the second half of the run: {slope:+.2f} MiB per 1,000 turns.\n")
    write_section(f"worker-memory-{kind.lower()}", f"The in-process worker's memory over many jobs ({kind})", body)


if __name__ == "__main__":
    main()
