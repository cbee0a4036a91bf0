"""Thousands of generated webhook payloads (3,000 in `make test`, 10,000 in `make chaos`),
correctly signed (so they reach the parser): wrong types, missing fields, huge bodies, bad UTF-8,
control characters, injected HTML/SQL, absurd NumMedia. Never a 5xx, never an exception; what is
accepted is stored intact and harmless."""

from __future__ import annotations

import os
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from core.models import Message
from tests.security.conftest import make_app

# 3,000 signed payloads per run of `make test` (each database); `make chaos` sends 10,000
# (SINAC_FUZZ_EXAMPLES): the same generator, derandomized, so a larger run only goes further
FUZZ_EXAMPLES = int(os.environ.get("SINAC_FUZZ_EXAMPLES", "3000"))
TOKEN = "fuzz-auth-token"
PUBLIC = "https://sinac.example.gob.mx"
URL = PUBLIC + "/webhooks/twilio"

NASTY = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE messages; --",
    "' OR '1'='1", "\x00", "\x1b[31m", "\u202e", "\ufeff", "%00", "{{7*7}}", "${jndi:ldap://x}",
    "../../etc/passwd", "javascript:alert(1)", "whatsapp:", "whatsapp:+", "+52", "NaN", "-1", "1e309",
    "99999999999999999999", "0x10", " ", "", "😀" * 10, "SINAC-2026-000001", "BAJA", "ALTA",
]
FIELDS = ["MessageSid", "SmsMessageSid", "AccountSid", "From", "To", "Body", "NumMedia", "ProfileName",
          "WaId", "MediaUrl0", "MediaContentType0", "MediaUrl9", "MediaContentType9", "MediaUrl10",
          "Latitude", "ButtonPayload", "SmsStatus", "ApiVersion"]

text_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["whatsapp:+5213312345678", "+523312345678", "whatsapp:+15550000000", "+15550000000"]),
    st.integers(0, 2**64).map(lambda n: f"SM{n:032x}"),
    st.sampled_from(["https://api.twilio.com/x.jpg", "http://127.0.0.1:6379/", "file:///etc/passwd",
                     "image/jpeg", "text/html", "application/x-msdownload", "image/svg+xml"]),
    st.integers(0, 70_000).map(lambda n: "A" * n),  # huge bodies
)
# Raw bytes that are not valid UTF-8 (the server decodes them with replacement characters).
raw_values = st.one_of(st.binary(max_size=64), st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]))
value = st.one_of(text_values.map(lambda s: s.encode("utf-8", "surrogatepass")), raw_values)
key = st.one_of(st.sampled_from(FIELDS), st.text(max_size=12).map(lambda s: s.encode("utf-8", "surrogatepass")
                                                                   .decode("utf-8", "replace")))
payload = st.dictionaries(key, value, max_size=6)
base_form = st.fixed_dictionaries({}, optional={
    "MessageSid": st.integers(0, 2**64).map(lambda n: f"SM{n:032x}".encode()),
    "From": st.sampled_from([b"whatsapp:+5213312345678", b"+523312345678", b"whatsapp:+15550001111"]),
    "Body": value,
    "NumMedia": st.sampled_from([b"0", b"1", b"10", b"-5", b"999999999999", b"abc", b""]),
})


def _decoded(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _body_and_signature(form: dict[str, bytes]) -> tuple[bytes, str]:
    encoded = "&".join(quote_from_bytes(k.encode("utf-8", "surrogatepass")) + "=" + quote_from_bytes(v)
                       for k, v in form.items())
    params = {k.encode("utf-8", "surrogatepass").decode("utf-8", "replace"): _decoded(v) for k, v in form.items()}
    return encoded.encode("ascii"), RequestValidator(TOKEN).compute_signature(URL, params)


@pytest.fixture
def fuzz_client(settings, db, redis_url, monkeypatch):
    from redis import Redis

    from core.config import Settings

    monkeypatch.setenv("SINAC_JOBS", "rq")  # jobs go to the real Redis; nothing runs them here
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    Redis.from_url(redis_url).flushdb()
    app = make_app(Settings.from_env())
    app.config["PROPAGATE_EXCEPTIONS"] = False
    errors = []
    from flask import got_request_exception

    got_request_exception.connect(lambda sender, exception, **kw: errors.append(repr(exception)), app, weak=False)
    yield app.test_client(), errors
    Redis.from_url(redis_url).flushdb()


def test_thousands_of_signed_payloads_never_5xx(fuzz_client, db):
    client, errors = fuzz_client
    seen = {"ok": 0, "rejected": 0}

    @hsettings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
               suppress_health_check=list(HealthCheck))
    @given(base=base_form, extra=payload)
    def check(base, extra):
        form = {**extra, **base}
        body, signature = _body_and_signature(form)
        response = client.post("/webhooks/twilio", data=body, content_type="application/x-www-form-urlencoded",
                               headers={"X-Twilio-Signature": signature})
        assert response.status_code < 500, (response.status_code, form)
        assert not errors, errors
        if response.status_code == 200:
            seen["ok"] += 1
        else:
            assert response.status_code in (400, 403, 413), (response.status_code, form)
            seen["rejected"] += 1

    check()
    assert seen["ok"] > 100 and seen["rejected"] > 100, seen  # both paths were exercised
    db.expire_all()
    stored = db.scalars(select(Message)).all()
    assert stored
    for message in stored:
        assert "\x00" not in (message.body or "") and len(message.body or "") <= 4096
        for item in message.media or []:
            assert item["url"].startswith(("https://", "http://"))
    # The app still answers normally afterwards.
    assert db.scalar(select(func.count()).select_from(Message)) == len(stored)
    assert client.get("/healthz").status_code == 200
