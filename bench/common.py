"""Shared plumbing for the benchmark scripts: servers on loopback, percentiles, the report file.

Benchmarks are scripts, never tests: each prints its figures and rewrites its own section of
docs/benchmarks.md (between `<!-- bench:NAME -->` markers), keeping the others.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_MD = ROOT / "docs" / "benchmarks.md"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def wait_healthy(base: str, timeout: float = 120.0, path: str = "/healthz") -> None:
    """Until the app answers (gunicorn binds before its workers have imported the app)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + path, timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:  # an HTTP answer, even 404, means it is serving
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer {path}")


def percentile(values, q: float) -> float:
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem_gb:.0f} GiB RAM, {platform.machine()}, Python {platform.python_version()}"


def header(command: str) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"_Run {now} on {machine()}. Command: `{command}`._\n\n"


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or append) the section `name` of docs/benchmarks.md."""
    BENCH_MD.parent.mkdir(parents=True, exist_ok=True)
    text = BENCH_MD.read_text() if BENCH_MD.exists() else "# SINAC benchmarks\n\nFigures measured by the scripts in bench/ (`make bench` runs them all).\n"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n## {title}\n\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCH_MD.write_text(text)


class Redis:
    """A throwaway redis-server on a free port."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_port(self.port)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def stop_processes(procs, wait: float = 30.0) -> None:
    """Terminate every process still running, then wait for each (a loaded machine can take a
    while to stop gunicorn's or rq's workers), killing the ones that outlast `wait`."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def database_url(tmp: Path) -> str:
    """PostgreSQL when the script runs under pg_virtualenv (PG* variables), else SQLite."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    if os.environ.get("PGHOST") and os.environ.get("PGPASSWORD"):
        return (f"postgresql+psycopg://{os.environ.get('PGUSER', 'postgres')}:{os.environ['PGPASSWORD']}@"
                f"{os.environ['PGHOST']}:{os.environ.get('PGPORT', '5432')}/{os.environ.get('PGDATABASE', 'postgres')}")
    return f"sqlite:///{tmp / 'bench.db'}"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(Exception):
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], check=False, capture_output=True,
                             text=True).stdout
        pids += [int(p) for p in out.split()]
    for p in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024
