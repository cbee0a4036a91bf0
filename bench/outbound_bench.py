"""Outbound wave benchmark: 10,000 notices (one per phone, SMS) drained by several `rq worker`
processes through the twilio library to the local Twilio stand-in, at the SMS sender's configured pace (OUTBOUND_SMS_PER_SECOND, shared through
Redis by bot/pacing.py). On the way: 10 % of the jobs enqueued twice (a retry, a sweep) and
bursts of 429s from "Twilio". Figures from the stand-in's own receipt times: the drain time and
rate, the most messages in any window against the pace's bound, lost and doubled notices.

    pg_virtualenv -t -- python bench/outbound_bench.py      (BENCH_NOTICES, BENCH_RATE, BENCH_WORKERS)

The workers are non-forking (rq.worker.SimpleWorker) by default: the Procfile's SinacWorker forks
a work-horse per job, with new PostgreSQL, Redis and HTTPS connections each time, which on a
loaded 2-core machine made a 10,000-notice wave take about an hour (2.6 msg/s);
BENCH_WORKER_CLASS=workers.worker.SinacWorker measures it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import VENV_BIN, Redis, database_url, header, stop_processes, write_section

NOTICES = int(os.environ.get("BENCH_NOTICES", "10000"))
RATE = float(os.environ.get("BENCH_RATE", "100"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "rq.worker.SimpleWorker")
THROTTLES = (10, 10)  # 429s answered at the start and again halfway
TOKEN = "bench-auth-token"
WINDOWS = (0.1, 1.0, 10.0)  # seconds
SECTION = os.environ.get("BENCH_SECTION", "outbound")


def max_in_window(times: list[float], width: float) -> int:
    """The most receipts in any interval of `width` seconds (two pointers over sorted times)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > width:
            start += 1
        best = max(best, end - start + 1)
    return best


def seed(db_url: str, instance: Path) -> list[dict]:
    """Migrate, store the notices (as notify jobs do: queue_notification, one per phone) and
    return their send jobs' arguments."""
    os.environ.update(DATABASE_URL=db_url, SINAC_INSTANCE_DIR=str(instance), SINAC_JOBS="rq")
    from bot.outbound.queueing import queue_notification
    from core.config import Settings
    from core.db import session_factory
    from core.migrate import upgrade
    from core.models import Contact

    upgrade(db_url)
    settings = Settings.from_env()
    session = session_factory(db_url)()
    contacts = [Contact(phone=f"+5255{10000000 + n}", channel="sms", estado_clave="09") for n in range(NOTICES)]
    session.add_all(contacts)
    session.flush()
    jobs = []
    for n, contact in enumerate(contacts):
        jobs += queue_notification(session, contact, f"SINAC: tu caso SINAC-2026-{n:06d} cambió de estado. "
                                   "Responde a este mensaje si tienes dudas.", template_vars={}, settings=settings)
    session.commit()
    session.close()
    return [job.kwargs for job in jobs]


