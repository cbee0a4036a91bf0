"""The relay process (`python -m workers.relay`, the Procfile's `relay:`) for fault tests, started
beside a Stack's gunicorn and workers, and helpers to read what the stack did."""

from __future__ import annotations

import re
import subprocess
import sys

import requests
from sqlalchemy import func, select

from core.models import Notification, OutboxJob
from tests.faults.conftest import ROOT

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
FOLIO_RE = re.compile(r"SINAC-\d{4}-\d{6}")


def start_relay(stack, **env) -> subprocess.Popen:
    """Stopped with the stack's other processes."""
    proc = subprocess.Popen([sys.executable, "-m", "workers.relay"], cwd=ROOT, env={**stack.env, **env},
                            stdout=stack._log("relay.log"), stderr=subprocess.STDOUT, start_new_session=True)
    stack.workers.append(proc)
    stack.relay = proc
    return proc


def start_deployed_worker(stack, name: str, **env) -> subprocess.Popen:
    """The Procfile's worker command (`python -m workers.run_worker …`, SinacWorker, forking), on
    the stack's Redis; stopped with the stack."""
    from tests.faults.conftest import BIN

    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    args = line.split(":", 1)[1].split()
    assert args[:3] == ["python", "-m", "workers.run_worker"], line
    args = [a.replace("${REDIS_URL:-redis://127.0.0.1:6379/0}", stack.env["REDIS_URL"]) for a in args[3:]]
    proc = subprocess.Popen([str(BIN / "python"), "-m", "workers.run_worker", "--name", name, *args], cwd=ROOT,
                            env={**stack.env, **env}, stdout=stack._log(f"worker-{name}.log"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    stack.workers.append(proc)
    return proc


def relay_log(stack) -> str:
    path = stack.logs / "relay.log"
    return path.read_text(errors="replace") if path.exists() else ""


def buzon(base: str, n: int, phone: str) -> int:
    """A citizen's buzón submission with a phone to be told the folio (status code returned)."""
    with requests.Session() as http:
        headers = {"X-Forwarded-For": f"10.8.{n // 250}.{n % 250 + 1}"}
        page = http.get(base + "/buzon", headers=headers, timeout=15)
        token = CSRF_RE.search(page.text).group(1)
        data = {"csrf_token": token, "tipo": "queja", "estado": "14", "consentimiento": "y", "sitio_web": "",
                "description": f"Queja {n}: en la clínica no había medicamento para mi mamá.", "nombre": "",
                "telefono": phone, "email": ""}
        return http.post(base + "/buzon", data=data, headers=headers, timeout=15, allow_redirects=False).status_code


def open_rows(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.done_at.is_(None)))


def notifications(db, kind: str) -> list[Notification]:
    db.expire_all()
    return db.scalars(select(Notification).where(Notification.kind == kind)).all()
