"""Staff notifications: idempotent rows, marking read, e-mail through SMTP."""

from __future__ import annotations

import socket

from sqlalchemy import func, select

from core import notifications as notif
from core.models import Notification
from tests.plazos.conftest import mx_time
from tests.plazos.smtp_fake import FakeSmtp
from workers import notify


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_notify_is_idempotent_by_dedupe_key(db, make):
    user = make.user("vinculacion")
    first = notif.notify(db, user, kind=notif.RECORDATORIO, text="Hola", dedupe_key="k:1")
    second = notif.notify(db, user, kind=notif.RECORDATORIO, text="Hola otra vez", dedupe_key="k:1")
    db.commit()
    assert first is not None and first.id
    assert second is None
    assert db.scalar(select(func.count(Notification.id))) == 1
    assert db.scalar(select(Notification.text)) == "Hola"


def test_mark_read_touches_only_own_notifications(db, make):
    alice, bob = make.user("vinculacion"), make.user("vinculacion")
    a1 = notif.notify(db, alice, kind=notif.FUR_RECIBIDO, text="a1", dedupe_key="a1")
    notif.notify(db, alice, kind=notif.FUR_RECIBIDO, text="a2", dedupe_key="a2")
    b1 = notif.notify(db, bob, kind=notif.FUR_RECIBIDO, text="b1", dedupe_key="b1")
    db.commit()
    assert notif.unread_count(db, alice.id) == 2
    assert notif.mark_read(db, alice.id, [a1.id, b1.id]) == 1  # bob's id ignored
    db.commit()
    assert notif.unread_count(db, alice.id) == 1
    assert notif.unread_count(db, bob.id) == 1
    assert notif.mark_read(db, alice.id) == 1
    db.commit()
    assert notif.unread_count(db, alice.id) == 0 and notif.count_for(db, alice.id) == 2
    assert [n.text for n in notif.for_user(db, alice.id)] == ["a2", "a1"]


def test_reminders_are_emailed_once_when_smtp_is_set(db, make, monkeypatch):
    make.enlace("14", email="enlace.jal@test.local", nombre="Laura Enlace")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14")
    with FakeSmtp() as smtp:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("SMTP_FROM", "sinac@test.local")
        with mx_time(2026, 12, 2, 8):
            assert notify.send_reminders() == 1
            assert notify.send_reminders() == 0
            assert notify.send_staff_emails() == 0  # nothing pending: nothing re-sent
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received.rcpt_to == ["enlace.jal@test.local"]
    assert received.message["Subject"] == "[SINAC] Recordatorio"
    body = received.message.get_body().get_content()
    assert "Laura Enlace" in body and case.folio in body and "/avisos" in body
    db.expire_all()
    assert db.scalar(select(Notification.emailed_at)) is not None


def test_in_app_only_kinds_are_not_emailed(db, make, monkeypatch):
    make.enlace("14")
    make.user("vinculacion")
    with FakeSmtp() as smtp:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        case = make.filed_case("queja", "14")
        notify.fur_filed(case.volantes[-1].id)
    assert smtp.messages == []
    assert db.scalar(select(Notification.kind)) == notif.FUR_RECIBIDO


def test_smtp_down_leaves_emails_for_the_next_run(db, make, monkeypatch):
    make.enlace("14", email="e@test.local")
    with mx_time(2026, 11, 20, 10):
        make.case("queja", "14")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(_free_port()))  # nothing listens there
    with mx_time(2026, 12, 2, 8):
        assert notify.send_reminders() == 1  # the in-app notification exists anyway
    db.expire_all()
    assert db.scalar(select(Notification.emailed_at)) is None
    with FakeSmtp() as smtp:
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("SMTP_USER", "sinac")
        monkeypatch.setenv("SMTP_PASSWORD", "secreto")
        with mx_time(2026, 12, 2, 8, 10):
            assert notify.send_staff_emails() == 1
    assert [m.rcpt_to for m in smtp.messages] == [["e@test.local"]]
    assert smtp.state.logins  # authenticated with SMTP_USER/SMTP_PASSWORD


def test_refused_recipient_does_not_block_the_others(db, make, monkeypatch):
    make.enlace("14", email="bad@test.local")
    make.enlace("14", email="good@test.local")
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14", route=False)
    # A volante without enlace reminds every enlace of the estado.
    from core.actors import BOT
    from core.services import cases as svc

    with mx_time(2026, 11, 20, 10):
        svc.decide_amerita_gestion(db, case, BOT, True)
        case.open_volante.enlace_id = None
        db.commit()
    with FakeSmtp() as smtp:
        smtp.state.refuse.add("bad@test.local")
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        with mx_time(2026, 12, 2, 8):
            assert notify.send_reminders() == 2
    assert [m.rcpt_to for m in smtp.messages] == [["good@test.local"]]


def test_delivery_failure_is_told_to_vinculacion_once(db, make):
    from core.models import Message

    vinc = make.user("vinculacion")
    make.enlace("14")
    contact = make.contact("+523312345678", "sms")
    case = make.case("queja", "14", canal="call_center", contact=contact)
    message = Message(contact_id=contact.id, case_id=case.id, direction="outbound", channel="sms",
                      body="aviso", status="failed", error="Twilio error 30006: Landline", kind="aviso_volante")
    db.add(message)
    db.commit()
    assert len(notif.notify_delivery_failed(db, message)) == 1
    assert notif.notify_delivery_failed(db, message) == []
    db.commit()
    [row] = db.scalars(select(Notification)).all()
    assert row.user_id == vinc.id and case.folio in row.text and "30006" in row.text
