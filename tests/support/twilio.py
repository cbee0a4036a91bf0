"""Twilio's side in tests: the stand-in (standin/, a local Twilio API that keeps what it was sent)
and webhooks signed the way Twilio signs them (the twilio library's RequestValidator)."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from standin import StandinServer

TOKEN = "test-auth-token"  # the settings fixture's TWILIO_AUTH_TOKEN
PUBLIC = "https://sinac.example.gob.mx"


@pytest.fixture
def standin(settings, monkeypatch):
    """The stand-in on a free port; the app's and the jobs' Twilio client sends to it, without
    waiting between retries."""
    server = StandinServer(auth_token=TOKEN, callbacks=False).start()
    monkeypatch.setenv("TWILIO_API_BASE_URL", server.url)
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "2")
    monkeypatch.setattr("bot.outbound.handover.RETRY_DELAYS", (0.0, 0.0, 0.0))
    yield server
    server.stop()


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def inbound_form(sid: str = "SM" + "a" * 32, sender: str = "whatsapp:+5213312345678", body: str = "hola",
                 **extra) -> dict:
    form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender,
            "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0"}
    form.update(extra)
    return form


def post_signed(client, form: dict, path: str = "/webhooks/twilio", base: str = PUBLIC, **kw):
    """POST `form` to the webhook at `path` through a test client, signed for `base` + `path`."""
    headers = {"X-Twilio-Signature": sign(base + path, form)}
    headers.update(kw.pop("headers", {}))
    return client.post(path, data=form, headers=headers, **kw)


@pytest.fixture
def sclient(standin, db):
    """A test client of an app built from the environment, its Twilio at the stand-in."""
    from backoffice.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env(), TESTING=True, RATELIMIT_ENABLED=False).test_client()
