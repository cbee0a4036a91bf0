"""POST /webhooks/twilio and /webhooks/twilio/status: signatures, idempotent storage, media,
malformed payloads, per-phone rate limit, enqueue after commit."""

from __future__ import annotations

import threading

import requests
from redis import Redis
from rq import Queue
from sqlalchemy import select
from werkzeug.serving import make_server

from core.models import Attachment, Contact, Message, OutboxJob
from tests.channels.conftest import make_app
from tests.support.counts import count
from tests.support.twilio import PUBLIC, inbound_form, post_signed, sign


def test_signed_webhook_stores_message_contact_and_enqueues(rq_client, rq_settings, db):
    response = post_signed(rq_client, inbound_form(body="Hola, quiero poner una queja"))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Response" in response.data and b"<Message" not in response.data
    message = db.scalar(select(Message))
    assert message.direction == "inbound" and message.channel == "whatsapp"
    assert message.status == "received" and message.body == "Hola, quiero poner una queja"
    contact = db.get(Contact, message.contact_id)
    assert contact.phone == "+523312345678" and contact.channel == "whatsapp"
    assert contact.last_inbound_at is not None
    # the job is an outbox row of the same transaction; its RQ job is named after the row
    [row] = db.scalars(select(OutboxJob)).all()
    assert row.done_at is None
    queue = Queue("inbound", connection=Redis.from_url(rq_settings.redis_url))
    assert queue.job_ids == [f"outbox-{row.id}"]
    assert queue.fetch_job(f"outbox-{row.id}").kwargs == {"message_id": message.id}


def test_retried_delivery_is_a_no_op(rq_client, rq_settings, db):
    form = inbound_form()
    assert post_signed(rq_client, form).status_code == 200
    assert post_signed(rq_client, form).status_code == 200
    assert count(db, Message) == 1
    queue = Queue("inbound", connection=Redis.from_url(rq_settings.redis_url))
    assert len(queue.job_ids) == 1


def test_sms_sender_and_channel_switch(rq_client, db):
    post_signed(rq_client, inbound_form(sid="SM" + "1" * 32, sender="whatsapp:+5213312345678"))
    post_signed(rq_client, inbound_form(sid="SM" + "2" * 32, sender="+523312345678"))
    db.expire_all()
    contacts = db.scalars(select(Contact)).all()
    assert len(contacts) == 1 and contacts[0].channel == "sms"
    assert [m.channel for m in db.scalars(select(Message).order_by(Message.id))] == ["whatsapp", "sms"]


def test_five_concurrent_duplicates_store_one_row(rq_settings, db):
    app = make_app(rq_settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        form = inbound_form(sid="SM" + "d" * 32)
        url = f"http://127.0.0.1:{server.server_port}/webhooks/twilio"
        headers = {"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio", form)}
        barrier = threading.Barrier(5)
        codes = []

        def hit():
            barrier.wait()
            codes.append(requests.post(url, data=form, headers=headers, timeout=30).status_code)

        threads = [threading.Thread(target=hit) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        server.server_close()
    assert codes == [200] * 5
    assert count(db, Message) == 1
    assert count(db, Contact) == 1
    queue = Queue("inbound", connection=Redis.from_url(rq_settings.redis_url))
    assert len(queue.job_ids) == 1


def test_forged_unsigned_and_tampered_are_403(rq_client, db, caplog):
    form = inbound_form(body="Mi CURP es secreta")
    assert rq_client.post("/webhooks/twilio", data=form).status_code == 403
    forged = {"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio", form, token="otro-token")}
    assert rq_client.post("/webhooks/twilio", data=form, headers=forged).status_code == 403
    good = {"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio", form)}
    tampered = dict(form, Body="Otro texto")
    assert rq_client.post("/webhooks/twilio", data=tampered, headers=good).status_code == 403
    other_url = {"X-Twilio-Signature": sign("https://evil.example/webhooks/twilio", form)}
    assert rq_client.post("/webhooks/twilio", data=form, headers=other_url).status_code == 403
    assert count(db, Message) == 0
    assert "secreta" not in caplog.text


def test_behind_a_proxy_forwarded_host_and_proto(rq_settings, db):
    from dataclasses import replace

    client = make_app(replace(rq_settings, trusted_proxy_count=1)).test_client()  # one proxy on 127.0.0.1
    form = inbound_form()
    signature = sign("https://bot.salud.gob.mx/webhooks/twilio?canal=wa", form)
    response = client.post("/webhooks/twilio?canal=wa", data=form, headers={
        "X-Twilio-Signature": signature, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "bot.salud.gob.mx"})
    assert response.status_code == 200
    assert count(db, Message) == 1


