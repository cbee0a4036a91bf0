"""Forwarded headers only from configured proxies (issue 18, item 6): werkzeug's ProxyFix with
TRUSTED_PROXY_COUNT (default 0: nobody) for peers in FORWARDED_ALLOW_IPS; the Twilio signature
is never checked against a URL rebuilt from X-Forwarded-Host/Proto sent by anyone else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import jsonify, request
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from core.config import Settings
from core.models import Message
from tests.faults.conftest import inbound_form, sid
from tests.security.conftest import make_app

PROXY_HEADERS = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "sinac.example.gob.mx"}
PUBLIC_URL = "http://sinac.interno:5000"  # PUBLIC_BASE_URL: what the app was told it is
PROXIED_URL = "https://bot.salud.gob.mx/webhooks/twilio"  # what a proxy in front was called with


def _peer_app(settings, **overrides):
    app = make_app(replace(settings, **overrides))

    @app.get("/_test/peer")
    def _peer():
        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host,
                       forwarded=request.headers.get("X-Forwarded-For"))

    return app.test_client()


def _peer(client, peer: str, headers=PROXY_HEADERS) -> dict:
    return client.get("/_test/peer", headers=headers, environ_base={"REMOTE_ADDR": peer}).json


def test_default_trusts_no_forwarded_header(settings, db):
    assert Settings.from_env({}).trusted_proxy_count == 0
    assert settings.trusted_proxy_count == 0
    client = _peer_app(settings)
    seen = _peer(client, "127.0.0.1")  # even from the loopback proxy address
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost", "forwarded": None}


def test_one_trusted_proxy_gives_the_address_it_appended(settings, db):
    client = _peer_app(settings, trusted_proxy_count=1)
    seen = _peer(client, "127.0.0.1")
    # the last hop is the proxy's; the first was written by the client and is ignored
    assert (seen["addr"], seen["scheme"], seen["host"]) == ("203.0.113.7", "https", "sinac.example.gob.mx")
    assert _peer(client, "127.0.0.1", {})["addr"] == "127.0.0.1"  # no header: the peer itself


def test_a_peer_outside_the_allowed_addresses_is_not_believed(settings, db):
    client = _peer_app(settings, trusted_proxy_count=1, forwarded_allow_ips="10.0.0.0/8, 192.0.2.10")
    assert _peer(client, "10.1.2.3")["addr"] == "203.0.113.7"  # a proxy in the allowed network
    assert _peer(client, "192.0.2.10")["addr"] == "203.0.113.7"
    stranger = _peer(client, "198.51.100.9")
    assert stranger == {"addr": "198.51.100.9", "scheme": "http", "host": "localhost", "forwarded": None}


def test_two_proxies_take_the_second_value_from_the_right(settings, db):
    client = _peer_app(settings, trusted_proxy_count=2)
    seen = _peer(client, "127.0.0.1", {"X-Forwarded-For": "6.6.6.6, 198.51.100.1, 203.0.113.7"})
    assert seen["addr"] == "198.51.100.1"


@pytest.fixture
def no_jobs(monkeypatch):
    sent: list = []
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: sent.extend(jobs) or [])
    return sent


def _messages(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Message))


def _post(client, n: int, url: str, *, peer: str = "127.0.0.1", headers=None):
    form = inbound_form(sid(n), body=f"hola {n}")
    signature = RequestValidator(_settings_token(client)).compute_signature(url, form)
    return client.post("/webhooks/twilio", data=form, environ_base={"REMOTE_ADDR": peer},
                       headers={"X-Twilio-Signature": signature, **(headers or {})})


def _settings_token(client) -> str:
    return client.application.config["SINAC"].twilio_auth_token


FORWARDED_TO_PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.salud.gob.mx"}


def test_twilio_signature_ignores_forwarded_host_and_proto_by_default(settings, db, no_jobs):
    client = make_app(replace(settings, public_base_url=PUBLIC_URL)).test_client()
    assert _post(client, 1, PROXIED_URL, headers=FORWARDED_TO_PROXIED).status_code == 403
    assert _post(client, 2, PUBLIC_URL + "/webhooks/twilio").status_code == 200  # the configured URL works
    # the Host header alone is no candidate either
    assert _post(client, 3, "http://bot.salud.gob.mx/webhooks/twilio",
                 headers={"Host": "bot.salud.gob.mx"}).status_code == 403
    assert _messages(db) == 1


def test_twilio_signature_honours_forwarded_url_from_a_trusted_proxy_only(settings, db, no_jobs):
    app_settings = replace(settings, public_base_url=PUBLIC_URL, trusted_proxy_count=1,
                           forwarded_allow_ips="10.0.0.5")
    client = make_app(app_settings).test_client()
    assert _post(client, 1, PROXIED_URL, peer="10.0.0.5", headers=FORWARDED_TO_PROXIED).status_code == 200
    assert _post(client, 2, PROXIED_URL, peer="198.51.100.9", headers=FORWARDED_TO_PROXIED).status_code == 403
    assert _messages(db) == 1


def test_gunicorn_believes_forwarded_proto_only_with_trusted_proxies(monkeypatch, tmp_path):
    import importlib

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the module sets it by default
    import backoffice.gunicorn_conf as conf

    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    assert importlib.reload(conf).forwarded_allow_ips == ""
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert importlib.reload(conf).forwarded_allow_ips == "10.0.0.5"
