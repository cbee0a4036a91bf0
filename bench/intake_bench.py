"""Intake benchmark: gunicorn serving the real app (PostgreSQL + Redis) under wrk with
pre-signed Twilio webhooks, at rising load up to saturation, beside a bare Flask endpoint served
with the same gunicorn settings. Run: `make bench` or
`pg_virtualenv -- python bench/intake_bench.py` (SQLite without pg_virtualenv).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    VENV_BIN,
    Redis,
    database_url,
    free_port,
    header,
    rss_mb,
    wait_healthy,
    wait_port,
    write_section,
)

TOKEN = "bench-auth-token"
LEVELS = [(1, 0), (4, 0), (16, 0), (64, 0)]  # (connections, delay ms) closed loop
DURATION = int(os.environ.get("BENCH_SECONDS", "8"))


def signed_requests(path: Path, base_url: str, count: int) -> None:
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    url = f"{base_url}/webhooks/twilio"
    rnd = random.Random(7)
    bodies = ["hola", "me cobraron 350 en el centro de salud", "quiero poner una queja", "mi folio 2026 123",
              "cubre el seguro popular la cirugia de vesicula?", "gracias"]
    with path.open("w") as fh:
        for i in range(count):
            params = {
                "MessageSid": f"SMbench{i:026d}",
                "AccountSid": "AC" + "0" * 32,
                "From": f"whatsapp:+52155{rnd.randrange(10**7, 10**8)}",
                "To": "whatsapp:+15550000000",
                "Body": rnd.choice(bodies),
                "NumMedia": "0",
                "ProfileName": "Bench",
            }
            signature = validator.compute_signature(url, params)
            fh.write(f"{signature}\t{urlencode(params)}\n")


def gunicorn(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--config", "python:backoffice.gunicorn_conf",
                             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", app_spec],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    wait_healthy(f"http://127.0.0.1:{port}")
    return proc


def wrk(port: int, requests_file: Path, offset: int, connections: int, delay_ms: int) -> dict:
    threads = min(2, connections)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{DURATION}s", "--latency",
                          "-s", str(Path(__file__).with_name("webhook.lua")), f"http://127.0.0.1:{port}",
                          "--", str(requests_file), str(offset), str(threads), str(delay_ms)],
                         capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of the gunicorn master's worker processes so far (Linux /proc)."""
    total = 0
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def run_levels(port, requests_file, levels, offset=0, quiet=False, server_pid=None):
    rows = []
    for connections, delay_ms in levels:
        cpu_before = workers_cpu_seconds(server_pid) if server_pid else None
        result = wrk(port, requests_file, offset, connections, delay_ms)
        if server_pid:  # the web workers' CPU per request: what the load on the machine changes least
            result["cpu_ms"] = (workers_cpu_seconds(server_pid) - cpu_before) / max(result["requests"], 1) * 1000
        offset = max(offset + result["requests"], result["next_offset"]) + 100
        result.update(connections=connections, delay_ms=delay_ms, load=os.getloadavg()[0])
        rows.append(result)
        if quiet:
            continue
        cpu = f" web-cpu={result['cpu_ms']:5.2f}ms/req" if "cpu_ms" in result else ""
        print(f"  c={connections:<3} delay={delay_ms:<3}ms rps={result['rps']:8.1f} p50={result['p50_us']/1000:6.2f}ms "
              f"p99={result['p99_us']/1000:6.2f}ms errors={result['errors']}{cpu} load={result['load']:.1f}", flush=True)
    return rows, offset


