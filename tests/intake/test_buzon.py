"""Public buzón: a case on canal buzon, consent, honeypot, rate limit, CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.models import AuditEvent, Case
from tests.support.web import csrf

URL = "/buzon"


def form(token, **overrides):
    data = {"csrf_token": token, "tipo": "queja", "estado": "14",
            "description": "En la clínica de Tlaquepaque no había medicamento para la presión.",
            "nombre": "", "telefono": "", "email": "", "consentimiento": "y", "sitio_web": ""}
    data.update(overrides)
    return data


def cases(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Case))


def test_submission_becomes_a_turned_case_and_shows_the_folio(client, db, make, jobs):
    make.enlace("14")
    token = csrf(client, URL)
    resp = client.post(URL, data=form(token, nombre="Rosa", telefono="33 1111 2222", email="rosa@example.mx"))
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"])
    case = db.scalar(select(Case))
    assert case.folio in page.get_data(as_text=True)
    assert (case.canal, case.tipo, case.estado_clave, case.status, case.created_by_id) == (
        "buzon", "queja", "14", "turnada", None)
    assert (case.contacto_nombre, case.contacto_telefono, case.contacto_email, case.contact_id) == (
        "Rosa", "+523311112222", "rosa@example.mx", None)
    consent = db.scalar(select(AuditEvent).where(AuditEvent.action == "consentimiento_aviso"))
    assert consent.case_id == case.id and consent.actor_label == "sistema"
    assert [j.name for j in jobs] == ["notify_volante_opened"]
    # the folio is shown once; reloading does not show it again
    assert client.get(resp.headers["Location"]).status_code == 302


def test_solicitud_from_the_buzon_is_turned_because_nobody_answered_it(client, db, make):
    make.enlace("09")
    token = csrf(client, URL)
    client.post(URL, data=form(token, tipo="solicitud_informacion", estado="09",
                               description="¿Qué documentos necesito para renovar mi póliza?"))
    assert db.scalar(select(Case.status)) == "turnada"


@pytest.mark.parametrize("overrides,message", [
    ({"consentimiento": ""}, "Para enviar tu mensaje debes aceptar el aviso de privacidad."),
    ({"tipo": "cobro_injustificado"}, "Elige una opción de la lista."),
    ({"estado": ""}, "Elige el estado."),
    ({"description": "corto"}, "Escribe entre 10 y 5,000 caracteres."),
    ({"telefono": "55"}, "El número de teléfono no es válido"),
    ({"email": "rosa@@"}, "El correo electrónico no es válido."),
])
def test_validation_keeps_what_was_typed(client, db, overrides, message):
    token = csrf(client, URL)
    data = form(token, nombre="Rosa Típica", **overrides)
    resp = client.post(URL, data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in html
    assert 'value="Rosa Típica"' in html
    if len(data["description"]) > 10:
        assert "no había medicamento" in html
    assert cases(db) == 0


def test_honeypot_gets_a_fake_success_and_nothing_is_stored(client, db):
    token = csrf(client, URL)
    resp = client.post(URL, data=form(token, sitio_web="http://spam.example"))
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Gracias, recibimos tu mensaje" in page
    assert "SINAC-" not in page
    assert cases(db) == 0


def test_csrf_is_required(client, db):
    data = form("")
    data.pop("csrf_token")
    assert client.post(URL, data=data).status_code == 400
    assert cases(db) == 0


def test_rate_limit_per_ip(settings, db):
    from backoffice.app import create_app
    from backoffice.extensions import limiter

    app = create_app(settings, TESTING=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        limiter.reset()
    token = csrf(client, URL)
    statuses = [client.post(URL, data=form(token, consentimiento=""),
                            environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    assert "Demasiados intentos" in client.post(URL, data=form(token),
                                                environ_base={"REMOTE_ADDR": "203.0.113.7"}).get_data(as_text=True)
    # another address is not affected; the page itself (GET) is never limited
    assert client.post(URL, data=form(token, consentimiento=""),
                       environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 422
    assert client.get(URL, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    assert cases(db) == 0


def test_rate_limit_behind_the_proxy_uses_the_forwarded_address(settings, db):
    from dataclasses import replace

    from backoffice.app import create_app
    from backoffice.extensions import limiter

    behind_one_proxy = replace(settings, trusted_proxy_count=1, forwarded_allow_ips="127.0.0.1")
    app = create_app(behind_one_proxy, TESTING=True, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    with app.app_context():
        limiter.reset()
    token = csrf(client, URL)

    def post(xff):
        return client.post(URL, data=form(token, consentimiento=""), headers={"X-Forwarded-For": xff},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

    # a client spoofing the first hop is still counted by the address the proxy appended
    assert [post(f"10.0.0.{i}, 203.0.113.50") for i in range(6)] == [422] * 5 + [429]
    assert post("203.0.113.51") == 422  # another citizen behind the same proxy is not blocked
