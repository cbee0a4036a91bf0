"""Rate limits: per phone on the Twilio webhook (live gunicorn, limits stored in the real Redis:
a flood from one number cannot starve the others), per client IP on login and on the public buzón
(spoofed X-Forwarded-For hops do not reset the count)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from core.models import Case, Message
from tests.faults.conftest import inbound_form, sid
from tests.security.conftest import CSRF_RE, make_app


def test_webhook_flood_from_one_phone_does_not_starve_others(stack_factory, redis_url, db):
    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    stack = stack_factory(redis_url).start_server(WEBHOOK_RATE_LIMIT="5 per minute")
    flood = [inbound_form(sid(n), sender="whatsapp:+523311111111", body=f"spam {n}") for n in range(30)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda f: stack.post_webhook(f).status_code, flood))
    assert codes.count(200) == 5 and codes.count(429) == 25, codes  # counted across both gunicorn processes
    others = [stack.post_webhook(inbound_form(sid(100 + n), sender=f"whatsapp:+5233222222{n:02d}")).status_code
              for n in range(5)]
    assert others == [200] * 5
    # Unsigned requests claiming to be another phone are counted apart and never eat its allowance.
    for n in range(10):
        requests.post(stack.base + "/webhooks/twilio", data=inbound_form(sid(200 + n), sender="whatsapp:+523333333333"),
                      timeout=10)
    assert stack.post_webhook(inbound_form(sid(300), sender="whatsapp:+523333333333")).status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Message)) == 5 + 5 + 1


def test_login_is_limited_per_ip(settings, db, users):
    client = make_app(settings, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    codes = [client.post("/login", data={"email": f"nadie{n}@test.local", "password": "x", "csrf_token": token},
                         environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for n in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
    # Another address is not affected.
    other = client.post("/login", data={"email": "nadie@test.local", "password": "x", "csrf_token": token},
                        environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert other.status_code == 401


def test_buzon_is_limited_per_client_ip_behind_the_proxy(settings, db, make):
    from dataclasses import replace

    make.enlace("14")
    behind_one_proxy = replace(settings, trusted_proxy_count=1)  # the test client's 127.0.0.1 is the proxy
    client = make_app(behind_one_proxy, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()

    def submit(xff: str) -> int:
        token = CSRF_RE.search(client.get("/buzon").get_data(as_text=True)).group(1)
        return client.post("/buzon", headers={"X-Forwarded-For": xff}, data={
            "csrf_token": token, "tipo": "queja", "estado": "14", "consentimiento": "y", "sitio_web": "",
            "description": "En la clínica no había medicamento para la presión.", "nombre": "", "telefono": "",
            "email": ""}).status_code

    # The attacker rotates a spoofed first hop; the proxy's own (last) hop is the same address.
    codes = [submit(f"198.51.100.{n}, 203.0.113.50") for n in range(7)]
    assert codes[:5] == [302] * 5 and codes[5:] == [429, 429], codes
    assert submit("203.0.113.51") == 302  # another citizen
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == 6
