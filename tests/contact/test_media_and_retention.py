"""bot.media: what is downloaded and what is left as a link; the retention purge clears what staff
asked the affiliate and deletes media files of messages that never joined a case."""

from __future__ import annotations

from datetime import UTC, datetime

import requests
from sqlalchemy import select

from bot.media import fetch_message_media
from bot.outbound.queueing import notification_route
from core.config import Settings
from core.enums import Direction
from core.files import resolve_key
from core.models import Attachment, InfoRequest, Message
from core.retention import purge
from core.services import cases as svc
from tests.contact.conftest import png_bytes
from tests.plazos.conftest import mx_time


def _inbound_with_media(db, contact, url: str, content_type: str = "image/png", **kw) -> Message:
    message = Message(contact_id=contact.id, direction=Direction.INBOUND, channel="whatsapp", body="",
                      status="processed", media=[{"url": url, "content_type": content_type}], **kw)
    db.add(message)
    db.flush()
    db.add(Attachment(message_id=message.id, filename=f"mensaje-{message.id}-1.png", content_type=content_type,
                      url=url, size=0))
    db.commit()
    return message


def _upload(standin, data: bytes, content_type: str) -> str:
    account = Settings.from_env().twilio_account_sid
    return requests.post(f"{standin.url}/_standin/media", data={"account_sid": account},
                         files={"file": ("f", data, content_type)}, timeout=5).json()["url"]


def test_only_known_hosts_known_types_and_matching_bytes_are_kept(db, make, standin):
    settings = Settings.from_env()
    contact = make.contact("+523312340009")
    good = _inbound_with_media(db, contact, _upload(standin, png_bytes(), "image/png"))
    elsewhere = _inbound_with_media(db, contact, "https://example.com/recibo.png")
    lying = _inbound_with_media(db, contact, _upload(standin, b"<html>no soy una foto</html>", "image/png"))
    script = _inbound_with_media(db, contact, _upload(standin, b"alert(1)", "text/javascript"),
                                 content_type="text/javascript")
    missing = _inbound_with_media(db, contact, standin.url + "/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1")
    outcomes = {name: fetch_message_media(db, m.id, settings=settings)
                for name, m in [("good", good), ("elsewhere", elsewhere), ("lying", lying), ("script", script),
                                ("missing", missing)]}
    db.commit()
    assert outcomes["good"].stored == 1
    assert all(outcomes[name].stored == 0 and outcomes[name].skipped == 1
               for name in ("elsewhere", "lying", "script", "missing"))
    stored = db.scalar(select(Attachment).where(Attachment.message_id == good.id))
    assert resolve_key(settings, stored.storage_key).read_bytes() == png_bytes()
    assert stored.storage_key.startswith("media/") and stored.sha256
    again = fetch_message_media(db, good.id, settings=settings)  # idempotent: nothing left to fetch
    assert (again.stored, again.skipped) == (0, 0)
    kept_links = db.scalars(select(Attachment).where(Attachment.storage_key.is_(None))).all()
    assert {a.message_id for a in kept_links} == {elsewhere.id, lying.id, script.id, missing.id}


def test_a_host_that_fails_now_is_retried(db, make, standin):
    contact = make.contact("+523312340010")
    message = _inbound_with_media(db, contact, _upload(standin, png_bytes(), "image/png"))
    standin.stop()  # nobody answers at that address any more
    outcome = fetch_message_media(db, message.id, settings=Settings.from_env())
    assert (outcome.stored, outcome.retry) == (0, 1)


def test_the_24_hour_rule_routes(make):
    from datetime import timedelta

    from core.timeutil import now

    whatsapp = make.contact("+523312340011", last_inbound_at=now() - timedelta(hours=23))
    assert notification_route(whatsapp, "HX1") == "whatsapp"
    whatsapp.last_inbound_at = now() - timedelta(hours=24, minutes=1)
    assert notification_route(whatsapp, "HX1") == "plantilla"
    assert notification_route(whatsapp, "") == "sms"
    sms = make.contact("+523312340012", channel="sms", last_inbound_at=now())
    assert notification_route(sms, "HX1") == "sms"


def test_retention_clears_requests_and_loose_media(db, make, settings, standin):
    vinc = make.user("vinculacion")
    contact = make.contact("+523312340013")
    with mx_time(2021, 6, 1, 10):
        case = make.filed_case("queja", "14", contact=contact)
        db.add(InfoRequest(case_id=case.id, contact_id=contact.id, text="¿Tu CURP es GOMM800101?", route="sms",
                           status="cerrada", paused_clock=False, close_reason="Se envió el FUR"))
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
        loose = _inbound_with_media(db, contact, _upload(standin, png_bytes(), "image/png"),
                                    created_at=datetime(2021, 6, 1, 16, tzinfo=UTC))
    assert fetch_message_media(db, loose.id, settings=Settings.from_env()).stored == 1  # Twilio at the stand-in
    db.commit()
    path = resolve_key(settings, db.scalar(select(Attachment.storage_key)))
    assert path.exists()
    purge(db, settings.instance_dir, at=datetime(2026, 12, 1, tzinfo=UTC))
    db.expire_all()
    request = db.scalar(select(InfoRequest))
    assert request.text == "" and request.close_reason is None and request.status == "cerrada"
    assert not path.exists() and db.scalar(select(Attachment)) is None
