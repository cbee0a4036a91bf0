"""Operator intake form: registers and routes a case, validates in Spanish, keeps the values."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.models import Attachment, AuditEvent, Case
from tests.support.web import csrf

URL = "/registro/caso"


def form(token, **overrides):
    data = {
        "csrf_token": token, "canal": "call_center", "tipo": "queja", "estado": "14", "amerita_gestion": "",
        "description": "En el hospital civil no me quisieron dar la consulta de mi hija.",
        "nombre": "", "telefono": "", "email": "", "curp": "", "unidad": "", "fecha_hechos": "",
        "monto": "", "concepto": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def vinculacion(client, as_role, make):
    make.enlace("14")
    return as_role("vinculacion")


def test_registers_turns_and_redirects(client, vinculacion, db, jobs, app):
    token = csrf(client, URL)
    resp = client.post(URL, data=form(token, nombre="María López", telefono="33 1234 5678",
                                      email="Maria@Example.mx", curp="hegg560427mvzrrl04",
                                      unidad="Hospital Civil", fecha_hechos="2026-11-02"))
    assert resp.status_code == 302
    case = db.scalar(select(Case))
    assert (case.canal, case.tipo, case.estado_clave, case.status) == ("call_center", "queja", "14", "turnada")
    assert (case.contacto_nombre, case.contacto_telefono, case.contacto_email, case.curp) == (
        "María López", "+523312345678", "maria@example.mx", "HEGG560427MVZRRL04")
    assert case.created_by_id == vinculacion.id
    assert str(case.fecha_hechos) == "2026-11-02" and case.unidad == "Hospital Civil"
    assert [j.name for j in jobs] == ["notify_volante_opened"]
    if "cases.detail" in app.view_functions:
        assert resp.headers["Location"].endswith(f"/{case.id}") or str(case.id) in resp.headers["Location"]
    else:
        assert case.folio in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_amerita_gestion_choice_overrides_the_default(client, vinculacion, db):
    token = csrf(client, URL)
    client.post(URL, data=form(token, amerita_gestion="no"))
    client.post(URL, data=form(token, tipo="solicitud_informacion", canal="oficio"))  # default: no
    client.post(URL, data=form(token, tipo="solicitud_informacion", amerita_gestion="si", canal="buzon"))
    rows = db.execute(select(Case.tipo, Case.canal, Case.amerita_gestion, Case.status).order_by(Case.id)).all()
    assert [tuple(r) for r in rows] == [
        ("queja", "call_center", False, "atendida"),
        ("solicitud_informacion", "oficio", False, "atendida"),
        ("solicitud_informacion", "buzon", True, "turnada"),
    ]


def test_without_estado_the_case_waits_registered(client, vinculacion, db):
    token = csrf(client, URL)
    assert client.post(URL, data=form(token, estado="")).status_code == 302
    assert db.scalar(select(Case.status)) == "registrada"


@pytest.mark.parametrize("overrides,message", [
    ({"tipo": "cobro_injustificado"}, "El monto es obligatorio para un cobro injustificado."),
    ({"tipo": "cobro_injustificado", "monto": "trescientos"}, "Escribe una cantidad en pesos (p. ej. 350.00)."),
    ({"description": ""}, "Describe lo que pasó."),
    ({"tipo": ""}, "Elige el tipo de solicitud."),
    ({"tipo": "chisme"}, "Elige una opción de la lista."),
    ({"estado": "99"}, "Elige una opción de la lista."),
    ({"canal": "whatsapp"}, "Elige una opción de la lista."),
    ({"telefono": "123"}, "El número de teléfono no es válido"),
    ({"email": "maria@"}, "El correo electrónico no es válido."),
    ({"curp": "HEGG560427MVZRRL05"}, "La CURP no es válida: el dígito verificador no coincide."),
    ({"curp": "HEGG5604"}, "La CURP no tiene el formato correcto (18 caracteres)."),
    ({"fecha_hechos": "31/02/2026"}, "Escribe una fecha válida (AAAA-MM-DD)."),
    ({"fecha_hechos": "2099-01-01"}, "La fecha no puede estar en el futuro."),
])
def test_validation_in_spanish_keeps_values(client, vinculacion, db, overrides, message):
    token = csrf(client, URL)
    data = form(token, nombre="Juan Típico", unidad="Centro de Salud Zapopan", concepto="Consulta", **overrides)
    resp = client.post(URL, data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'value="Juan Típico"' in html and 'value="Centro de Salud Zapopan"' in html
    if data["description"]:
        assert "no me quisieron dar la consulta" in html
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_cobro_with_monto_is_accepted(client, vinculacion, db):
    token = csrf(client, URL)
    resp = client.post(URL, data=form(token, tipo="cobro_injustificado", monto="$1,250.50", concepto="Ultrasonido"))
    assert resp.status_code == 302
    assert (str(db.scalar(select(Case.monto))), db.scalar(select(Case.concepto))) == ("1250.50", "Ultrasonido")


def test_attachments_are_stored_with_the_case(client, vinculacion, db, settings):
    token = csrf(client, URL)
    data = form(token, canal="oficio")
    data["adjuntos"] = [(io.BytesIO(b"%PDF-1.4 oficio CNS/123"), "oficio 123.pdf"),
                        (io.BytesIO(b"\x89PNG\r\n\x1a\nxxxx"), "recibo.png")]
    resp = client.post(URL, data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    case = db.scalar(select(Case))
    atts = list(db.scalars(select(Attachment).order_by(Attachment.id)))
    assert [(a.case_id, a.filename, a.content_type) for a in atts] == [
        (case.id, "oficio 123.pdf", "application/pdf"), (case.id, "recibo.png", "image/png")]
    assert (settings.instance_dir / "uploads" / atts[0].storage_key).read_bytes().startswith(b"%PDF")


def test_bad_attachment_is_refused_and_nothing_stored(client, vinculacion, db, settings):
    token = csrf(client, URL)
    data = form(token, nombre="Conserva")
    data["adjuntos"] = [(io.BytesIO(b"%PDF-1.4 ok"), "bien.pdf"), (io.BytesIO(b"MZ\x90\x00"), "virus.exe")]
    resp = client.post(URL, data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "«virus.exe» no es un tipo de archivo permitido" in html and 'value="Conserva"' in html
    assert db.scalar(select(func.count()).select_from(Case)) == 0
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0
    uploads = settings.instance_dir / "uploads"
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_registration_is_audited(client, vinculacion, db):
    token = csrf(client, URL)
    client.post(URL, data=form(token))
    actions = [a for a, in db.execute(select(AuditEvent.action).where(AuditEvent.case_id.is_not(None)).order_by(AuditEvent.id))]
    assert actions[0] == "registrar" and "turnar" in actions


def test_missing_csrf_is_refused(client, vinculacion, db):
    data = form("")
    data.pop("csrf_token")
    assert client.post(URL, data=data).status_code == 400
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_call_reference_prevents_a_second_registration(client, vinculacion, db):
    token = csrf(client, URL)
    assert client.post(URL, data=form(token, referencia="CALL-778")).status_code == 302
    folio = db.scalar(select(Case.folio))
    resp = client.post(URL, data=form(token, referencia="CALL-778", nombre="Otra vez"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f"Ya existe un caso con esa referencia en este canal (folio {folio})." in html
    assert 'value="Otra vez"' in html
    assert client.post(URL, data=form(token, referencia="CALL-778", canal="oficio")).status_code == 302
    assert db.scalar(select(func.count()).select_from(Case)) == 2


def test_the_daily_file_skips_a_call_registered_by_hand(client, vinculacion, db):
    from core import callcenter as cc
    from core.actors import SYSTEM

    token = csrf(client, URL)
    client.post(URL, data=form(token, referencia="CALL-900"))
    data = b"id_llamada,estado,tipo,descripcion\nCALL-900,Jalisco,queja,La misma llamada\n"
    report, _ = cc.import_file(db, SYSTEM, data, "dia.csv")
    assert report.accepted == [] and report.rejected[0].reason.startswith("La llamada ya está registrada")


def test_a_failing_job_dispatch_does_not_lose_or_misreport_the_case(client, vinculacion, db, monkeypatch, settings):
    def boom(jobs, settings=None):
        raise RuntimeError("redis down")

    monkeypatch.setattr("workers.dispatch.enqueue_jobs", boom)
    token = csrf(client, URL)
    data = form(token)
    data["adjuntos"] = [(io.BytesIO(b"%PDF-1.4 oficio"), "oficio.pdf")]
    resp = client.post(URL, data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    att = db.scalar(select(Attachment))
    assert db.scalar(select(Case.status)) == "turnada"
    assert (settings.instance_dir / "uploads" / att.storage_key).exists()  # the file was kept


def test_a_second_call_about_the_same_charge_is_flagged_as_possible_duplicate(client, vinculacion, db):
    """Issue 17: same phone (typed differently), tipo, estado, unit and amount within the window."""
    token = csrf(client, URL)
    data = form(token, tipo="cobro_injustificado", telefono="33 1234 5678", unidad="Hospital Civil",
                monto="1200", concepto="Ultrasonido")
    assert client.post(URL, data=data).status_code == 302
    first = db.scalar(select(Case))
    resp = client.post(URL, data={**data, "telefono": "+52 33 1234 5678", "unidad": "hospital civil"},
                       follow_redirects=True)
    assert f"Posible duplicado de {first.folio}" in resp.get_data(as_text=True)
    second = db.scalar(select(Case).where(Case.id != first.id))
    assert second.possible_duplicate_id == first.id
    other = client.post(URL, data={**data, "monto": "800"}, follow_redirects=True)  # another amount
    assert "Posible duplicado" not in other.get_data(as_text=True)