def test_public_base_url_with_query_string(rq_client, db):
    form = inbound_form()
    response = post_signed(rq_client, form, path="/webhooks/twilio?x=1")
    assert response.status_code == 200


def test_media_references_become_attachments(rq_client, db):
    form = inbound_form(body="", NumMedia="2",
                        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                        MediaContentType0="image/jpeg",
                        MediaUrl1="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2",
                        MediaContentType1="audio/ogg")
    assert post_signed(rq_client, form).status_code == 200
    message = db.scalar(select(Message))
    assert [m["content_type"] for m in message.media] == ["image/jpeg", "audio/ogg"]
    attachments = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(a.message_id, a.content_type) for a in attachments] == [(message.id, "image/jpeg"), (message.id, "audio/ogg")]
    assert attachments[0].url.endswith("/ME1") and attachments[0].filename.endswith(".jpg")


def test_absurd_num_media_values_are_harmless(rq_client, db):
    for i, value in enumerate(["abc", "-3", "99999999999999999999", "1"]):
        form = inbound_form(sid=f"SM{i:032d}", NumMedia=value)
        assert post_signed(rq_client, form).status_code == 200
    assert count(db, Message) == 4
    assert count(db, Attachment) == 0
    form = inbound_form(sid="SM" + "9" * 32, NumMedia="1", MediaUrl0="javascript:alert(1)",
                        MediaContentType0="text/html")
    assert post_signed(rq_client, form).status_code == 200
    assert count(db, Attachment) == 0


def test_missing_or_invalid_sender_is_400(rq_client, db):
    form = inbound_form()
    del form["From"]
    response = post_signed(rq_client, form)
    assert response.status_code == 400 and b"From" in response.data
    response = post_signed(rq_client, inbound_form(sender="whatsapp:hola"))
    assert response.status_code == 400
    form = inbound_form()
    del form["MessageSid"], form["SmsMessageSid"]
    assert post_signed(rq_client, form).status_code == 400
    assert post_signed(rq_client, inbound_form(sid="SM'; drop table--")).status_code == 400
    assert count(db, Message) == 0


def test_huge_payload_is_400(rq_client, db):
    form = inbound_form(body="x" * 200_000)
    response = post_signed(rq_client, form)
    assert response.status_code == 400
    assert count(db, Message) == 0


def test_long_body_nul_and_bad_utf8_are_stored_safely(rq_client, db):
    form = inbound_form(body="a\x00b" + "z" * 6000)
    assert post_signed(rq_client, form).status_code == 200
    message = db.scalar(select(Message))
    assert message.body.startswith("abz") and len(message.body) == 4096
    # Invalid UTF-8 percent-escapes: werkzeug keeps them as text; stored as valid text.
    raw = "MessageSid=SM" + "e" * 32 + "&From=%2B523312345678&Body=caf%C3%A9%FF%FE"
    params = {"MessageSid": "SM" + "e" * 32, "From": "+523312345678", "Body": "café%FF%FE"}
    response = rq_client.post("/webhooks/twilio", data=raw, content_type="application/x-www-form-urlencoded",
                              headers={"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio", params)})
    assert response.status_code == 200
    db.expire_all()
    stored = db.scalar(select(Message).where(Message.message_sid == "SM" + "e" * 32))
    assert stored.body.startswith("café")
    stored.body.encode("utf-8")


def test_json_payload_is_rejected_not_500(rq_client, db):
    response = rq_client.post("/webhooks/twilio", json={"From": "+523312345678"},
                              headers={"X-Twilio-Signature": "abc"})
    assert response.status_code == 403
    assert count(db, Message) == 0


def test_per_phone_rate_limit(rq_settings, db, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RATE_LIMIT", "3 per minute")
    from core.config import Settings

    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    codes = [post_signed(client, inbound_form(sid=f"SM{i:032d}")).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    other = post_signed(client, inbound_form(sid="SM" + "f" * 32, sender="whatsapp:+5215599998888"))
    assert other.status_code == 200
    # Unsigned floods pretending to be that other phone do not eat its allowance.
    for _ in range(5):
        client.post("/webhooks/twilio", data=inbound_form(sid="SM" + "0" * 32, sender="whatsapp:+5215599998888"))
    again = post_signed(client, inbound_form(sid="SM" + "c" * 32, sender="whatsapp:+5215599998888"))
    assert again.status_code == 200
    assert count(db, Message) == 5


def test_redis_down_keeps_the_message_for_the_sweep(chan_settings, db, monkeypatch):
    monkeypatch.setenv("SINAC_JOBS", "rq")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    from core.config import Settings

    app = make_app(Settings.from_env(), RATELIMIT_ENABLED=True)
    response = post_signed(app.test_client(), inbound_form())
    assert response.status_code == 200
    message = db.scalar(select(Message))
    assert message.status == "received"
