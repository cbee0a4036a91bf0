"""Forged, missing and replayed-with-changed-body Twilio signatures, against the real app under
gunicorn with its real log handler (PII masking filter): 403, nothing stored, and the log line
names the rejection without the body, the phone or the signature."""

from __future__ import annotations

import requests
from twilio.request_validator import RequestValidator

from core.models import Message
from tests.faults.conftest import TOKEN, inbound_form, sid
from tests.support.counts import count

SECRET_BODY = "Mi CURP es GOHM800101HJCMRR09 y no quiero que nadie la lea"
PHONE = "+523312345678"


def test_bad_signatures_are_403_and_logged_without_the_body(stack, db):
    url = stack.base + "/webhooks/twilio"
    form = inbound_form(sid(1), sender=f"whatsapp:{PHONE}", body=SECRET_BODY)
    good = RequestValidator(TOKEN).compute_signature(url, form)
    attempts = {
        "missing": {},
        "empty": {"X-Twilio-Signature": ""},
        "garbage": {"X-Twilio-Signature": "not-base64-%%%"},
        "other token": {"X-Twilio-Signature": RequestValidator("otro-token").compute_signature(url, form)},
        "other url": {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(
            "https://evil.example/webhooks/twilio", form)},
    }
    for name, headers in attempts.items():
        response = requests.post(url, data=form, headers=headers, timeout=10)
        assert response.status_code == 403, name
    # Replays of a genuine signature with a changed body, sender, added or removed field.
    for changed in (dict(form, Body="Otro texto"), dict(form, From="whatsapp:+523399999999"),
                    dict(form, Extra="1"), {k: v for k, v in form.items() if k != "NumMedia"}):
        response = requests.post(url, data=changed, headers={"X-Twilio-Signature": good}, timeout=10)
        assert response.status_code == 403
    # The status callback endpoint too.
    status_form = {"MessageSid": sid(2), "MessageStatus": "delivered"}
    assert requests.post(url + "/status", data=status_form, timeout=10).status_code == 403
    assert requests.post(url + "/status", data=dict(status_form, MessageStatus="failed"), timeout=10,
                         headers={"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(
                             url + "/status", status_form)}).status_code == 403
    assert count(db, Message) == 0

    # The genuine one still works (positive control).
    assert requests.post(url, data=form, headers={"X-Twilio-Signature": good}, timeout=10).status_code == 200
    assert count(db, Message) == 1

    log = stack.server_log()
    assert log.count("twilio webhook rejected: bad or missing signature") >= 10
    for secret in (SECRET_BODY, "GOHM800101HJCMRR09", "no quiero", PHONE, PHONE[1:], good):
        assert secret not in log, f"{secret!r} leaked into the server log"


def test_signature_rejections_in_caplog_carry_no_body(client, db, caplog, settings):
    """The same with the test client: the rejection record itself (not only the handler's
    output) holds no body, phone or signature."""
    form = inbound_form(sid(3), sender=f"whatsapp:{PHONE}", body=SECRET_BODY)
    caplog.set_level("DEBUG")
    forged = RequestValidator("otro-token").compute_signature(settings.public_base_url + "/webhooks/twilio", form)
    assert client.post("/webhooks/twilio", data=form, headers={"X-Twilio-Signature": forged}).status_code == 403
    assert client.post("/webhooks/twilio", data=form).status_code == 403
    rejected = [r for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejected) == 2
    for record in caplog.records:
        text = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert "CURP" not in text and "no quiero" not in text and forged not in text
        assert PHONE not in text and PHONE[1:] not in text
