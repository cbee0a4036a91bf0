"""Every page of this area as each role: allowed, forbidden (403) or sent to the login."""

from __future__ import annotations

import pytest

PAGES = {
    "/registro/caso": {"vinculacion", "admin"},
    "/registro/centro-de-atencion": {"vinculacion", "admin"},
    "/cartera/": {"enlace", "vinculacion", "participacion_social", "admin"},
    "/cartera/?q=diabetes": {"enlace", "vinculacion", "participacion_social", "admin"},
    "/directorio/": {"enlace", "vinculacion", "participacion_social", "admin"},
    "/admin/": {"admin"},
    "/admin/plazos": {"admin"},
    "/admin/dias-inhabiles": {"admin"},
}
ROLES = ("enlace", "vinculacion", "participacion_social", "admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_per_role(client, as_role, role, path):
    as_role(role)
    resp = client.get(path)
    expected = 200 if role in PAGES[path] else 403
    assert resp.status_code == expected, (path, role)
    if expected == 403:
        assert "Sin permiso" in resp.get_data(as_text=True)


@pytest.mark.parametrize("path", list(PAGES))
def test_anonymous_is_sent_to_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("role", ("enlace", "participacion_social"))
def test_forbidden_roles_cannot_post(client, as_role, role, db):
    from sqlalchemy import func, select

    from core.models import Case

    as_role(role)
    token = client.get("/cartera/").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', token).group(1)
    resp = client.post("/registro/caso", data={"csrf_token": csrf, "canal": "oficio", "tipo": "queja",
                                               "description": "Intento sin permiso"})
    assert resp.status_code == 403
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_admin_user_page_forbidden_for_vinculacion(client, as_role, make):
    other = make.user("participacion_social")
    as_role("vinculacion")
    assert client.get(f"/admin/usuarios/{other.id}").status_code == 403


def test_buzon_is_public(client):
    resp = client.get("/buzon")
    assert resp.status_code == 200
    assert "Aviso de privacidad" in resp.get_data(as_text=True)


def test_navigation_shows_the_area_per_role(client, as_role):
    as_role("participacion_social")
    html = client.get("/cartera/").get_data(as_text=True)
    assert "Cartera de servicios" in html and "Directorio de enlaces" in html
    assert "Registrar caso" not in html and "Administración" not in html
