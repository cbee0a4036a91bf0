"""Turn benchmark: a signed inbound webhook → the bot's reply posted to the local Twilio
stand-in, through gunicorn + one RQ worker on PostgreSQL + Redis. p50/p95 per turn for a
greeting, a coverage question and every turn of a full cobro form; RSS of web and worker after
warm-up and after the load; a pyinstrument profile of a cobro turn (where the time goes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    VENV_BIN,
    Redis,
    database_url,
    free_port,
    header,
    percentile,
    rss_mb,
    stop_processes,
    wait_port,
    write_section,
)

TOKEN = "bench-auth-token"
PHONES = int(os.environ.get("BENCH_PHONES", "25"))
COBRO = ["me cobraron 350 pesos por la consulta en el centro de salud", "Jalisco", "si"]


class Driver:
    def __init__(self, web_url: str, standin):
        from twilio.request_validator import RequestValidator

        self.url = f"{web_url}/webhooks/twilio"
        self.validator = RequestValidator(TOKEN)
        self.standin = standin
        self.sid = 0
        self.http = requests.Session()

    def turn(self, phone: str, body: str, timeout: float = 60.0) -> float:
        """Milliseconds from posting the webhook to the first reply part at the stand-in."""
        from core.phones import normalize_phone

        to = f"whatsapp:{normalize_phone(phone)}"
        before = len(self.standin.messages(to))
        self.sid += 1
        params = {"MessageSid": f"SMturn{os.getpid()}{self.sid:020d}", "AccountSid": "AC" + "0" * 32,
                  "From": to, "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0"}
        signature = self.validator.compute_signature(self.url, params)
        started = time.perf_counter()
        resp = self.http.post(self.url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)
        resp.raise_for_status()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if len(self.standin.messages(to)) > before:
                elapsed = (time.perf_counter() - started) * 1000
                time.sleep(0.05)  # let the other parts of a multi-part reply land before the next turn
                return elapsed
            time.sleep(0.002)
        raise TimeoutError(f"no reply to {body!r}")


def wait_healthy(base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("web did not become healthy")


def main() -> None:
    from standin.app import StandinServer

    tmp = Path(tempfile.mkdtemp(prefix="sinac-turn-"))
    redis = Redis()
    db_url = database_url(tmp)
    from core.migrate import upgrade

    upgrade(db_url)
    instance = tmp / "instance"
    instance.mkdir()
    from bot.nlu.engine import train

    train(inst_dir=instance)
    standin = StandinServer(auth_token=TOKEN).start()
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, REDIS_URL=redis.url, SINAC_JOBS="rq", TWILIO_AUTH_TOKEN=TOKEN,
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", SINAC_INSTANCE_DIR=str(instance), SECRET_KEY="bench",
               TWILIO_API_BASE_URL=standin.url, LOG_FORMAT="json", WEB_CONCURRENCY="2")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([str(VENV_BIN / "sinac"), "seed"], env=env, check=True, capture_output=True)
    web = subprocess.Popen([str(VENV_BIN / "gunicorn"), "--config", "python:backoffice.gunicorn_conf", "--bind",
                            f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "backoffice.app:create_app()"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker_log = (tmp / "worker.log").open("w")
    worker = subprocess.Popen([str(VENV_BIN / "rq"), "worker", "--worker-class", "workers.worker.SinacWorker",
                               "--url", redis.url, "inbound", "outbound", "default"],
                              env=env, stdout=worker_log, stderr=subprocess.STDOUT)
    print(f"worker log: {tmp / 'worker.log'}", flush=True)
    wait_port(port)
    wait_healthy(f"http://127.0.0.1:{port}")
    driver = Driver(f"http://127.0.0.1:{port}", standin)
    results: dict[str, list[float]] = {"saludo": [], "cobertura": [], "cobro: relato con monto": [],
                                       "cobro: estado": [], "cobro: confirmación SI (registro)": []}
    try:
        driver.turn("+5213300000000", "hola")  # warm-up: loads the NLU model and coverage index in the worker
        driver.turn("+5213300000000", "cubre la cirugia de vesicula?")
        rss_warm = (rss_mb(web.pid), rss_mb(worker.pid))
        for i in range(PHONES):
            phone = f"+52133{10_000_000 + i:08d}"
            results["saludo"].append(driver.turn(phone, "hola buenas tardes"))
            results["cobertura"].append(driver.turn(phone, "me cubre el seguro popular la cirugia de vesicula?"))
            cobro_phone = f"+52134{10_000_000 + i:08d}"
            for key, text in zip(list(results)[2:], COBRO, strict=True):
                results[key].append(driver.turn(cobro_phone, text))
        rss_after = (rss_mb(web.pid), rss_mb(worker.pid))
    finally:
        stop_processes((web, worker), wait=60)
        standin.stop()
        redis.stop()
    profile = profile_turn(db_url, instance)
    lines = ["| turn | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    for key, values in results.items():
        lines.append(f"| {key} | {len(values)} | {percentile(values, .5):.0f} | {percentile(values, .95):.0f} |")
    worst = max(percentile(v, .95) for v in results.values())
    body = header("make bench  (bench/turn_bench.py under pg_virtualenv)")
    body += ("Each turn: signed webhook → gunicorn → Redis → one `rq worker` (one forked work-horse runs the "
             "dialogue and sends the reply) → twilio library → local stand-in; time to the first reply part. "
             "The worker imports every job's modules, loads the NLU model, the coverage index and the "
             "holidays, and initialises the database engine before forking, then freezes its heap "
             "(workers/worker.py).\n\n")
    body += "\n".join(lines) + "\n\n"
    body += (f"- Worst p95: **{worst:.0f} ms** (target ≤ 300 ms).\n"
             f"- RSS after warm-up: web {rss_warm[0]:.0f} MiB, worker {rss_warm[1]:.0f} MiB; after "
             f"{sum(len(v) for v in results.values())} turns: web {rss_after[0]:.0f} MiB, worker "
             f"{rss_after[1]:.0f} MiB.\n")
    if profile:
        body += f"\nWhere the time goes in one cobro turn (pyinstrument, in-process, top frames):\n\n```\n{profile}\n```\n"
    print(body)
    write_section("turn", "Conversation turn", body)


def profile_turn(db_url: str, instance: Path) -> str:
    """Profile the worker's side of one registration turn in-process, after the worker's warm-up."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return ""
    os.environ.update(DATABASE_URL=db_url, SINAC_INSTANCE_DIR=str(instance), SINAC_JOBS="inline")
    from bot.turns import handle_inbound
    from core.config import Settings
    from core.db import session_factory
    from core.models import Contact, Message
    from workers.worker import warm_up

    warm_up()  # as the worker does before forking: the profile shows a turn, not first imports
    settings = Settings.from_env()
    Session = session_factory(db_url)
    with Session() as s:
        contact = Contact(phone="+5213399999999", channel="whatsapp")
        s.add(contact)
        s.commit()
        ids = []
        for body in ["hola", *COBRO]:
            m = Message(contact_id=contact.id, direction="inbound", channel="whatsapp", body=body,
                        status="received", message_sid=f"SMprof{len(ids)}{time.time_ns()}")
            s.add(m)
            s.commit()
            ids.append(m.id)
        for mid in ids[:-1]:
            handle_inbound(s, mid, settings=settings)
            s.commit()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        handle_inbound(s, ids[-1], settings=settings)
        s.commit()
        profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return "\n".join(text.splitlines()[:45])


if __name__ == "__main__":
    main()