def main() -> None:
    from redis import Redis as RedisClient
    from rq import Queue

    from standin.app import StandinServer

    tmp = Path(tempfile.mkdtemp(prefix="sinac-outbound-bench-"))
    instance = tmp / "instance"
    instance.mkdir()
    redis = Redis()
    standin = StandinServer(auth_token=TOKEN).start()
    db_url = database_url(tmp)
    workers = []
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        kwargs = seed(db_url, instance)
        seeding = time.perf_counter() - started
        env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis.url, SINAC_JOBS="rq", TWILIO_AUTH_TOKEN=TOKEN,
                   TWILIO_API_BASE_URL=standin.url, SINAC_INSTANCE_DIR=str(instance), LOG_FORMAT="text",
                   OUTBOUND_SMS_PER_SECOND=str(RATE), PUBLIC_BASE_URL="http://127.0.0.1:9")
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        # the worker's warm-up loads the NLU model: train it once, not in every worker at once
        subprocess.run([sys.executable, "-c", "from bot.nlu import get_parser; get_parser().parse('hola')"],
                       env=env, check=True, capture_output=True)
        connection = RedisClient.from_url(redis.url)
        queue = Queue("default", connection=connection)
        with connection.pipeline() as pipe:
            for n, job in enumerate(kwargs):
                queue.enqueue("workers.tasks.send_outbound", kwargs=job, pipeline=pipe)
                if n % 10 == 0:  # a tenth of the jobs twice
                    queue.enqueue("workers.tasks.send_outbound", kwargs=job, pipeline=pipe)
            pipe.execute()
        standin.fail(THROTTLES[0], "429", code=20429, message="Too Many Requests")
        for n in range(WORKERS):
            log = (tmp / f"worker{n}.log").open("w")
            workers.append(subprocess.Popen(
                [str(VENV_BIN / "rq"), "worker", "--worker-class", WORKER_CLASS, "--url", redis.url,
                 "outbound", "inbound", "default"], env=env, stdout=log, stderr=subprocess.STDOUT))
        print(f"{NOTICES} notices, {len(kwargs) + len(kwargs[::10])} jobs, {WORKERS} workers, rate {RATE}/s; "
              f"logs in {tmp}", flush=True)
        halfway = False
        while True:
            count = len(standin.state.messages)
            if not halfway and count >= NOTICES // 2:
                standin.fail(THROTTLES[1], "429", code=20429, message="Too Many Requests")
                halfway = True
            if count >= NOTICES and queue.count == 0 and not any(
                    Queue(name, connection=connection).started_job_registry.count
                    for name in ("outbound", "default")):
                break  # all received, nothing left queued or running (duplicates included)
            if all(proc.poll() is not None for proc in workers):
                raise SystemExit("every worker exited before the wave was drained")
            print(f"  {count} received", flush=True)
            time.sleep(5)
    finally:
        stop_processes(workers)
        standin.stop()
        redis.stop()

    load_after = os.getloadavg()[0]
    received = standin.messages()
    times = sorted(m["received_at"] for m in received)
    per_phone = Counter(m["to"] for m in received)
    lost = NOTICES - len(per_phone)
    doubled = sum(1 for c in per_phone.values() if c > 1)
    drain = times[-1] - times[0]
    achieved = (len(times) - 1) / drain if drain else float("nan")
    burst = max(1.0, RATE * 0.1)
    rows = "\n".join(f"| {w:g} s | {max_in_window(times, w):,} | {burst + RATE * w:,.0f} |" for w in WINDOWS)
    throttled = standin.state.calls - len(received)
    backend = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"

    overrides = " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_"))
    body = header(f"{overrides + ' ' if overrides else ''}pg_virtualenv -t -- python bench/outbound_bench.py")
    body += (f"{NOTICES:,} notices (one per phone, SMS, stored through `queue_notification` on {backend}: "
             f"{seeding:.0f} s), {len(kwargs) + len(kwargs[::10]):,} send jobs (a tenth enqueued twice) on the "
             f"`default` queue, {WORKERS} `rq worker --worker-class {WORKER_CLASS}` processes, the twilio "
             f"library → the stand-in; OUTBOUND_SMS_PER_SECOND={RATE:g} (burst {burst:g}); "
             f"{throttled} answers 429 injected ({THROTTLES[0]} at the start, {THROTTLES[1]} halfway). "
             f"Times are the stand-in's receipt times. Load average {load_before:.1f} before, "
             f"{load_after:.1f} after (a shared machine).\n\n")
    body += (f"- drained **{len(received):,}** messages in **{drain:.1f} s**: **{achieved:.1f} msg/s** against "
             f"the configured {RATE:g}/s (ideal {(NOTICES - burst) / RATE:.1f} s)\n"
             f"- lost **{lost}**, doubled **{doubled}**; every 429 tried again "
             f"({standin.state.calls:,} calls = {len(received):,} accepted + {throttled} refused)\n\n"
             "| window | most messages received in any such window | bound of the pace (burst + rate × window) |\n"
             "| --- | ---: | ---: |\n" + rows + "\n")
    print(body)
    title = "Outbound wave (paced sending)" + ("" if SECTION == "outbound" else f", {SECTION}")
    write_section(SECTION, title, body)


if __name__ == "__main__":
    main()
