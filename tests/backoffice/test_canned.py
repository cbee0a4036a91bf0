"""Canned responses through the web (issue 17 item 4): the admins' page (CSRF, role-checked,
create / edit / disable, unknown placeholders refused keeping the text), insertion in a FUR's
text fields and in handoff replies without JavaScript, scoped to the case's estado."""

from __future__ import annotations

from decimal import Decimal

from core import canned
from core.enums import Role
from core.models import CannedResponse, Fur, Message
from core.timeutil import now
from tests.support.web import csrf_from, login, post, text

PAGE = "/admin/respuestas/"


def _admin_client(client, make):
    login(client, make.user(Role.ADMIN))
    return client


def test_only_admins_open_the_page(client, make):
    for role, estado in ((Role.ENLACE, "14"), (Role.VINCULACION, None), (Role.PARTICIPACION_SOCIAL, None)):
        other = client.application.test_client()
        login(other, make.user(role, estado))
        assert other.get(PAGE).status_code == 403, role
        assert other.post(PAGE, data={"nueva-titulo": "x"}).status_code in (400, 403), role
    assert client.get(PAGE).status_code == 302  # not logged in: to the login page


def test_admin_creates_edits_and_disables_with_csrf(client, make, db):
    _admin_client(client, make)
    # no CSRF token: refused, nothing saved
    resp = client.post(PAGE, data={"nueva-titulo": "Cita", "nueva-estado": "", "nueva-cuerpo": "Folio {folio}"})
    assert resp.status_code in (400, 422) and db.query(CannedResponse).count() == 0
    resp = post(client, PAGE, {"nueva-titulo": "Cita confirmada", "nueva-estado": "14",
                               "nueva-cuerpo": "Su cita en {nombre_unidad} quedó confirmada (folio {folio})."}, page=PAGE)
    assert resp.status_code == 302, text(resp)[:1500]
    saved = db.query(CannedResponse).one()
    assert saved.estado_clave == "14" and saved.active
    html = text(client.get(PAGE))
    assert "Cita confirmada" in html and "Jalisco" in html
    edit = f"{PAGE}{saved.id}"
    resp = post(client, edit, {"titulo": "Cita confirmada", "estado": "", "cuerpo": "Folio {folio}, {fecha}."},
                page=edit)
    assert resp.status_code == 302
    db.expire_all()
    assert saved.estado_clave is None and saved.cuerpo == "Folio {folio}, {fecha}."
    resp = post(client, f"{edit}/estatus", {"activa": "no"}, page=PAGE)
    assert resp.status_code == 302
    db.expire_all()
    assert not saved.active
    assert "Desactivada" in text(client.get(PAGE))


def test_unknown_placeholder_is_refused_in_spanish_keeping_the_text(client, make, db):
    _admin_client(client, make)
    body = "Hola {nombre}, su trámite en {hospital} avanza."
    resp = post(client, PAGE, {"nueva-titulo": "Avance", "nueva-estado": "", "nueva-cuerpo": body}, page=PAGE)
    assert resp.status_code == 422
    html = text(resp)
    assert "La plantilla usa un campo que no existe: {hospital}." in html
    assert "Los campos disponibles son: {folio}" in html
    assert "Hola {nombre}, su trámite en {hospital} avanza.</textarea>" in html
    assert db.query(CannedResponse).count() == 0


def _templates(make, db):
    admin = make.actor(make.user(Role.ADMIN))
    nacional = canned.save(db, admin, titulo="Reembolso", estado_clave=None,
                           cuerpo="Le informamos que su folio {folio} por {monto} fue atendido en {nombre_unidad}.")
    jalisco = canned.save(db, admin, titulo="Gestor Jalisco", estado_clave="14", cuerpo="Gestor de {estado}.")
    otro = canned.save(db, admin, titulo="Gestor Nuevo León", estado_clave="19", cuerpo="Gestor NL.")
    db.commit()
    return nacional, jalisco, otro


def test_enlace_inserts_a_filled_template_in_the_fur_without_javascript(client, make, db):
    nacional, _jalisco, otro = _templates(make, db)
    enlace = make.enlace("14")
    case = make.case("cobro_injustificado", "14", monto=Decimal(800), unidad="Hospital Civil")
    login(client, enlace)
    url = f"/volantes/{case.open_volante.id}/fur"
    html = text(client.get(url))
    assert "Reembolso (nacional)" in html and "Gestor Jalisco" in html and "Gestor Nuevo León" not in html
    resp = post(client, url, {"accion": "insertar", "plantilla": str(nacional.id),
                              "plantilla_campo": "respuesta_ciudadano", "acciones": "Hablé con la unidad.",
                              "respuesta_ciudadano": "Buen día."}, page=url)
    assert resp.status_code == 200
    html = text(resp)
    filled = f"Le informamos que su folio {case.folio} por $800.00 fue atendido en Hospital Civil."
    assert f">Buen día.\n\n{filled}</textarea>" in html
    assert ">Hablé con la unidad.</textarea>" in html  # the other field kept as typed
    assert db.query(Fur).count() == 0  # nothing saved
    # another state's template is refused, the text kept
    resp = post(client, url, {"accion": "insertar", "plantilla": str(otro.id), "plantilla_campo": "acciones",
                              "acciones": "Mi texto"}, page=url)
    assert resp.status_code == 422 and "Elige una respuesta predefinida de la lista." in text(resp)
    assert ">Mi texto</textarea>" in text(resp)


def test_staff_insert_a_template_in_a_handoff_reply(client, make, db):
    nacional, jalisco, _ = _templates(make, db)
    make.enlace("14")
    contact = make.contact("+523398765432", handoff=True, handoff_at=now(), last_inbound_at=now())
    case = make.case("cobro_injustificado", "14", contact=contact, monto=Decimal(300), unidad="Centro de Salud")
    login(client, make.user(Role.VINCULACION))
    page = f"/conversaciones/{contact.id}"
    assert "Gestor Jalisco" in text(client.get(page))
    resp = post(client, f"/conversaciones/{contact.id}/responder",
                {"accion": "insertar", "plantilla": str(jalisco.id), "plantilla_campo": "body", "body": ""}, page=page)
    assert resp.status_code == 200 and ">Gestor de Jalisco.</textarea>" in text(resp)
    # from the case page: back on the case page with the text in its reply box; nothing sent
    case_page = f"/casos/{case.id}"
    resp = post(client, f"/conversaciones/{contact.id}/responder",
                {"accion": "insertar", "plantilla": str(nacional.id), "plantilla_campo": "body", "body": "Hola.",
                 "next": "case", "case_id": str(case.id)}, page=case_page)
    assert resp.status_code == 200
    assert f">Hola.\n\nLe informamos que su folio {case.folio} por $300.00 fue atendido en Centro de Salud.</textarea>" \
        in text(resp)
    assert db.query(Message).filter(Message.kind == "staff").count() == 0
    assert csrf_from(text(resp))  # the re-rendered page carries a fresh token to send it
