"""Production must not run on public defaults: the development SECRET_KEY would let anybody sign
a session cookie for /admin/, the development Twilio token would let anybody forge webhooks, and
a missing DATABASE_URL would silently put the national records in a local SQLite file. Every
process (web, worker, scheduler) refuses to start and names what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from core.config import Settings, UnsafeConfiguration
from tests.parallel import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GOOD = {"SINAC_ENV": "production", "SECRET_KEY": "k" * 12 + "Qz8-random-enough-for-prod-2026",
        "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
        "DATABASE_URL": "postgresql+psycopg://sinac:pw@db.internal/sinac"}


def test_development_runs_on_defaults():
    assert Settings.from_env({}).production_problems() == []
    Settings.from_env({}).require_safe()


def test_production_on_defaults_names_each_missing_setting():
    problems = " | ".join(Settings.from_env({"SINAC_ENV": "production"}).production_problems())
    for name in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "DATABASE_URL"):
        assert name in problems, problems
    with pytest.raises(UnsafeConfiguration):
        Settings.from_env({"SINAC_ENV": "Production "}).require_safe()


@pytest.mark.parametrize("name,value", [("SECRET_KEY", "change-me"), ("SECRET_KEY", "dev-secret-change-me"),
                                        ("SECRET_KEY", "short-key"), ("TWILIO_AUTH_TOKEN", "xxxxxxxx"),
                                        ("TWILIO_AUTH_TOKEN", "dev-auth-token"), ("DATABASE_URL", ""),
                                        ("TWILIO_VALIDATE_SIGNATURE", "0")])
def test_placeholders_from_env_example_are_refused(name, value):
    problems = Settings.from_env({**GOOD, name: value}).production_problems()
    assert len(problems) == 1 and name in problems[0], problems


def test_complete_production_settings_start():
    assert Settings.from_env(GOOD).require_safe().is_production


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SINAC_", "TWILIO_", "SECRET_KEY", "DATABASE_URL"))}
    env.update({"PATH": f"{BIN}:{env.get('PATH', '')}", "PYTHONPATH": str(ROOT), "SINAC_ENV": "production",
                "SINAC_INSTANCE_DIR": str(tmp_path), "PUBLIC_BASE_URL": "https://sinac.example.gob.mx",
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    env.update(extra)
    return env


PROCESSES = {
    "web": lambda port, redis=None: [str(BIN / "gunicorn"), "--config", "python:backoffice.gunicorn_conf", "--bind",
                         f"127.0.0.1:{port}", "backoffice.app:create_app()"],
    "worker": lambda port, redis: [str(BIN / "rq"), "worker", "--worker-class", "workers.worker.SinacWorker",
                                   "--url", redis, "--name", f"refusal-{port}", "default"],
    "scheduler": lambda port, redis=None: [sys.executable, "-m", "workers.scheduler"],
}


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_real_process_refuses_production_on_defaults(process, tmp_path, redis_url):
    proc = subprocess.run(PROCESSES[process](free_port(), redis_url), cwd=ROOT, env=_env(tmp_path, REDIS_URL=redis_url),
                          capture_output=True,
                          text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-2000:]
    assert "refusing to start" in output, output[-2000:]
    for name in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "DATABASE_URL"):
        assert name in output, output[-2000:]


def test_web_starts_in_production_when_configured(tmp_path, database_url):
    port = free_port()
    env = _env(tmp_path, **{**GOOD, "DATABASE_URL": database_url}, SINAC_JOBS="inline", WEB_CONCURRENCY="1")
    proc = subprocess.Popen(PROCESSES["web"](port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        from tests.faults.conftest import wait_for

        def up():
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        wait_for(up, 60, 0.2, "gunicorn in production to answer /healthz")
    finally:
        proc.terminate()
        proc.wait(30)
