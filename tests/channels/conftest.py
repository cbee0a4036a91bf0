"""Fixtures of the channel layer: settings pointing at the Twilio stand-in and an app whose jobs
go to the real Redis of the test session (the stand-in and signed webhooks: tests/support/twilio.py)."""

from __future__ import annotations

import threading

import pytest

from core.config import Settings
from tests.parallel import free_port
from tests.support.twilio import PUBLIC, standin  # noqa: F401 (the stand-in fixture, for this area's tests)


@pytest.fixture
def chan_settings(settings, standin, monkeypatch) -> Settings:  # noqa: F811
    """Inline jobs, Twilio at the stand-in, a public URL different from the test host."""
    monkeypatch.setenv("TWILIO_API_BASE_URL", standin.url)
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setattr("bot.outbound.handover.RETRY_DELAYS", (0.0, 0.0, 0.0))
    return Settings.from_env()


@pytest.fixture
def rq_settings(chan_settings, redis_url, monkeypatch) -> Settings:
    """Jobs go to the real Redis (nothing runs them unless a test starts a worker)."""
    from redis import Redis

    monkeypatch.setenv("SINAC_JOBS", "rq")
    monkeypatch.setenv("REDIS_URL", redis_url)
    Redis.from_url(redis_url).flushdb()
    return Settings.from_env()


def make_app(settings: Settings, **config):
    from backoffice.app import create_app

    config.setdefault("RATELIMIT_ENABLED", False)
    return create_app(settings, TESTING=True, **config)


@pytest.fixture
def rq_client(rq_settings, db):
    return make_app(rq_settings).test_client()


@pytest.fixture
def running_app(settings, db, standin, monkeypatch):  # noqa: F811
    """The app served over HTTP at PUBLIC_BASE_URL (inline jobs), Twilio at the stand-in."""
    from werkzeug.serving import make_server

    port = free_port()
    monkeypatch.setenv("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TWILIO_API_BASE_URL", standin.url)
    monkeypatch.setattr("bot.outbound.handover.RETRY_DELAYS", (0.0, 0.0, 0.0))
    app = make_app(Settings.from_env())
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()
