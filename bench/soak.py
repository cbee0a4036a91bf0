"""Soak: the whole stack (gunicorn + rq workers + Redis + the Twilio stand-in, PostgreSQL under
pg_virtualenv or SQLite) fed signed WhatsApp webhooks at a steady rate for 30 minutes, watching
the memory of every process, the backlog, errors and what was lost or doubled.

    python bench/soak.py                      # 30 minutes at 2 messages/s
    python bench/soak.py --minutes 2 --rate 5 # a short run
    pg_virtualenv -t -- python bench/soak.py  # on PostgreSQL

A script, not a test: it stops by itself (the duration, then at most --drain seconds waiting for
the queues to empty), only ever talks to 127.0.0.1, prints its figures and writes the `soak`
section of docs/benchmarks.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    VENV_BIN,
    Redis,
    database_url,
    free_port,
    header,
    percentile,
    rss_mb,
    wait_healthy,
    write_section,
)

TOKEN = "soak-auth-token"
LOOPBACK = "127.0.0.1"
# A conversation per phone, cycled: greeting, a complaint with everything, confirmation, a
# coverage question, a folio question, an opt-out and back.
SCRIPT = ["hola", "me cobraron 150 en el centro de salud de Zapopan", "SI", "¿cubren la diabetes?",
          "quiero saber de mi folio", "gracias", "BAJA", "ALTA"]


def _loopback(url: str) -> str:
    host = urlparse(url).hostname
    if host != LOOPBACK:
        raise SystemExit(f"soak: refusing to target {host!r}; only {LOOPBACK} is allowed")
    return url


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=2.0, help="webhooks per second (steady)")
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="rq worker processes")
    parser.add_argument("--worker-class", default="workers.worker.SinacWorker", help="as in the Procfile by default")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between memory samples")
    parser.add_argument("--drain", type=float, default=300.0, help="max seconds to wait for the backlog")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    import requests
    from redis import Redis as RedisClient
    from rq import Queue
    from sqlalchemy import func, select
    from twilio.request_validator import RequestValidator

    from core.db import session_factory
    from core.migrate import upgrade
    from core.models import Message
    from standin import StandinServer

    tmp = Path(tempfile.mkdtemp(prefix="sinac-soak-"))
    redis = Redis()
    db_url = database_url(tmp)
    upgrade(db_url)
    standin = StandinServer(auth_token=TOKEN, callbacks=True, host=LOOPBACK).start()
    port = free_port()
    base = _loopback(f"http://{LOOPBACK}:{port}")
    _loopback(standin.url)
    _loopback(redis.url)
    (tmp / "prom").mkdir()
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis.url, SINAC_JOBS="rq", TWILIO_AUTH_TOKEN=TOKEN,
               TWILIO_API_BASE_URL=standin.url, PUBLIC_BASE_URL=base, SINAC_INSTANCE_DIR=str(tmp / "instance"),
               SECRET_KEY="soak", LOG_FORMAT="text", PROMETHEUS_MULTIPROC_DIR=str(tmp / "prom"),
               WEBHOOK_RATE_LIMIT="100000 per minute", PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
    env.pop("TEST_DATABASE_URL", None)
    # Seed the enlaces so complaints are turned to a state.
    subprocess.run([str(VENV_BIN / "sinac"), "seed"], cwd=ROOT, env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    procs: dict[str, subprocess.Popen] = {}
    started = time.monotonic()
    try:
        procs["web"] = _start([str(VENV_BIN / "gunicorn"), "--config", "python:backoffice.gunicorn_conf", "--bind",
                               f"{LOOPBACK}:{port}", "--access-logfile", "/dev/null", "backoffice.app:create_app()"],
                              env, tmp / "web.log")
        wait_healthy(base)
        for n in range(args.workers):
            cmd = [str(VENV_BIN / "rq"), "worker", "--url", redis.url, "--worker-ttl", "60", "--name", f"soak-{n}"]
            cmd += ["--with-scheduler"] if n == 0 else []
            cmd += ["--worker-class", args.worker_class] if args.worker_class else []
            procs[f"worker{n}"] = _start([*cmd, "inbound", "outbound", "default"], env, tmp / f"worker{n}.log")

        validator = RequestValidator(TOKEN)
        url = base + "/webhooks/twilio"
        codes: Counter = Counter()
        latencies: list[float] = []
        lock = threading.Lock()
        sent_sids: list[str] = []
        counter = itertools.count()

        def post_one(n: int) -> None:
            phone = f"+5233{n % args.phones:08d}"
            body = SCRIPT[(n // args.phones) % len(SCRIPT)]
            sid = f"SM{n:032d}"
            form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
                    "From": f"whatsapp:{phone}", "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0"}
            t0 = time.perf_counter()
            try:
                code = requests.post(url, data=form, timeout=30,
                                     headers={"X-Twilio-Signature": validator.compute_signature(url, form)}).status_code
            except requests.RequestException:
                code = 0
            with lock:
                codes[code] += 1
                latencies.append(time.perf_counter() - t0)
                sent_sids.append(sid)

        samples: list[tuple[float, dict[str, float], int]] = []
        connection = RedisClient.from_url(redis.url)

        def backlog() -> int:
            return sum(Queue(q, connection=connection).count for q in ("inbound", "outbound", "default"))

        def sample() -> None:
            mem = {name: rss_mb(p.pid) for name, p in procs.items() if p.poll() is None}
            samples.append((time.monotonic() - started, mem, backlog()))
            print(f"  t={samples[-1][0]:7.0f}s  " + "  ".join(f"{k}={v:6.1f}MiB" for k, v in mem.items())
                  + f"  backlog={samples[-1][2]}  codes={dict(codes)}", flush=True)

        print(f"soak: {args.minutes} min at {args.rate}/s on {db_url.split(':')[0]}, logs in {tmp}", flush=True)
        sample()
        end = time.monotonic() + args.minutes * 60
        interval = 1.0 / args.rate
        next_at = time.monotonic()
        next_sample = time.monotonic() + args.sample
        threads: list[threading.Thread] = []
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_at:
                thread = threading.Thread(target=post_one, args=(next(counter),), daemon=True)
                thread.start()
                threads.append(thread)
                next_at += interval
            if now >= next_sample:
                sample()
                next_sample += args.sample
                threads = [t for t in threads if t.is_alive()]
            time.sleep(min(0.01, max(0.0, next_at - time.monotonic())))
        for thread in threads:
            thread.join(35)
        drain_end = time.monotonic() + args.drain
        while backlog() and time.monotonic() < drain_end:
            time.sleep(2)
        sample()

        session = session_factory(db_url)()
        inbound = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound"))
        unprocessed = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "inbound", Message.status != "processed"))
        outbound_failed = session.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "outbound", Message.status.in_(["failed", "undelivered"])))
        outbound = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "outbound"))
        session.close()
        accepted = codes.get(200, 0)
        first, last = samples[1] if len(samples) > 2 else samples[0], samples[-1]
        growth = {k: last[1].get(k, 0) - first[1].get(k, 0) for k in last[1]}
        lines = [
            header("python bench/soak.py " + " ".join(argv or sys.argv[1:])),
            (f"- {len(sent_sids)} webhooks in {args.minutes:g} min at {args.rate:g}/s from {args.phones} phones; "
            f"HTTP codes {dict(codes)}; latency p50 {percentile(latencies, .5) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, .99) * 1000:.0f} ms."),
            (f"- Stored inbound: {inbound} (acknowledged {accepted}); not processed after the drain: {unprocessed}; "
            f"outbound {outbound}, failed {outbound_failed}; backlog at the end: {last[2]}."),
            "- Memory (RSS, MiB, process + children) after the first sample → at the end: "
            + ", ".join(f"{k} {first[1].get(k, 0):.0f} → {last[1].get(k, 0):.0f} ({growth[k]:+.0f})" for k in last[1])
            + ".",
            "",
            "| t (s) | " + " | ".join(last[1]) + " | backlog |",
            "|---|" + "---|" * (len(last[1]) + 1),
        ]
        lines += [f"| {t:.0f} | " + " | ".join(f"{mem.get(k, 0):.0f}" for k in last[1]) + f" | {b} |"
                  for t, mem, b in samples]
        report = "\n".join(lines) + "\n"
        print(report)
        if not args.no_write:
            write_section("soak", "Soak: steady webhook rate, memory over time", report)
    finally:
        for proc in procs.values():
            _stop(proc)
        standin.stop()
        redis.stop()


if __name__ == "__main__":
    main()
