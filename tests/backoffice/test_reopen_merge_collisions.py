"""Issue 17 items 1-3 through the web app: reopen, possible duplicates and merge, stale forms
that keep the user's text, and «también lo está viendo …» with a real Redis."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import Case, Fur, Note, Notification
from core.services import cases as svc
from core.timeutil import now
from tests.support.twilio import sclient, standin  # noqa: F401 (fixtures)
from tests.support.web import csrf_from, login, post, text


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _concluded(make, db, contact=None):
    make.enlace("14", nombre="Enlace Jalisco")
    case = make.filed_case(contact=contact)
    svc.accept_fur(db, case, make.actor(make.user("vinculacion")))
    db.commit()
    return case


def test_vinculacion_reopens_and_the_affiliate_and_enlace_hear_it(sclient, standin, make, db):  # noqa: F811
    contact = make.contact("+523312345678", last_inbound_at=now())
    case = _concluded(make, db, contact)
    login(sclient, make.user("vinculacion"))
    page = f"/casos/{case.id}"
    assert "Reabrir el caso" in text(sclient.get(page))
    resp = post(sclient, f"{page}/reabrir", {"reason": ""}, page=page)
    assert resp.status_code == 422 and "Escribe el motivo de la reapertura." in text(resp)
    resp = post(sclient, f"{page}/reabrir", {"reason": "Le siguen negando el medicamento"}, page=page)
    assert resp.status_code == 302
    db.expire_all()
    case = db.get(Case, case.id)
    assert (case.status, case.ronda) == ("turnada", 2)
    html = text(sclient.get(page))
    assert "Ronda 2" in html and "Reabierto (nueva ronda)" in html and "Le siguen negando" in html
    sent = [m["body"] for m in standin.messages()]
    assert any(f"reabrimos tu folio {case.folio}" in body for body in sent), sent
    notes = db.scalars(select(Notification).where(Notification.kind == "caso_reabierto")).all()
    assert [n.user_id for n in notes] == [case.open_volante.enlace_id]


def test_enlace_cannot_reopen(client, make, db):
    case = _concluded(make, db)
    enlace = make.enlace("14")
    login(client, enlace)
    assert "Reabrir el caso" not in text(client.get(f"/casos/{case.id}"))
    resp = post(client, f"/casos/{case.id}/reabrir", {"reason": "x"}, page=f"/casos/{case.id}")
    assert resp.status_code == 403


def test_possible_duplicate_is_shown_and_merged(sclient, standin, make, db):  # noqa: F811
    make.enlace("14")
    contact = make.contact("+523312340077", last_inbound_at=now())
    first = make.case("cobro_injustificado", "14", contact=contact, monto=350, unidad="CS Tonalá",
                      description="Me cobraron la consulta")
    dup = make.case("cobro_injustificado", "14", contact=contact, monto=350, description="Lo del cobro otra vez")
    login(sclient, make.user("vinculacion"))
    html = text(sclient.get(f"/casos/{dup.id}"))
    assert "Posible duplicado de" in html and first.folio in html
    assert dup.folio in text(sclient.get(f"/casos/{first.id}"))  # the earlier case lists the later one
    resp = post(sclient, f"/casos/{dup.id}/fusionar", {"survivor": "SINAC-1999-000001"}, page=f"/casos/{dup.id}")
    assert resp.status_code == 422 and "Escribe o elige el folio" in text(resp)
    resp = post(sclient, f"/casos/{dup.id}/fusionar", {"survivor": first.folio.lower(), "reason": "Mismo cobro"},
                page=f"/casos/{dup.id}")
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(Case, dup.id).merged_into_id == first.id
    html = text(sclient.get(f"/casos/{dup.id}"))
    assert "Este folio se fusionó en" in html and first.folio in html
    html = text(sclient.get(f"/casos/{first.id}"))
    assert "Folios fusionados en este caso" in html
    # both timelines on the survivor: its own registration and the duplicate's, badge-labelled
    assert html.count("Registro") >= 2 and "Fusionado en otro folio" in html
    assert any(f"usa el folio {first.folio}".lower() in m["body"].lower() for m in standin.messages())


def test_stale_review_shows_who_changed_what_and_keeps_the_reason(client, make, db):
    make.enlace("14")
    ana, beto = make.user("vinculacion", nombre="Ana Revisora"), make.user("vinculacion", nombre="Beto Revisor")
    case = make.filed_case()
    login(client, beto)
    page = text(client.get(f"/casos/{case.id}"))
    version, seen = _hidden(page, "version"), _hidden(page, "seen_event")
    # Ana sends it back from her own browser meanwhile
    other = client.application.test_client()
    login(other, ana)
    assert post(other, f"/casos/{case.id}/revision", {"decision": "devolver", "reason": "Falta evidencia"},
                page=f"/casos/{case.id}").status_code == 302
    resp = client.post(f"/casos/{case.id}/revision", data={
        "csrf_token": csrf_from(page), "decision": "aceptar", "reason": "Mi texto de revisión",
        "version": version, "seen_event": seen})
    body = text(resp)
    assert resp.status_code == 409
    assert "Alguien más cambió este caso" in body
    assert "Ana Revisora" in body and "Devuelto al enlace" in body and "Falta evidencia" in body
    db.expire_all()
    assert db.get(Case, case.id).status == "turnada"


def test_stale_note_keeps_the_text_and_resubmits(client, make, db):
    vin = make.user("vinculacion", nombre="Beto")
    case = make.case("queja", "14")
    login(client, vin)
    page = text(client.get(f"/casos/{case.id}"))
    svc.add_note(db, case, make.actor(make.user("vinculacion", nombre="Ana")), "Ya llamé yo")
    db.commit()
    data = {"csrf_token": csrf_from(page), "body": "Mi nota larga que no quiero perder",
            "version": _hidden(page, "version"), "seen_event": _hidden(page, "seen_event")}
    resp = client.post(f"/casos/{case.id}/notas", data=data)
    body = text(resp)
    assert resp.status_code == 409 and "Mi nota larga que no quiero perder</textarea>" in body
    assert "Nota interna" in body and "Ana" in body
    # the re-rendered form carries the fresh version: sending it again saves
    data.update(version=_hidden(body, "version"), seen_event=_hidden(body, "seen_event"))
    assert client.post(f"/casos/{case.id}/notas", data=data).status_code == 302
    assert [n.body for n in db.scalars(select(Note).where(Note.case_id == case.id).order_by(Note.id))] == [
        "Ya llamé yo", "Mi nota larga que no quiero perder"]


def test_stale_fur_draft_shows_the_saved_text_and_keeps_mine(client, make, db):
    ana = make.enlace("14", nombre="Ana Enlace")
    beto = make.enlace("14", nombre="Beto Enlace")
    case = make.case("queja", "14")
    url = f"/volantes/{case.open_volante.id}/fur"
    login(client, beto)
    form = text(client.get(url))
    assert _hidden(form, "fur_version") == "0"
    other = client.application.test_client()
    login(other, ana)
    ana_form = text(other.get(url))
    assert other.post(url, data={"csrf_token": csrf_from(ana_form), "fur_version": "0", "accion": "borrador",
                                 "acciones": "Ana habló con el director"}).status_code == 302
    resp = client.post(url, data={"csrf_token": csrf_from(form), "fur_version": "0", "accion": "borrador",
                                  "acciones": "Beto visitó la unidad", "respuesta_ciudadano": "Texto de Beto"})
    body = text(resp)
    assert resp.status_code == 409
    assert "Ana Enlace guardó este FUR" in body and "Ana habló con el director" in body
    assert "Beto visitó la unidad</textarea>" in body and "Texto de Beto</textarea>" in body
    assert db.scalar(select(Fur.acciones)) == "Ana habló con el director"
    resp = client.post(url, data={"csrf_token": csrf_from(body), "fur_version": _hidden(body, "fur_version"),
                                  "accion": "borrador", "acciones": "Beto visitó la unidad"})
    assert resp.status_code == 302
    db.expire_all()
    assert db.scalar(select(Fur.acciones)) == "Beto visitó la unidad"
    assert db.scalar(select(Fur.updated_by_id)) == beto.id


@pytest.fixture
def redis_client(redis_url, settings, db, monkeypatch):
    from backoffice import presence
    from backoffice.app import create_app
    from core.config import Settings

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(presence, "_down_until", 0.0)
    app = create_app(Settings.from_env(), TESTING=True, RATELIMIT_ENABLED=False)
    return app


def test_two_people_on_a_case_see_each_other(redis_client, make, db):
    from backoffice import presence

    case = make.case("queja", "14")
    ana, beto = make.user("vinculacion", nombre="Ana Pérez"), make.user("vinculacion", nombre="Beto Ruiz")
    a, b = redis_client.test_client(), redis_client.test_client()
    login(a, ana), login(b, beto)
    assert "También lo" not in text(a.get(f"/casos/{case.id}"))
    assert "También lo está viendo Ana Pérez." in text(b.get(f"/casos/{case.id}"))
    assert a.get(f"/casos/{case.id}/presencia").get_json() == {"text": "También lo está viendo Beto Ruiz."}
    with redis_client.app_context():
        presence.leave(case.id, beto.id)
    assert a.get(f"/casos/{case.id}/presencia").get_json() == {"text": ""}
    assert presence.sentence(["Ana", "Beto", "Carla"]) == "También lo están viendo Ana, Beto y Carla."


def test_affiliate_reopen_after_a_low_score_runs_a_second_round_with_its_own_notices(
        sclient, standin, make, db):  # noqa: F811
    from core.satisfaction import QUESTION, record_answer
    from core.services.reopen import reopen_by_affiliate
    from workers import notify

    enlace = make.enlace("14", nombre="Enlace Jalisco")
    contact = make.contact("+523312340099", last_inbound_at=now())
    case = make.filed_case(contact=contact)
    login(sclient, make.user("vinculacion"))
    page = f"/casos/{case.id}"
    assert post(sclient, f"{page}/revision", {"decision": "aceptar"}, page=page).status_code == 302
    db.expire_all()
    assert record_answer(db, contact, "1, no me resolvieron nada")
    db.commit()
    result = reopen_by_affiliate(db, contact, reason="no me resolvieron nada")
    db.commit()
    notify.case_reopened(**result.jobs[0].kwargs)
    bodies = [m["body"] for m in standin.messages()]
    assert sum(QUESTION in b for b in bodies) == 1
    assert any(f"reabrimos tu folio {case.folio}" in b and "a más tardar" in b for b in bodies), bodies
    db.expire_all()
    case = db.get(Case, case.id)
    svc.save_fur(db, case.open_volante, make.actor(enlace),
                 make.fur_data(respuesta_ciudadano="Segunda respuesta: su consulta es el lunes."), submit=True)
    db.commit()
    assert post(sclient, f"{page}/revision", {"decision": "aceptar"}, page=page).status_code == 302
    bodies = [m["body"] for m in standin.messages()]
    assert any("Segunda respuesta" in b for b in bodies)
    assert sum(QUESTION in b for b in bodies) == 2  # surveyed again after the new conclusion
    db.expire_all()
    assert record_answer(db, contact, "5")
    db.commit()
    db.expire_all()
    assert db.get(Case, case.id).satisfaction == 5
    vinc_notices = db.scalars(select(Notification).where(Notification.kind == "caso_reabierto")).all()
    assert len(vinc_notices) == 2  # the round's enlace and vinculación (the affiliate asked)
