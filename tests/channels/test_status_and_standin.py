"""Delivery status callbacks over HTTP (signed by the stand-in like Twilio does), the stand-in
as a process (`python -m standin`), and concurrency of first messages from a new phone."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from bot.outbound.queueing import queue_replies
from bot.outbound.sending import send_messages
from core.config import Settings
from core.models import Contact, Message
from core.timeutil import now
from tests.channels.conftest import free_port, make_app
from tests.support.twilio import PUBLIC, TOKEN, inbound_form, post_signed, sign
from workers.tasks import TASKS


def _outbound(db):
    db.expire_all()
    return db.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


def test_status_endpoint_signed_and_forged(chan_settings, db, make, standin):
    client = make_app(chan_settings).test_client()
    contact = make.contact(last_inbound_at=now())
    jobs = queue_replies(db, contact, ["Hola"])
    db.commit()
    TASKS["send_outbound"](**jobs[0].kwargs)
    [message] = _outbound(db)
    form = {"MessageSid": message.message_sid, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    assert client.post("/webhooks/twilio/status", data=form).status_code == 403
    response = post_signed(client, form, path="/webhooks/twilio/status")
    assert response.status_code == 200
    assert _outbound(db)[0].status == "delivered"
    failed = dict(form, MessageStatus="failed", ErrorCode="30008", ErrorMessage="Unknown error")
    assert post_signed(client, failed, path="/webhooks/twilio/status").status_code == 200
    assert _outbound(db)[0].status == "delivered"  # never moves back from delivered
    unknown = dict(form, MessageSid="SM" + "0" * 32)
    assert post_signed(client, unknown, path="/webhooks/twilio/status").status_code == 200


def test_undelivered_callback_keeps_error_for_staff(chan_settings, db, make, standin):
    client = make_app(chan_settings).test_client()
    contact = make.contact(last_inbound_at=now())
    jobs = queue_replies(db, contact, ["Hola"])
    db.commit()
    TASKS["send_outbound"](**jobs[0].kwargs)
    [message] = _outbound(db)
    form = {"MessageSid": message.message_sid, "MessageStatus": "undelivered", "ErrorCode": "30005",
            "ErrorMessage": "Unknown destination handset"}
    assert post_signed(client, form, path="/webhooks/twilio/status").status_code == 200
    [message] = _outbound(db)
    assert message.status == "undelivered" and "30005" in message.error and message.status_at


def test_standin_posts_signed_callbacks_to_the_app(running_app, db, make, standin):
    contact = make.contact(last_inbound_at=now())
    jobs = queue_replies(db, contact, ["Hola"])
    db.commit()
    TASKS["send_outbound"](**jobs[0].kwargs)
    [message] = _outbound(db)
    for status in ("sent", "delivered", "read"):
        response = requests.post(f"{standin.url}/_standin/messages/{message.message_sid}/status",
                                 json={"status": status}, timeout=10)
        assert response.json()["callback_status"] == 200
    assert _outbound(db)[0].status == "read"


def test_unexpected_client_error_marks_failed_not_stuck(chan_settings, db, make):
    class Broken:
        class messages:
            @staticmethod
            def create(**_kw):
                raise ValueError("bad json")

    contact = make.contact(last_inbound_at=now())
    ids = queue_replies(db, contact, ["Hola"])[0].kwargs["message_ids"]
    db.commit()
    send_messages(db, ids, settings=chan_settings, client=Broken())
    [message] = _outbound(db)
    assert message.status == "failed" and "ValueError" in message.error


def test_standin_runs_as_a_module():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "standin", "--port", str(port), "--auth-token", TOKEN,
                             "--no-callbacks"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(base + "/_standin/messages", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "stand-in did not start"
                time.sleep(0.1)
        from bot.twilio_client import build_client

        settings = Settings(database_url="sqlite://", twilio_auth_token=TOKEN, twilio_api_base_url=base)
        sent = build_client(settings).messages.create(to="+523312345678", from_="+15550000000", body="Hola")
        assert sent.sid.startswith("SM") and sent.status == "queued"
        listed = requests.get(base + "/_standin/messages", params={"to": "+523312345678"}, timeout=5).json()
        assert [m["body"] for m in listed["messages"]] == ["Hola"]
        wrong = Settings(database_url="sqlite://", twilio_auth_token="otro", twilio_api_base_url=base)
        try:
            build_client(wrong).messages.create(to="+523312345678", from_="+15550000000", body="Hola")
            raise AssertionError("expected 401")
        except Exception as exc:  # noqa: BLE001
            assert getattr(exc, "status", None) == 401
    finally:
        proc.terminate()
        proc.wait(10)


def test_first_messages_from_a_new_phone_at_once_make_one_contact(rq_settings, db):
    app = make_app(rq_settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/webhooks/twilio"
        forms = [inbound_form(sid=f"SM{i:032x}", sender="+5215544443333", body=f"mensaje {i}") for i in range(5)]
        barrier = threading.Barrier(5)
        codes = []

        def hit(form):
            barrier.wait()
            headers = {"X-Twilio-Signature": sign(PUBLIC + "/webhooks/twilio", form)}
            codes.append(requests.post(url, data=form, headers=headers, timeout=30).status_code)

        threads = [threading.Thread(target=hit, args=(f,)) for f in forms]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        server.server_close()
    assert codes == [200] * 5
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Contact)) == 1
    assert db.scalar(select(func.count()).select_from(Message)) == 5


def test_standin_automatic_callbacks_reach_delivered(running_app, db, make):
    """`python -m standin` posts sent → delivered by itself, signed, to the StatusCallback."""
    import dataclasses

    from standin import StandinServer

    with StandinServer(auth_token=TOKEN, callbacks=True) as auto:
        settings = dataclasses.replace(running_app.config["SINAC"], twilio_api_base_url=auto.url)
        contact = make.contact(last_inbound_at=now())
        ids = queue_replies(db, contact, ["Hola"])[0].kwargs["message_ids"]
        db.commit()
        send_messages(db, ids, settings=settings)
        deadline = time.monotonic() + 30
        while _outbound(db)[0].status != "delivered":
            assert time.monotonic() < deadline, f"still {_outbound(db)[0].status}"
            time.sleep(0.1)
