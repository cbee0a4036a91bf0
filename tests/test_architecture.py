"""Configuration drift: layers, Procfile queues, documented environment variables."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from core.jobs import QUEUES

ROOT = Path(__file__).resolve().parents[1]


def test_import_layers_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], check=False, cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_procfile_workers_listen_on_every_queue():
    procfile = (ROOT / "Procfile").read_text()
    worker_lines = [line for line in procfile.splitlines() if line.startswith("worker")]
    assert worker_lines
    listened = set()
    for line in worker_lines:
        listened |= set(re.findall(r"\b(" + "|".join(QUEUES) + r")\b", line.split(":", 1)[1]))
    assert listened == set(QUEUES)


def test_procfile_has_web_worker_and_release():
    names = {line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line}
    assert {"web", "worker", "release"} <= names


def test_every_environment_variable_is_documented():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    used = set()
    for path in list(ROOT.glob("core/**/*.py")) + list(ROOT.glob("bot/**/*.py")) + \
            list(ROOT.glob("workers/**/*.py")) + list(ROOT.glob("backoffice/**/*.py")):
        used |= set(re.findall(r"env\.get\(\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
        used |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
        used |= set(re.findall(r"getenv\(\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    # a WSGI request's environ (PEP 3333's CGI keys), read the same way, is not the process's
    cgi = {"REMOTE_ADDR", "PATH_INFO", "REQUEST_METHOD", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
           "SCRIPT_NAME"}
    wsgi_keys = {name for name in used if name.startswith(("HTTP_", "SERVER_", "WSGI")) or name in cgi}
    missing = used - documented - wsgi_keys
    assert not missing, f"undocumented: {sorted(missing)}"
