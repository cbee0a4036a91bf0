"""The phone simulator: staff only; posts correctly signed webhooks over HTTP to the running app
and shows the bot's replies read from the stand-in."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.config import Settings
from core.enums import Role
from core.models import Message
from tests.channels.conftest import make_app
from tests.support.web import login


def test_simulator_is_staff_only(running_app, make):
    client = running_app.test_client()
    assert client.get("/simulador").status_code == 302
    login(client, make.enlace("14"))
    assert client.get("/simulador").status_code == 403
    assert client.post("/simulador/enviar", json={"phone": "+523312345678", "body": "hola"}).status_code in (400, 403)


def test_simulator_posts_signed_webhook_and_shows_replies(running_app, make, db, standin):
    client = running_app.test_client()
    login(client, make.user(Role.VINCULACION))
    page = client.get("/simulador").get_data(as_text=True)
    assert "Simulador de teléfono" in page and "js/simulator.js" in page
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    response = client.post("/simulador/enviar", json={"phone": "33 1234 5678", "channel": "whatsapp", "body": "hola"},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["address"] == "whatsapp:+523312345678"
    db.expire_all()
    [message] = db.scalars(select(Message).where(Message.direction == "inbound")).all()
    assert message.body == "hola" and message.channel == "whatsapp"
    data = client.get("/simulador/mensajes?phone=%2B523312345678&channel=whatsapp").get_json()
    assert data["messages"][0]["from"] == "phone" and data["messages"][0]["body"] == "hola"
    if message.status == "processed":  # the dialogue ran inline and answered through the stand-in
        assert any(m["from"] == "bot" for m in data["messages"])
        assert [m["body"] for m in data["messages"] if m["from"] == "bot"] == \
            [m["body"] for m in standin.messages(to="whatsapp:+523312345678")]


def test_simulator_sms_and_validation(running_app, make, db):
    client = running_app.test_client()
    login(client, make.user(Role.ADMIN))
    csrf = re.search(r'data-csrf="([^"]+)"', client.get("/simulador").get_data(as_text=True)).group(1)
    headers = {"X-CSRFToken": csrf}
    assert client.post("/simulador/enviar", json={"phone": "nada", "body": "hola"}, headers=headers).status_code == 400
    assert client.post("/simulador/enviar", json={"phone": "+523312345678", "body": " "}, headers=headers).status_code == 400
    assert client.post("/simulador/enviar", json={"phone": "+523312345678", "channel": "fax", "body": "x"},
                       headers=headers).status_code == 400
    response = client.post("/simulador/enviar", json={"phone": "+523312345678", "channel": "sms", "body": "ALTA"},
                           headers=headers)
    assert response.status_code == 200 and response.get_json()["address"] == "+523312345678"
    assert client.post("/simulador/enviar", json={"phone": "+523312345678", "body": "x"}).status_code == 400  # no CSRF


def test_simulator_without_standin_does_not_send(settings, db, make, monkeypatch):
    monkeypatch.setenv("TWILIO_API_BASE_URL", "")
    client = make_app(Settings.from_env()).test_client()
    login(client, make.user(Role.VINCULACION))
    page = client.get("/simulador").get_data(as_text=True)
    assert "python -m standin" in page
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    response = client.post("/simulador/enviar", json={"phone": "+523312345678", "body": "hola"},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 409
