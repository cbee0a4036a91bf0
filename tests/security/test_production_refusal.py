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
    # the Procfile's worker command, which waits for Redis before starting rq's
    "procfile-worker": lambda port, redis: [sys.executable, "-m", "workers.run_worker", "--worker-class",
                                            "workers.worker.SinacWorker", "--url", redis, "--name",
                                            f"refusal-{port}", "default"],
    "scheduler": lambda port, redis=None: [sys.executable, "-m", "workers.scheduler"],
    "relay": lambda port, redis=None: [sys.executable, "-m", "workers.relay"],
}


def _refusal(process: str, tmp_path, redis: str, **env) -> str:
    """Run the process to its end (it must not start); its output."""
    proc = subprocess.run(PROCESSES[process](free_port(), redis), cwd=ROOT, env=_env(tmp_path, REDIS_URL=redis, **env),
                          capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-2000:]
    assert "refusing to start" in output, output[-2000:]
    return output


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_real_process_refuses_production_on_defaults(process, tmp_path, redis_url):
    output = _refusal(process, tmp_path, redis_url)
    for name in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "DATABASE_URL"):
        assert name in output, output[-2000:]


@pytest.mark.parametrize("process", sorted(set(PROCESSES) - {"worker"}))
def test_refused_even_while_redis_is_away(process, tmp_path):
    """Nothing listens on the Redis port: the deployed commands refuse at once, not once Redis
    answers (the Procfile's worker waited for Redis first, and said nothing until then). Bare
    `rq worker` is left out: RQ's command stops on Redis before any worker code runs."""
    _refusal(process, tmp_path, f"redis://127.0.0.1:{free_port()}/0")


@pytest.mark.parametrize("name,value", [("SECRET_KEY", "dev-secret-change-me"), ("TWILIO_AUTH_TOKEN", "dev-auth-token")])
def test_one_development_value_is_named_alone(name, value, tmp_path, redis_url):
    """Everything else set for production: the refusal names the one development value."""
    output = _refusal("web", tmp_path, redis_url, **{**GOOD, name: value})
    named = [other for other in ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "DATABASE_URL") if f"{other} is missing" in output]
    assert named == [name], output[-2000:]


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
