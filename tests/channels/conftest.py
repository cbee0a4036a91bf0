"""Fixtures of the channel layer: the Twilio stand-in on a free port, settings pointing at it,
signed webhook helpers and an app whose jobs go to the real Redis of the test session."""

from __future__ import annotations

import threading

import pytest
from twilio.request_validator import RequestValidator

from core.config import Settings
from standin import StandinServer
from tests.parallel import free_port

TOKEN = "test-auth-token"
PUBLIC = "https://sinac.example.gob.mx"


@pytest.fixture
def standin():
    server = StandinServer(auth_token=TOKEN, callbacks=False).start()
    yield server
    server.stop()


@pytest.fixture
def chan_settings(settings, standin, monkeypatch) -> Settings:
    """Inline jobs, Twilio at the stand-in, a public URL different from the test host."""
    monkeypatch.setenv("TWILIO_API_BASE_URL", standin.url)
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setattr("bot.outbound.RETRY_DELAYS", (0.0, 0.0, 0.0))
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


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def inbound_form(sid: str = "SM" + "a" * 32, sender: str = "whatsapp:+5213312345678", body: str = "hola",
                 **extra) -> dict:
    form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0"}
    form.update(extra)
    return form


def post_signed(client, form: dict, path: str = "/webhooks/twilio", base: str = PUBLIC, **kw):
    headers = {"X-Twilio-Signature": sign(base + path, form)}
    headers.update(kw.pop("headers", {}))
    return client.post(path, data=form, headers=headers, **kw)


@pytest.fixture
def running_app(settings, db, standin, monkeypatch):
    """The app served over HTTP at PUBLIC_BASE_URL (inline jobs), Twilio at the stand-in."""
    from werkzeug.serving import make_server

    port = free_port()
    monkeypatch.setenv("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TWILIO_API_BASE_URL", standin.url)
    monkeypatch.setattr("bot.outbound.RETRY_DELAYS", (0.0, 0.0, 0.0))
    app = make_app(Settings.from_env())
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()
