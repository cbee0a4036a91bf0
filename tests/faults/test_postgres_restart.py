"""PostgreSQL restarted while webhooks and buzón submissions arrive at the real app (gunicorn):
requests fail cleanly with a 5xx (Twilio retries those; a 4xx would make it give up), nothing is
half-written, and the app recovers by itself (idle connections are pinged, broken ones renewed: core/db.py), without a restart.

Only in the PostgreSQL run (scripts/run-tests: pg_virtualenv); the cluster is found by its port."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.models import AuditEvent, Case, Message, Volante
from tests.faults.conftest import inbound_form, sid, wait_for
from tests.support.postgres import restart_cluster

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
BODY_MARK = "Texto-privado-del-ciudadano"


def _cluster(database_url: str) -> tuple[str, str] | None:
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        return None
    port = make_url(database_url).port or 5432
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        parts = line.split()
        # by port only: the status column can read wrong when another throwaway cluster raced for it
        if len(parts) >= 4 and parts[2] == str(port):
            return parts[0], parts[1]
    return None


@pytest.fixture
def cluster(is_postgres, database_url):
    if not is_postgres:
        pytest.skip("PostgreSQL only (the suite's PostgreSQL run restarts its cluster)")
    found = _cluster(database_url)
    if found is None:
        pytest.skip("cannot find the PostgreSQL cluster of the test database with pg_lsclusters")
    return found


def _restart(cluster) -> None:
    restart_cluster(*cluster)


def _buzon(base: str, n: int) -> int:
    with requests.Session() as http:
        headers = {"X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"}  # one citizen each
        page = http.get(base + "/buzon", headers=headers, timeout=15)
        if page.status_code != 200:
            return page.status_code
        token = CSRF_RE.search(page.text).group(1)
        data = {"csrf_token": token, "tipo": "queja", "estado": "14", "consentimiento": "y", "sitio_web": "",
                "description": f"{BODY_MARK} {n}: en la clínica no había medicamento.", "nombre": "", "telefono": "",
                "email": ""}
        return http.post(base + "/buzon", data=data, headers=headers, timeout=15, allow_redirects=False).status_code


@pytest.mark.postgres_only
@pytest.mark.serial
def test_postgres_restart_during_load(cluster, stack, db, make):
    make.enlace("14")
    counter = itertools.count(1)
    results: list[tuple[str, int, str]] = []  # (kind, status, key)
    lock = threading.Lock()
    stop = threading.Event()

    def webhook_load():
        while not stop.is_set():
            n = next(counter)
            form = inbound_form(sid(n), sender=f"whatsapp:+5233{n:08d}", body=f"{BODY_MARK} {n}")
            try:
                status = stack.post_webhook(form, timeout=30).status_code
            except requests.RequestException:
                status = 0  # connection dropped: Twilio retries
            with lock:
                results.append(("webhook", status, sid(n)))

    def buzon_load():
        while not stop.is_set():
            n = next(counter)
            try:
                status = _buzon(stack.base, n)
            except requests.RequestException:
                status = 0
            with lock:
                results.append(("buzon", status, str(n)))

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(webhook_load) for _ in range(3)] + [pool.submit(buzon_load)]
        try:
            wait_for(lambda: len(results) >= 20, 60, what="load before the restart")
            before_restart = len(results)
            _restart(cluster)
            # The app recovers by itself: successes again after the restart, without touching gunicorn.
            wait_for(lambda: sum(1 for k, s, _ in results[before_restart:] if k == "webhook" and s == 200) >= 20
                     and sum(1 for k, s, _ in results[before_restart:] if k == "buzon" and s == 302) >= 2,
                     90, 0.2, "the app to recover after the restart")
        finally:
            stop.set()  # a failed wait must not leave the load threads (and the suite) running forever
        for future in futures:
            future.result()

    statuses = {s for _, s, _ in results}
    # Never a 4xx: Twilio does not retry those (a lost message), and the buzón user must see an error.
    assert not [r for r in results if 400 <= r[1] < 500], [r for r in results if 400 <= r[1] < 500][:5]
    assert statuses <= {0, 200, 302, 500, 502, 503}, statuses

    # the restart also broke this test process's own pooled connections (used a moment ago, so
    # core.db does not ping them): read through new ones
    db.close()
    db.get_bind().dispose()
    stored = set(db.scalars(select(Message.message_sid).where(Message.direction == "inbound")))
    acknowledged = {key for kind, status, key in results if kind == "webhook" and status == 200}
    assert acknowledged <= stored  # an acknowledged webhook is never lost
    # Twilio retries every webhook that was not acknowledged: each is stored exactly once.
    for kind, status, key in results:
        if kind == "webhook" and status != 200:
            n = int(key[2:])
            form = inbound_form(key, sender=f"whatsapp:+5233{n:08d}", body=f"{BODY_MARK} {n}")
            assert stack.post_webhook(form).status_code == 200
    db.expire_all()
    webhooks = [key for kind, _, key in results if kind == "webhook"]
    assert db.scalar(select(func.count()).select_from(Message).where(Message.direction == "inbound")) == len(webhooks)

    # No half-written case: each one has its folio, its first volante and its audit trail.
    created = sum(1 for kind, status, _ in results if kind == "buzon" and status == 302)
    cases = db.scalars(select(Case)).all()
    assert len(cases) >= created
    for case in cases:
        assert case.folio and case.status == "turnada"
        assert db.scalar(select(func.count()).select_from(Volante).where(Volante.case_id == case.id)) == 1
        assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case.id)) >= 1
    # The failures were logged without the citizens' text.
    assert BODY_MARK not in stack.server_log()
