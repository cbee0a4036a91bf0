"""Login, lock-out, CSRF and logout."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import AuditEvent
from core.users import pair_locked_until
from tests.builders import PASSWORD
from tests.support.web import csrf


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf(client, "/login")})


def test_login_and_logout(client, make, db):
    user = make.user("vinculacion")
    resp = login(client, user.email)
    assert resp.status_code == 302
    assert client.get("/").status_code in (200, 302)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].endswith("/login")
    actions = list(db.scalars(select(AuditEvent.action)))
    assert "login" in actions


def test_wrong_password_is_refused_in_spanish_and_audited(client, make, db):
    user = make.user("vinculacion")
    resp = login(client, user.email, "incorrecta-123")
    assert resp.status_code == 401
    assert "Correo o contraseña incorrectos" in resp.get_data(as_text=True)
    assert user.email in resp.get_data(as_text=True)  # keeps what the user typed
    assert "login_fallido" in list(db.scalars(select(AuditEvent.action)))


def test_lockout_after_repeated_failures(client, make, db):
    user = make.user("vinculacion")
    for _ in range(5):
        login(client, user.email, "mala-clave-000")
    assert login(client, user.email).status_code == 401  # right password, but locked (from this address)
    db.expire_all()
    assert pair_locked_until(db, user.email, "127.0.0.1") is not None


def test_login_without_csrf_is_rejected(client, make):
    user = make.user("vinculacion")
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 400


def test_open_redirect_is_ignored(client, make):
    user = make.user("vinculacion")
    token = csrf(client, "/login")
    resp = client.post("/login?next=https://evil.example/x",
                       data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/login"])
def test_pages_render_for_anonymous(client, path):
    assert client.get(path).status_code in (200, 302)


def _session_cookie(client):
    return client.get_cookie("session").value


def test_logout_invalidates_copies_of_the_session_cookie(app, make):
    user = make.user("vinculacion")
    client = app.test_client()
    login(client, user.email)
    stolen = _session_cookie(client)
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/volantes/").status_code == 200
    client.post("/logout", data={"csrf_token": token})
    assert thief.get("/volantes/").status_code == 302  # back to login: the copy is dead too
    login(client, user.email)  # a new login works again
    assert client.get("/volantes/").status_code == 200


def test_idle_back_office_session_expires(app, make, monkeypatch):
    import time as time_module

    user = make.user("vinculacion")
    client = app.test_client()
    login(client, user.email)
    assert client.get("/volantes/").status_code == 200
    later = time_module.time() + app.config["SINAC"].backoffice_idle_minutes * 60 + 5
    monkeypatch.setattr("backoffice.auth.time.time", lambda: later)
    assert client.get("/volantes/").status_code == 302
