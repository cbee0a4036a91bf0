"""The set-up the data-heavy benchmark scripts share: a throwaway database (PostgreSQL under
pg_virtualenv, else SQLite in a temporary folder), migrated, filled by bench/generate.py, the
environment the app reads pointed at it, a logged-in test client, and the one timing helper
(best of n, with the result)."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from bench.common import database_url

PASSWORD = "Bench-password-1"  # every user bench/generate.py and the scripts create


def best_ms(fn, repeat: int = 1) -> tuple[float, object]:
    """The fastest of `repeat` calls in milliseconds, and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, result


def fresh_database(tmp: Path | None = None, *, empty_first: bool = False) -> str:
    """The URL of a migrated database for this run. `empty_first` drops PostgreSQL's public
    schema before (pg_virtualenv's throw-away cluster: a second script in the same cluster)."""
    from sqlalchemy import text

    from core.db import engine_for
    from core.migrate import upgrade

    url = database_url(tmp or Path(tempfile.mkdtemp(prefix="sinac-bench-")))
    if empty_first and not url.startswith("sqlite"):
        with engine_for(url).begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(url)
    return url


def filled(url: str, n_cases: int, **generate_options) -> tuple[dict, float]:
    """bench/generate.py's cases in the database: the counts and the seconds it took."""
    from bench.generate import generate

    started = time.perf_counter()
    counts = generate(url, n_cases, **generate_options)
    seconds = time.perf_counter() - started
    if generate_options.get("progress", True):
        print(f"generated {counts} in {seconds:.1f}s", flush=True)
    return counts, seconds


def app_database(n_cases: int, **environment) -> tuple[str, dict, float]:
    """A filled database and the environment the app and its inline jobs read pointed at it:
    (url, counts, seconds to generate). `environment` adds variables (REDIS_URL=...)."""
    tmp = Path(tempfile.mkdtemp(prefix="sinac-bench-"))
    url = database_url(tmp)
    os.environ.update(DATABASE_URL=url, SINAC_JOBS="inline", SINAC_INSTANCE_DIR=str(tmp / "instance"),
                      SECRET_KEY="bench", **environment)
    fresh_database(tmp)
    counts, seconds = filled(url, n_cases)
    return url, counts, seconds


def estados_session(url: str):
    """A session on a migrated database that holds the 32 estados (for scripts that add their
    own rows instead of generating cases)."""
    from core.db import session_factory
    from core.seed import ensure_estados

    session = session_factory(url)()
    ensure_estados(session)
    session.commit()
    return session


def login(client, email: str) -> None:
    """Log a Flask test client in as a bench user."""
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    resp = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.status_code
