"""/healthz and /readyz against real PostgreSQL/SQLite, Redis and an RQ worker process."""

from __future__ import annotations

import shutil

from backoffice.app import create_app
from core.config import Settings


def _app(settings, **env):
    values = {**settings.__dict__, **env}
    return create_app(Settings(**values), TESTING=True)


def test_healthz_needs_nothing(settings):
    app = _app(settings, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", redis_url="redis://127.0.0.1:1/0")
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200 and resp.json == {"status": "ok"}


def test_ready_when_everything_is_up(settings, ops_redis_url, live_worker, trained_nlu_dir, db):
    shutil.copytree(trained_nlu_dir / "nlu", settings.instance_dir / "nlu")
    app = _app(settings, redis_url=ops_redis_url)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "ok"
    assert set(resp.json["checks"]) == {"database", "migrations", "redis", "worker", "nlu"}
    body = resp.get_data(as_text=True)
    assert settings.database_url not in body and "redis://" not in body


def test_unready_when_redis_down(settings, trained_nlu_dir, db):
    shutil.copytree(trained_nlu_dir / "nlu", settings.instance_dir / "nlu")
    app = _app(settings, redis_url="redis://127.0.0.1:1/0")
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    checks = resp.json["checks"]
    assert checks["redis"]["ok"] is False and checks["worker"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_unready_when_database_down(settings, ops_redis_url, live_worker):
    app = _app(settings, redis_url=ops_redis_url, database_url="postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.json["checks"]["database"]["ok"] is False
    assert resp.json["checks"]["migrations"]["ok"] is False
    assert "nobody" not in resp.get_data(as_text=True)


def test_unready_without_live_worker(settings, ops_redis_url, trained_nlu_dir, db):
    shutil.copytree(trained_nlu_dir / "nlu", settings.instance_dir / "nlu")
    app = _app(settings, redis_url=ops_redis_url)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.json["checks"]["worker"] == {"ok": False, "detail": "NoLiveWorker", "ms": resp.json["checks"]["worker"]["ms"]}
    assert resp.json["checks"]["redis"]["ok"] is True


def test_unready_without_trained_model(settings, ops_redis_url, live_worker, db):
    app = _app(settings, redis_url=ops_redis_url)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.json["checks"]["nlu"]["ok"] is False


def test_unready_when_migrations_pending(settings, ops_redis_url, tmp_path):
    from core.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0001")
    app = _app(settings, redis_url=ops_redis_url, database_url=url)
    resp = app.test_client().get("/readyz")
    assert resp.json["checks"]["migrations"]["ok"] is False
    assert resp.json["checks"]["database"]["ok"] is True
