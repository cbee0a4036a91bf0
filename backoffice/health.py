"""Liveness (/healthz, no dependencies) and readiness (/readyz: database, Redis, migrations,
a live worker, NLU model). JSON, no authentication, nothing sensitive."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from core.db import engine_for

bp = Blueprint("health", __name__)
WORKER_FRESHNESS = timedelta(seconds=60)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    settings = current_app.config["SINAC"]
    checks = {
        "database": _check(lambda: _database(settings.database_url)),
        "migrations": _check(lambda: _migrations(settings.database_url)),
        "redis": _check(lambda: _redis(settings.redis_url)),
        "worker": _check(lambda: _worker(settings.redis_url)),
        "nlu": _check(_nlu),
    }
    ok = all(c["ok"] for c in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


def _check(fn) -> dict:
    started = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # noqa: BLE001 (each failure is reported by kind only: no URLs or secrets)
        ok, detail = False, type(exc).__name__
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database(url: str) -> str:
    with engine_for(url).connect() as conn:
        conn.execute(text("SELECT 1"))
    return "conectada"


def _migrations(url: str) -> str:
    from core.migrate import current_revision, head_revision

    current, head = current_revision(engine_for(url)), head_revision()
    if current != head:
        raise MigrationsPending(f"{current} != {head}")
    return head


class MigrationsPending(Exception):
    pass


class NoLiveWorker(Exception):
    pass


class ModelMissing(Exception):
    pass


def _redis(url: str) -> str:
    from workers.connections import redis_for

    redis_for(url).ping()
    return "conectado"


def _worker(url: str) -> str:
    from rq import Worker

    from workers.connections import redis_for

    now = datetime.now(UTC)
    alive = 0
    for worker in Worker.all(connection=redis_for(url)):
        beat = worker.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        if beat is not None and now - beat <= WORKER_FRESHNESS:
            alive += 1
    if not alive:
        raise NoLiveWorker()
    return f"{alive} activo(s)"


def _nlu() -> str:
    """The trained model for the current nlu_data is on disk, so workers load it at once."""
    from bot.nlu.data import default_data_dir
    from bot.nlu.engine import model_path

    if not model_path(default_data_dir()).exists():
        raise ModelMissing()
    return "modelo entrenado"
