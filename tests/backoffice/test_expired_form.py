"""An expired, missing or forged CSRF token: the house's page says the form expired and nothing
was saved, links back to the page the form was on and carries what was typed (never the token,
passwords or files) for kept_form.js to put back. backoffice/expired_form.py."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import func, select

from core.models import Holiday, Note, User
from tests.support.web import csrf, login, text

EXPIRED = "El formulario expiró"


def kept(resp) -> dict:
    block = re.search(r'<script type="application/json" id="kept-form">(.*?)</script>', text(resp), re.DOTALL)
    assert block, text(resp)[:500]
    return json.loads(block.group(1))


def back_link(resp) -> str:
    return re.search(r'href="([^"]*)" id="kept-form-back"', text(resp)).group(1)


def test_a_case_note_with_an_expired_token_is_kept_not_saved(client, make, db):
    enlace = make.enlace("14")
    case = make.case(estado_clave="14")
    login(client, enlace)
    page = f"http://localhost/casos/{case.id}"
    resp = client.post(f"/casos/{case.id}/notas", data={"body": "Llamé a la unidad y no contestaron",
                                                          "csrf_token": "caducado"}, headers={"Referer": page})
    assert resp.status_code == 400
    html = text(resp)
    assert EXPIRED in html and "no se guardó nada" in html and "Solicitud no válida" not in html
    assert back_link(resp) == f"/casos/{case.id}"
    assert kept(resp) == {"action": f"/casos/{case.id}/notas", "back": f"/casos/{case.id}",
                          "fields": {"body": ["Llamé a la unidad y no contestaron"]}}
    assert "caducado" not in html
    assert db.scalar(select(func.count()).select_from(Note)) == 0
    # the page it goes back to runs the script that puts the text back
    assert "js/kept_form.js" in text(client.get(f"/casos/{case.id}"))


def test_an_admin_form_without_its_token_keeps_the_text_but_not_the_passwords(client, make, db):
    admin = make.user("admin")
    login(client, admin)
    csrf(client, "/admin/dias-inhabiles")
    resp = client.post("/admin/dias-inhabiles", data={"fecha": "2026-12-24", "descripcion": "Cierre de oficinas"},
                       headers={"Referer": "http://localhost/admin/dias-inhabiles"})
    assert resp.status_code == 400 and EXPIRED in text(resp)
    assert kept(resp)["fields"] == {"fecha": ["2026-12-24"], "descripcion": ["Cierre de oficinas"]}
    assert db.scalar(select(func.count()).select_from(Holiday)) == 0

    resp = client.post("/admin/", data={"csrf_token": "x", "nuevo-nombre": "Enlace Nuevo",
                                        "nuevo-email": "nuevo@sinac.local", "nuevo-password": "Nopal-azul-12345",
                                        "nuevo-confirm": "Nopal-azul-12345"},
                       headers={"Referer": "http://localhost/admin/"})
    assert resp.status_code == 400 and "Nopal-azul" not in text(resp)
    assert set(kept(resp)["fields"]) == {"nuevo-nombre", "nuevo-email"}
    assert db.scalar(select(User).where(User.email == "nuevo@sinac.local")) is None


def test_an_upload_with_an_expired_token_asks_for_the_file_again(client, make, db):
    login(client, make.user("admin"))
    resp = client.post("/padron/importar", data={"csrf_token": "viejo",
                                                  "archivo": (io.BytesIO(b"curp,nombre\n"), "padron.csv")},
                       content_type="multipart/form-data", headers={"Referer": "http://localhost/padron/importar"})
    assert resp.status_code == 400
    assert EXPIRED in text(resp) and "Vuelve a elegir el archivo" in text(resp)
    assert back_link(resp) == "/padron/importar" and kept(resp)["fields"] == {}


def test_a_public_form_without_a_referrer_goes_back_to_its_own_page(client, db):
    resp = client.post("/buzon", data={"description": "El doctor no llegó"})
    assert resp.status_code == 400 and EXPIRED in text(resp)
    assert back_link(resp) == "/buzon"
    assert kept(resp)["fields"]["description"] == ["El doctor no llegó"]


def test_a_referrer_on_another_site_is_not_followed(client, make, db):
    login(client, make.user("admin"))
    resp = client.post("/admin/dias-inhabiles", data={"descripcion": "x"},
                       headers={"Referer": "https://otro.example/admin/dias-inhabiles"})
    assert resp.status_code == 400 and back_link(resp) == "/admin/dias-inhabiles"


def test_logging_in_with_an_expired_page_keeps_the_e_mail_only(client, make):
    user = make.user("vinculacion")
    resp = client.post("/login", data={"email": user.email, "password": "Sinac-demo-2026"},
                       headers={"Referer": "http://localhost/login"})
    assert resp.status_code == 400 and EXPIRED in text(resp)
    assert kept(resp)["fields"] == {"email": [user.email]} and "Sinac-demo" not in text(resp)


def test_a_button_with_nothing_typed_does_not_promise_text_back(client, make):
    login(client, make.user("vinculacion"))
    resp = client.post("/logout", data={"csrf_token": "viejo"}, headers={"Referer": "http://localhost/volantes/"})
    assert resp.status_code == 400 and EXPIRED in text(resp)
    assert "lo que escribiste" not in text(resp) and back_link(resp) == "/volantes/"
    assert client.get("/volantes/").status_code == 200  # still signed in: nothing was done
