"""Helpers shared by the queue/case/FUR/isolation tests (issue 6 part A)."""

from __future__ import annotations

import re

from tests.builders import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The page's CSRF token ("" when the app runs with CSRF disabled)."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else ""


def login(client, user, password: str = PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def post(client, url: str, data: dict | None = None, *, page: str | None = None, **kw):
    """POST with a CSRF token taken from `page` (or the queue)."""
    html = client.get(page or "/volantes/").get_data(as_text=True)
    payload = dict(data or {})
    payload["csrf_token"] = csrf_from(html)
    return client.post(url, data=payload, **kw)


def text(resp) -> str:
    return resp.get_data(as_text=True)


# ---- the Twilio stand-in, for tests that follow a message out to the affiliate ----

import pytest

STANDIN_TOKEN = "test-auth-token"


@pytest.fixture
def standin(settings, monkeypatch):
    """The stand-in on a free port; jobs run inline and send to it."""
    from standin import StandinServer

    server = StandinServer(auth_token=STANDIN_TOKEN, callbacks=False).start()
    monkeypatch.setenv("TWILIO_API_BASE_URL", server.url)
    monkeypatch.setenv("TWILIO_TIMEOUT_SECONDS", "2")
    monkeypatch.setattr("bot.outbound.RETRY_DELAYS", (0.0, 0.0, 0.0))
    yield server
    server.stop()


@pytest.fixture
def sclient(standin, db):
    """A test client of an app built from the environment that points at the stand-in."""
    from backoffice.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env(), TESTING=True, RATELIMIT_ENABLED=False).test_client()
