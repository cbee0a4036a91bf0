"""The retention purge removes exactly what is over 5 years, keeps what reports need, audits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.enums import Direction
from core.models import Attachment, AuditEvent, Case, Contact, Fur, Message, Note, Volante
from core.retention import cutoff, purge
from core.services import cases as svc
from core.timeutil import MX_TZ
from tests.plazos.conftest import mx_time
from workers import notify


def _concluded(db, make, vinc, when, **kw):
    with mx_time(*when):
        case = make.filed_case("queja", "14", **kw)
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
    return case


def _evidence(db, settings, case, name):
    path = settings.instance_dir / "uploads" / "2021" / "06" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 recibo")
    fur = db.scalar(select(Fur).where(Fur.case_id == case.id))
    db.add(Attachment(case_id=case.id, fur_id=fur.id, filename="recibo.pdf", content_type="application/pdf",
                      size=15, storage_key=f"2021/06/{name}"))
    db.commit()
    return path


def test_cutoff_is_the_same_moment_five_years_earlier():
    assert cutoff(datetime(2026, 11, 23, 16, tzinfo=UTC)) == datetime(2021, 11, 23, 16, tzinfo=UTC)
    assert cutoff(datetime(2028, 2, 29, 12, tzinfo=UTC)) == datetime(2023, 2, 28, 12, tzinfo=UTC)


def test_purge_anonymises_exactly_the_cases_closed_over_five_years_ago(db, make, settings):
    make.enlace("14")
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678", "whatsapp")
    old = _concluded(db, make, vinc, (2021, 6, 1, 10), canal="whatsapp", contact=contact,
                     curp="GOMM800101MJCLRR09", contacto_nombre="María Gómez", monto=350)
    just_over = _concluded(db, make, vinc, (2021, 11, 23, 9, 59))
    just_under = _concluded(db, make, vinc, (2021, 11, 23, 10, 1))
    with mx_time(2020, 1, 15, 10):
        still_open = make.case("queja", "14", canal="call_center", contacto_telefono="3311112222",
                               description="Sigue abierto desde hace años")
    file_path = _evidence(db, settings, old, "abc.pdf")
    db.add(Note(case_id=old.id, body="El afiliado llamó llorando"))
    db.add(Message(contact_id=contact.id, case_id=old.id, direction=Direction.INBOUND, channel="whatsapp",
                   body="Me cobraron 350 pesos, mi CURP es GOMM800101MJCLRR09", status="processed",
                   media=[{"url": "https://api.twilio.com/x", "content_type": "image/jpeg"}],
                   created_at=datetime(2021, 6, 1, 16, tzinfo=UTC)))
    db.commit()

    with mx_time(2026, 11, 23, 10):
        result = purge(db, settings.instance_dir)
    assert sorted(result.folios) == sorted([old.folio, just_over.folio])
    db.expire_all()

    anon = db.get(Case, old.id)
    assert anon.anonymized_at is not None
    assert (anon.description, anon.curp, anon.contacto_nombre, anon.contact_id) == ("", None, None, None)
    # aggregate fields kept for the reports
    assert (anon.tipo, anon.canal, anon.estado_clave, anon.status) == ("queja", "whatsapp", "14", "concluida")
    assert float(anon.monto) == 350.0 and anon.closed_at is not None
    fur = db.scalar(select(Fur).where(Fur.case_id == old.id))
    assert fur.acciones is None and fur.respuesta_ciudadano is None
    assert fur.resultado == "favorable" and fur.fecha_respuesta is not None
    assert db.scalars(select(Volante.instructions).where(Volante.case_id == old.id)).all() == [""]
    assert not file_path.exists()
    assert db.scalars(select(Attachment)).all() == []
    assert db.scalars(select(Note)).all() == []
    [msg] = db.scalars(select(Message).where(Message.case_id == old.id)).all()
    assert msg.body == "" and msg.media is None and msg.direction == "inbound"
    purged_events = db.scalars(select(AuditEvent).where(AuditEvent.action == "depuracion")).all()
    assert sorted(e.case_id for e in purged_events) == sorted([old.id, just_over.id])
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "depuracion_resumen")).data["casos"] == 2

    for kept in (just_under, still_open):
        row = db.get(Case, kept.id)
        assert row.anonymized_at is None and row.description
    assert db.get(Case, still_open.id).contacto_telefono == "3311112222"


def test_purge_twice_purges_nothing_twice(db, make, settings):
    make.enlace("14")
    vinc = make.user("vinculacion")
    _concluded(db, make, vinc, (2020, 3, 2, 10))
    with mx_time(2026, 11, 23, 10):
        first = notify.purge_retention()
        second = notify.purge_retention()
    assert first.cases == 1 and second.cases == 0 and second.messages == 0 and second.contacts == 0
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "depuracion")).all()) == 1


def test_loose_messages_and_idle_contacts(db, make, settings):
    make.enlace("14")
    vinc = make.user("vinculacion")
    idle = make.contact("+523312345678", "whatsapp",
                        last_inbound_at=datetime(2021, 5, 1, tzinfo=UTC), created_at=datetime(2021, 5, 1, tzinfo=UTC))
    opted_out = make.contact("+523398765432", "sms", opt_out=True,
                             last_inbound_at=datetime(2020, 1, 1, tzinfo=UTC), created_at=datetime(2020, 1, 1, tzinfo=UTC))
    active = make.contact("+523355555555", "whatsapp", last_inbound_at=datetime(2026, 11, 1, tzinfo=UTC),
                          created_at=datetime(2020, 1, 1, tzinfo=UTC))
    _concluded(db, make, vinc, (2021, 5, 3, 10), canal="whatsapp", contact=idle)
    old_msg = Message(contact_id=active.id, direction=Direction.INBOUND, channel="whatsapp", body="hola 2020",
                      status="processed", created_at=datetime(2020, 2, 1, tzinfo=UTC))
    new_msg = Message(contact_id=active.id, direction=Direction.INBOUND, channel="whatsapp", body="hola 2026",
                      status="processed", created_at=datetime(2026, 11, 1, tzinfo=UTC))
    db.add_all([old_msg, new_msg])
    db.commit()
    with mx_time(2026, 11, 23, 10):
        result = purge(db, settings.instance_dir)
    db.expire_all()
    assert result.contacts == 1
    assert db.get(Contact, idle.id).phone == f"anon:{idle.id}"
    assert db.get(Contact, opted_out.id).phone == "+523398765432"  # kept: never message it again
    assert db.get(Contact, active.id).phone == "+523355555555"
    assert db.get(Message, old_msg.id).body == "" and db.get(Message, new_msg.id).body == "hola 2026"


def test_open_case_is_never_purged(db, make, settings):
    make.enlace("14")
    with mx_time(2019, 1, 7, 10):
        case = make.case("queja", "14", description="Nadie me responde")
    with mx_time(2026, 11, 23, 10):
        result = purge(db, settings.instance_dir)
    assert result.cases == 0
    assert db.get(Case, case.id).description == "Nadie me responde"
    assert datetime(2026, 11, 23, 10, tzinfo=MX_TZ)  # frozen clock used above
