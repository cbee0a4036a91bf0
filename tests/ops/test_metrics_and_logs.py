"""Metrics count what they claim; request ids travel from a request into the job's logs."""

from __future__ import annotations

import logging
import re
import sys

import pytest
from rq import Queue

from backoffice.app import create_app
from core.config import Settings
from core.jobs import Job
from core.logs import mask_pii
from tests.support.jobs import SimpleWorker
from workers import registry
from workers.dispatch import enqueue_jobs
from workers.jobs.wrapper import job


def _metric(text: str, name: str, labels: str = "") -> float | None:
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def test_metrics_count_cases_and_outbound(client, make, db):
    make.case("queja", "14")
    make.case("queja", "09")
    make.case("consulta_cobertura", "14")
    body = client.get("/metrics").get_data(as_text=True)
    assert _metric(body, "sinac_cases", 'tipo="queja"') == 2
    assert _metric(body, "sinac_cases", 'tipo="consulta_cobertura"') == 1
    assert _metric(body, "sinac_nlu_fallbacks") == 0
    before = _metric(body, "sinac_http_requests_total", 'endpoint="health.healthz",status="200"') or 0
    client.get("/healthz")
    client.get("/healthz")
    body = client.get("/metrics").get_data(as_text=True)
    assert _metric(body, "sinac_http_requests_total", 'endpoint="health.healthz",status="200"') == before + 2


def test_metrics_protected_by_token(settings, db):
    app = create_app(Settings(**{**settings.__dict__, "metrics_token": "s3cret-token"}), TESTING=True)
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_metrics_refused_from_outside_without_token(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404


def test_request_id_reaches_job_logs(app, settings, redis_url, monkeypatch, caplog):
    seen = {}

    @job
    def _probe_task(value):
        logging.getLogger("sinac.test").info("probe ran with %s", value)
        from core.logs import request_id_var

        seen["rid"] = request_id_var.get()

    monkeypatch.setattr(sys.modules[__name__], "_probe_task", _probe_task, raising=False)
    monkeypatch.setitem(registry.JOBS, "_probe_task", f"{__name__}._probe_task")
    live = Settings(**{**settings.__dict__, "jobs_mode": "rq", "redis_url": redis_url})

    @app.get("/_probe")
    def probe():
        enqueue_jobs([Job("_probe_task", {"value": 7})], live)
        return "ok"

    resp = app.test_client().get("/_probe", headers={"X-Request-ID": "req-abc-123"})
    assert resp.headers["X-Request-ID"] == "req-abc-123"
    from workers.connections import redis_for

    conn = redis_for(redis_url)
    with caplog.at_level(logging.INFO):
        from core.logs import ContextFilter

        for handler in [caplog.handler]:
            handler.addFilter(ContextFilter())
        SimpleWorker([Queue("default", connection=conn)], connection=conn).work(burst=True)
    assert seen["rid"] == "req-abc-123"
    records = [r for r in caplog.records if r.name == "sinac.test"]
    assert records and records[0].request_id == "req-abc-123"


def test_generated_request_id_when_missing_or_hostile(client):
    rid = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert "<" not in hostile


@pytest.mark.parametrize("raw,hidden", [
    ("whatsapp:+5213312345678 escribió", "3312345"),
    ("CURP GODE561231HDFRRN09", "561231HDFRRN0"),
])
def test_logs_mask_phones_and_curp(raw, hidden):
    masked = mask_pii(raw)
    assert hidden not in masked
    assert masked[-4:] != raw[-4:] or raw.endswith("escribió")
