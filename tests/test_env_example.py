""".env.example works as copied (issue 16, item 8): `cp .env.example .env && make run` runs the
embedded default (SQLite in the instance directory, the local Redis, development mode) instead
of reaching for a production PostgreSQL. Production values are only in comments."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values
from honcho.environ import parse as honcho_parse

from core.config import DEV_SECRET_KEY, DEV_TWILIO_AUTH_TOKEN, Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / ".env.example"
BIN = Path(sys.executable).parent


def _values() -> dict[str, str]:
    return {k: v for k, v in dotenv_values(EXAMPLE).items() if v is not None}


def test_example_builds_the_embedded_development_settings(tmp_path):
    env = _values()
    settings = Settings.from_env(env)
    assert settings.require_safe() is settings  # development: nothing to refuse
    assert not settings.is_production
    assert settings.is_sqlite and not settings.database_url_set
    assert settings.database_url == f"sqlite:///{(Path.cwd() / 'instance' / 'sinac.db').resolve()}"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.jobs_mode == "rq"
    assert settings.secret_key == DEV_SECRET_KEY and settings.twilio_auth_token == DEV_TWILIO_AUTH_TOKEN
    assert settings.twilio_validate_signature
    assert settings.twilio_api_base_url == ""  # make run points it at the stand-in
    assert settings.log_format == "text"
    assert settings.webhook_rate_limit == "60 per minute;600 per hour"
    # the instance directory `make run` passes in still decides where SQLite lives
    with_instance = Settings.from_env({**env, "SINAC_INSTANCE_DIR": str(tmp_path)})
    assert with_instance.database_url == f"sqlite:///{tmp_path.resolve() / 'sinac.db'}"


def test_no_production_value_is_active():
    env = _values()
    assert not env["DATABASE_URL"] and not env["SECRET_KEY"] and not env["TWILIO_AUTH_TOKEN"]
    assert env["SINAC_ENV"] == "development"
    assert "PROMETHEUS_MULTIPROC_DIR" not in env  # prometheus_client switches mode on its mere presence
    # every production value is still there, commented, for whoever deploys
    text = EXAMPLE.read_text()
    for line in ("#   DATABASE_URL=postgresql+psycopg://", "# Production: SINAC_ENV=production",
                 "#   SECRET_KEY=", "#   TWILIO_AUTH_TOKEN=", "#   PROMETHEUS_MULTIPROC_DIR=",
                 "# Production, behind one nginx on the same machine: TRUSTED_PROXY_COUNT=1"):
        assert line in text, line


def test_honcho_reads_the_same_values_as_dotenv():
    """make run starts the processes with honcho, which parses .env itself (and skips empty
    values, so the Makefile's own settings survive): both must read the same configuration."""
    assert honcho_parse(EXAMPLE.read_text()) == {k: v for k, v in _values().items() if v}


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SINAC_", "TWILIO_", "SMTP_", "NLU_", "PROMETHEUS_"))
           and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_BASE_URL", "LOG_FORMAT"}}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    env["HOME"] = str(tmp_path)
    return env


def test_sinac_runs_with_the_example_copied_as_dot_env(tmp_path):
    """The real command, in a directory holding only `.env` (copied from the example)."""
    shutil.copy(EXAMPLE, tmp_path / ".env")
    env = _clean_env(tmp_path)
    for args in (["db", "upgrade"], ["cases", "list", "--json"]):
        proc = subprocess.run([str(BIN / "sinac"), *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=180, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "instance" / "sinac.db").is_file()