def main() -> None:
    load_before = os.getloadavg()[0]  # other jobs on the machine, before this script adds its own
    tmp = Path(tempfile.mkdtemp(prefix="sinac-bench-"))
    redis = Redis()
    db_url = database_url(tmp)
    from core.migrate import upgrade

    upgrade(db_url)
    port, bare_port = free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis.url, SINAC_JOBS="rq", TWILIO_AUTH_TOKEN=TOKEN,
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", SINAC_INSTANCE_DIR=str(tmp / "instance"),
               SECRET_KEY="bench", LOG_FORMAT="json", WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
               PROMETHEUS_MULTIPROC_DIR=str(tmp / "prom"))
    (tmp / "prom").mkdir()
    requests_file = tmp / "requests.tsv"
    signed_requests(requests_file, f"http://127.0.0.1:{port}", int(os.environ.get("BENCH_REQUESTS", "300000")))
    web = gunicorn("backoffice.app:create_app()", port, env)
    bare = gunicorn("bench.bare_app:create_app()", bare_port, dict(env, PYTHONPATH=str(Path(__file__).parents[1])))
    try:
        # Warm-up (discarded): each gunicorn worker's first requests pay for lazy imports and the
        # first database and Redis connections.
        _, offset = run_levels(port, requests_file, [(8, 0)], 0, quiet=True)
        _, _ = run_levels(bare_port, requests_file, [(8, 0)], 0, quiet=True)
        from sqlalchemy import func, select

        from core.db import make_engine
        from core.models import Message

        engine = make_engine(db_url)
        with engine.connect() as conn:  # the warm-up's messages are not part of the count below
            stored_before = conn.scalar(select(func.count()).select_from(Message))
        print("SINAC webhook:")
        ours, offset = run_levels(port, requests_file, LEVELS, offset, server_pid=web.pid)
        # A paced run near the target rate: 30 connections each waiting 100 ms ≈ 300 msg/s.
        paced, offset = run_levels(port, requests_file, [(30, 100)], offset, server_pid=web.pid)
        print("bare Flask:")
        baseline, _ = run_levels(bare_port, requests_file, LEVELS, server_pid=bare.pid)
        load_after = os.getloadavg()[0]
        rss_web = rss_mb(web.pid)
        with engine.connect() as conn:
            stored = conn.scalar(select(func.count()).select_from(Message)) - stored_before
        # 200 answers counted by the Lua response() hook (wrk's summary also counts requests that
        # timed out on the client, and a request in flight when the run ends may still be stored).
        sent_ok = sum(r["ok"] for r in ours + paced)
        timeouts = sum(r["timeouts"] for r in ours + paced)
    finally:
        web.terminate()
        bare.terminate()
        redis.stop()
    best, best_bare = max(r["rps"] for r in ours), max(r["rps"] for r in baseline)
    lines = ["| server | connections | pacing | msg/s | p50 ms | p99 ms | errors | web CPU ms/req | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, rows in (("SINAC webhook", ours + paced), ("bare Flask", baseline)):
        for r in rows:
            pacing = f"{r['delay_ms']} ms/req" if r["delay_ms"] else "closed loop"
            lines.append(f"| {name} | {r['connections']} | {pacing} | {r['rps']:.0f} | {r['p50_us']/1000:.2f} | "
                         f"{r['p99_us']/1000:.2f} | {r['errors']} | {r.get('cpu_ms', float('nan')):.2f} | "
                         f"{r['load']:.1f} |")
    p = paced[0]
    body = header("make bench  (bench/intake_bench.py under pg_virtualenv)")
    body += (f"Load average (1 min) {load_before:.1f} before the script started, {load_after:.1f} at the end "
             "of the runs (wrk, gunicorn, PostgreSQL and Redis share the cores with whatever else runs).\n\n")
    body += "\n".join(lines) + "\n\n"
    body += (f"- Saturation throughput: SINAC **{best:.0f} msg/s** (target ≥ 1,500), bare Flask {best_bare:.0f} "
             f"req/s in the same run → ratio **{best / best_bare:.2f}**.\n"
             f"- Paced run (~{p['rps']:.0f} msg/s): p99 **{p['p99_us']/1000:.1f} ms** (target ≤ 50 ms at 300 msg/s).\n"
             f"- Stored messages {stored}, acknowledged (200) webhooks {sent_ok}: "
             f"{'nothing lost' if stored >= sent_ok else f'MISMATCH: {sent_ok - stored} acknowledged but not stored'}"
             f"{f' ({stored - sent_ok} stored but unanswered when wrk stopped: in flight)' if stored > sent_ok else ''}"
             f"{f'; {timeouts} client-side timeouts' if timeouts else ''}.\n"
             f"- Web RSS after the load: {rss_web:.0f} MiB (gunicorn master + workers).\n"
             f"- Database: {'PostgreSQL' if db_url.startswith('postgresql') else 'SQLite'}; "
             f"gunicorn {env['WEB_CONCURRENCY']} workers × {env.get('WEB_THREADS', '4')} threads.\n"
             "- web CPU ms/req: the gunicorn workers' user + system CPU over the level's requests (the "
             "load on the machine changes it least); load: 1-minute load average at the level's end.\n")
    print(body)
    write_section("intake", "Intake (Twilio webhook)", body)


if __name__ == "__main__":
    main()
