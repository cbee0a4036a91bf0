"""Confidential reports (issue 17 item 9): the affiliate's identity on a confidential case is seen
by Vinculación only — the case page, its files, the queue, the phone search, the phone's other
reports and the exports hide it from the enlace, DPS and admins."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from core import follow
from core.actors import BOT
from core.confidential import asks_confidentiality
from core.models import Attachment, Case, Message
from core.services import cases as svc
from core.timeutil import today_mx
from tests.support.web import csrf, csrf_from, login, text

NAME, PHONE, CURP, EMAIL = "Rosa Pérez Gómez", "+523311112222", "PEGR800101MJCRMS09", "rosa@example.mx"


@pytest.mark.parametrize("said", [
    "que no sepan mi nombre", "No quiero que la clínica sepa quién soy", "es confidencial porfa",
    "quiero que sea anónimo", "tengo miedo a represalias", "no quiero que el doctor sepa que fui yo",
    "sin mi nombre por favor",
])
def test_asking_for_confidentiality_is_recognised(said):
    assert asks_confidentiality(said)


@pytest.mark.parametrize("said", [
    "me cobraron 300 en el centro de salud", "no pusieron mi nombre en la lista de espera",
    "no me atendieron y no saben mi nombre", "",
])
def test_ordinary_reports_are_not_confidential(said):
    assert not asks_confidentiality(said)


@pytest.fixture
def confidential(db, make):
    make.enlace("14")
    contact = make.contact(PHONE)
    case = svc.register_case(db, BOT, tipo="queja", canal="whatsapp", estado_clave="14", contact=contact,
                             description="En la clínica de Tonalá me negaron la consulta.", curp=CURP,
                             contacto_nombre=NAME, contacto_email=EMAIL, confidencial=True).case
    msg = Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp",
                  body="Soy Rosa Pérez, que no sepan mi nombre", status="processed")
    db.add(msg)
    db.flush()
    db.add(Attachment(case_id=case.id, message_id=msg.id, filename="recibo-rosa.jpg", content_type="image/jpeg",
                      url="https://api.twilio.com/media/1"))
    plain = svc.register_case(db, BOT, tipo="queja", canal="whatsapp", estado_clave="14", contact=contact,
                              description="Otra queja, esta sin reserva.", contacto_nombre=NAME).case
    db.commit()
    return case, plain


def _page(client, case) -> str:
    resp = client.get(f"/casos/{case.id}")
    assert resp.status_code == 200
    return text(resp)


@pytest.mark.parametrize("role", ["enlace", "admin", "participacion_social"])
def test_case_page_hides_identity_from_all_but_vinculacion(client, make, confidential, role):
    case, plain = confidential
    login(client, make.enlace("14") if role == "enlace" else make.user(role))
    page = _page(client, case)
    for private in (NAME, "Rosa", "3311112222", "2222", CURP[:4] + "•", EMAIL, "recibo-rosa.jpg"):
        assert private not in page
    assert 'data-testid="confidential"' in page and 'data-testid="transcript-hidden"' in page
    assert "me negaron la consulta" in page  # what the unit needs to act on stays
    att = make.session.scalar(select(Attachment))
    assert client.get(f"/adjuntos/{att.id}").status_code == 404
    # the phone's other report does not lead back to the confidential one
    assert case.folio not in _page(client, plain)


def test_vinculacion_sees_the_identity(client, make, confidential):
    case, plain = confidential
    login(client, make.user("vinculacion"))
    page = _page(client, case)
    for private in (NAME, PHONE, CURP, EMAIL, "Soy Rosa Pérez"):
        assert private in page
    assert case.folio in _page(client, plain)


def test_queue_and_phone_search_keep_the_enlace_away(client, make, confidential):
    case, plain = confidential
    login(client, make.enlace("14"))
    queue = text(client.get("/volantes/"))
    row = queue[queue.index(f'data-folio="{case.folio}"'):]
    row = row[:row.index("</tr>")]
    assert "Confidencial" in row and "2222" not in row
    found = text(client.get("/volantes/", query_string={"q": "3311112222"}))
    assert plain.folio in found and case.folio not in found
    client.post("/logout", data={"csrf_token": csrf_from(queue)})
    login(client, make.user("vinculacion"))
    assert case.folio in text(client.get("/volantes/", query_string={"q": "3311112222"}))


def test_exports_hide_the_phone_and_curp_except_to_vinculacion(client, make, confidential):
    case, _plain = confidential
    month = today_mx().strftime("%Y-%m")

    def row_of(user):
        login(client, user)
        body = client.get(f"/informe/casos?mes={month}&formato=csv").get_data(as_text=True).lstrip("\ufeff")
        client.post("/logout", data={"csrf_token": csrf_from(text(client.get("/volantes/")))})
        return next(r for r in csv.DictReader(io.StringIO(body)) if r["Folio"] == case.folio)

    hidden = row_of(make.enlace("14"))
    assert hidden["Teléfono (enmascarado)"] == "Confidencial" and hidden["CURP (enmascarada)"] == "Confidencial"
    shown = row_of(make.user("vinculacion"))
    assert shown["Teléfono (enmascarado)"].endswith("2222") and shown["CURP (enmascarada)"].startswith("PEGR")


def test_operator_intake_marks_confidential_and_shows_the_code_once(client, db, make, monkeypatch):
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: [])
    make.enlace("14")
    login(client, make.user("vinculacion"))
    token = csrf(client, "/registro/caso")
    resp = client.post("/registro/caso", data={
        "csrf_token": token, "canal": "call_center", "tipo": "queja", "estado": "14", "amerita_gestion": "",
        "description": "Llamó para quejarse del trato en urgencias; pidió que no sepan su nombre.",
        "nombre": NAME, "telefono": "33 1111 2222", "confidencial": "y"}, follow_redirects=True)
    page = text(resp)
    case = db.scalar(select(Case).order_by(Case.id.desc()))
    assert case.confidencial is True
    code = page.split("Código de seguimiento para la persona: ")[1][:9]
    assert follow.public_status(db, case.folio, code) is not None
    assert code not in text(client.get(f"/casos/{case.id}"))  # shown once


def test_buzon_gives_a_code_and_can_be_confidential(client, db, make, monkeypatch):
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: [])
    make.enlace("14")
    token = csrf(client, "/buzon")
    resp = client.post("/buzon", data={
        "csrf_token": token, "tipo": "queja", "estado": "14", "description": "No había medicamento en la clínica.",
        "nombre": NAME, "telefono": "", "email": "", "consentimiento": "y", "sitio_web": "", "confidencial": "y"})
    page = text(client.get(resp.headers["Location"]))
    case = db.scalar(select(Case))
    assert case.confidencial is True
    code = page.split('data-testid="follow-code">')[1][:9]
    assert follow.public_status(db, case.folio, code).status == "turnada"


def test_the_assigned_enlace_sees_no_phone_and_cannot_write_to_the_person(client, make, confidential):
    case, _plain = confidential
    login(client, case.open_volante.enlace)
    page = _page(client, case)
    assert "2222" not in page
    assert "solo Vinculación Social escribe a la persona" in page  # core.services.affiliate_contact


def _waiting(db, case):
    contact = case.contact
    contact.handoff = True
    db.commit()
    return contact


@pytest.mark.parametrize("role", ["admin", "participacion_social"])
def test_conversations_page_hides_a_confidential_contact_from_all_but_vinculacion(client, make, db, confidential,
                                                                                   role):
    case, plain = confidential
    contact = _waiting(db, case)
    login(client, make.user(role))
    listing = text(client.get("/conversaciones/"))
    assert "Confidencial" in listing and "2222" not in listing and "Soy Rosa" not in listing
    page = text(client.get(f"/conversaciones/{contact.id}"))
    for private in ("3311112222", "2222", "Soy Rosa Pérez", case.folio):
        assert private not in page
    assert 'data-testid="transcript-hidden"' in page and plain.folio in page
    assert 'name="body"' not in page  # no reply form: only Vinculación answers the person


def test_an_admin_cannot_answer_a_confidential_contact(client, make, db, confidential, monkeypatch):
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: [])
    case, _plain = confidential
    contact = _waiting(db, case)
    login(client, make.user("admin"))
    page = f"/conversaciones/{contact.id}"
    resp = client.post(f"{page}/responder", data={"csrf_token": csrf_from(text(client.get(page))),
                                                  "body": "¿Me confirma su nombre?"})
    assert resp.status_code == 403 and "solo Vinculación Social escribe a la persona" in text(resp)
    assert db.scalar(select(Message).where(Message.body == "¿Me confirma su nombre?")) is None


def test_vinculacion_sees_and_answers_a_confidential_contact(client, make, db, confidential, monkeypatch):
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: [])
    case, _plain = confidential
    contact = _waiting(db, case)
    login(client, make.user("vinculacion"))
    assert "2222" in text(client.get("/conversaciones/"))
    page = f"/conversaciones/{contact.id}"
    html = text(client.get(page))
    assert PHONE in html and "Soy Rosa Pérez" in html and case.folio in html and 'name="body"' in html
    resp = client.post(f"{page}/responder", data={"csrf_token": csrf_from(html), "body": "Gracias, le damos seguimiento."})
    assert resp.status_code == 302
    assert db.scalar(select(Message).where(Message.body == "Gracias, le damos seguimiento.")) is not None


def test_an_ordinary_contact_shows_as_before(client, make, db):
    contact = make.contact("+523399998888")
    make.case(contact=contact)
    contact.handoff = True
    db.commit()
    login(client, make.user("admin"))
    html = text(client.get(f"/conversaciones/{contact.id}"))
    assert "+523399998888" in html and 'name="body"' in html and "transcript-hidden" not in html
