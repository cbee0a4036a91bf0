"""Admin pages: users (create, role/estado, deactivate) audited; plazos and holidays change the
next volante's due date."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Holiday, User
from core.plazos import calendar
from core.timeutil import today_mx
from tests.support.web import csrf, login


@pytest.fixture
def admin(client, as_role):
    return as_role("admin")


def audit(db, action):
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def new_user(token, **overrides):
    data = {"csrf_token": token, "nuevo-nombre": "Enlace Nuevo", "nuevo-email": "Nuevo.Enlace@Sinac.Local",
            "nuevo-role": "enlace", "nuevo-estado": "26", "nuevo-cargo": "Jefa de atención",
            "nuevo-telefono": "662 000 0000", "nuevo-password": "Nopal-azul-12345", "nuevo-confirm": "Nopal-azul-12345"}
    data.update(overrides)
    return data


def test_create_user_and_it_can_log_in(client, admin, db, app):
    token = csrf(client, "/admin/")
    resp = client.post("/admin/", data=new_user(token))
    assert resp.status_code == 302
    user = db.scalar(select(User).where(User.email == "nuevo.enlace@sinac.local"))
    assert (user.role, user.estado_clave, user.cargo, user.telefono) == ("enlace", "26", "Jefa de atención",
                                                                          "662 000 0000")
    created = audit(db, "usuario_creado")[-1]
    assert created.actor_id == admin.id and created.data["user_id"] == user.id
    other = app.test_client()
    login(other, user, "Nopal-azul-12345")


@pytest.mark.parametrize("overrides,message", [
    ({"nuevo-password": "corta1", "nuevo-confirm": "corta1"},
     "La contraseña debe tener al menos 12 caracteres."),
    ({"nuevo-password": "Password2026!", "nuevo-confirm": "Password2026!"},
     "Esa contraseña es de las más usadas y se adivina fácilmente"),
    ({"nuevo-confirm": "Otra-12345"}, "Las contraseñas no coinciden."),
    ({"nuevo-estado": ""}, "Un enlace necesita un estado."),
    ({"nuevo-email": "no-es-correo"}, "El correo electrónico no es válido."),
    ({"nuevo-role": "superusuario"}, "Elige una opción de la lista."),
    ({"nuevo-nombre": ""}, "Escribe el nombre."),
])
def test_create_user_validation_keeps_values(client, admin, db, overrides, message):
    token = csrf(client, "/admin/")
    resp = client.post("/admin/", data=new_user(token, **overrides))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in html
    assert 'value="Jefa de atención"' in html
    assert 'value="Nopal-azul-12345"' not in html  # passwords are never echoed back
    assert db.scalar(select(User).where(User.email == "nuevo.enlace@sinac.local")) is None


def test_user_list_filters(client, admin, make):
    make.enlace("26", nombre="Pedro Sonora")
    make.enlace("14", nombre="Laura Jalisco")
    make.user("participacion_social", nombre="Dirección DPS")
    html = client.get("/admin/?perfil=enlace&estado=26").get_data(as_text=True)
    assert "Pedro Sonora" in html and "Laura Jalisco" not in html and "Dirección DPS" not in html
    html = client.get("/admin/?q=laura").get_data(as_text=True)
    assert "Laura Jalisco" in html and "Pedro Sonora" not in html


def test_duplicate_email_is_refused(client, admin, make, db):
    make.user("vinculacion", email="ya@sinac.local")
    token = csrf(client, "/admin/")
    resp = client.post("/admin/", data=new_user(token, **{"nuevo-email": "YA@sinac.local"}))
    assert resp.status_code == 422
    assert "Ya existe un usuario con ese correo." in resp.get_data(as_text=True)


def test_change_role_and_estado_is_audited(client, admin, make, db):
    enlace = make.enlace("14")
    url = f"/admin/usuarios/{enlace.id}"
    token = csrf(client, url)
    resp = client.post(url, data={"csrf_token": token, "nombre": enlace.nombre, "role": "enlace", "estado": "09",
                                  "cargo": "", "telefono": ""})
    assert resp.status_code == 302
    resp = client.post(url, data={"csrf_token": token, "nombre": enlace.nombre, "role": "vinculacion",
                                  "estado": "09", "cargo": "Coordinador", "telefono": ""})
    assert resp.status_code == 302
    db.expire_all()
    user = db.get(User, enlace.id)
    assert (user.role, user.estado_clave, user.cargo) == ("vinculacion", None, "Coordinador")
    changes = audit(db, "permiso_cambiado")
    assert {e.data["cambio"] for e in changes} == {"perfil"}
    assert [(e.actor_id, e.data["de"], e.data["a"]) for e in changes] == [
        (admin.id, {"role": "enlace", "estado": "14"}, {"role": "enlace", "estado": "09"}),
        (admin.id, {"role": "enlace", "estado": "09"}, {"role": "vinculacion", "estado": None}),
    ]
    assert audit(db, "directorio_actualizado")[-1].data["campos"] == ["cargo"]


def test_edit_page_shows_the_current_values(client, admin, make):
    enlace = make.enlace("26", cargo="Jefa de atención")
    html = client.get(f"/admin/usuarios/{enlace.id}").get_data(as_text=True)
    assert '<option selected value="26">Sonora</option>' in html or 'value="26" selected' in html
    assert '<option selected value="enlace">' in html or 'value="enlace" selected' in html
    assert 'value="Jefa de atención"' in html


def test_edit_validation_in_spanish(client, admin, make, db):
    other = make.user("vinculacion")
    url = f"/admin/usuarios/{other.id}"
    token = csrf(client, url)
    resp = client.post(url, data={"csrf_token": token, "nombre": "Nombre Tecleado", "role": "enlace", "estado": "",
                                  "cargo": "", "telefono": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Un enlace necesita un estado." in html and 'value="Nombre Tecleado"' in html
    assert audit(db, "permiso_cambiado") == []


def test_admin_cannot_change_own_role_or_deactivate_self(client, admin, db):
    url = f"/admin/usuarios/{admin.id}"
    token = csrf(client, url)
    resp = client.post(url, data={"csrf_token": token, "nombre": admin.nombre, "role": "vinculacion",
                                  "estado": "", "cargo": "", "telefono": ""})
    assert resp.status_code == 422 and "No puedes cambiar tu propio perfil." in resp.get_data(as_text=True)
    client.post(f"{url}/desactivar", data={"csrf_token": token})
    db.expire_all()
    assert db.get(User, admin.id).active and db.get(User, admin.id).role == "admin"


def test_deactivate_and_activate_are_audited_and_block_login(client, admin, make, db, app):
    user = make.user("vinculacion")
    token = csrf(client, "/admin/")
    assert client.post(f"/admin/usuarios/{user.id}/desactivar", data={"csrf_token": token}).status_code == 302
    db.expire_all()
    assert db.get(User, user.id).active is False
    other = app.test_client()
    t = csrf(other, "/login")
    assert other.post("/login", data={"email": user.email, "password": "Prueba-segura-123",
                                      "csrf_token": t}).status_code == 401
    client.post(f"/admin/usuarios/{user.id}/activar", data={"csrf_token": token})
    db.expire_all()
    assert db.get(User, user.id).active is True
    assert [(e.actor_id, e.data["user_id"], e.data["cambio"], e.data["a"]) for e in audit(db, "permiso_cambiado")] == [
        (admin.id, user.id, "desactivada", {"active": False}), (admin.id, user.id, "activada", {"active": True})]


def test_state_changing_posts_need_csrf(client, admin, make, db):
    user = make.user("vinculacion")
    assert client.post(f"/admin/usuarios/{user.id}/desactivar").status_code == 400
    assert client.post("/admin/plazos", data={"queja": "3"}).status_code == 400
    db.expire_all()
    assert db.get(User, user.id).active is True


# -- plazos and holidays ---------------------------------------------------------------------------


def plazos_form(token, **overrides):
    data = {"csrf_token": token, "queja": "10", "cobro_injustificado": "10", "solicitud_informacion": "5",
            "consulta_cobertura": "5", "sugerencia": "15", "felicitacion": "15", "devolucion": "5",
            "revision": "3", "jefatura": ""}
    data.update(overrides)
    return data


def test_plazo_change_is_audited_and_sets_the_next_volantes_due_date(client, admin, make, db):
    make.enlace("14")
    before = make.case("queja", "14").open_volante
    assert before.plazo_dias == 10
    token = csrf(client, "/admin/plazos")
    resp = client.post("/admin/plazos", data=plazos_form(token, queja="3", devolucion="2"))
    assert resp.status_code == 302
    assert 'value="3"' in client.get("/admin/plazos").get_data(as_text=True)
    changes = audit(db, "plazo_cambiado")
    assert sorted((e.data["tipo"], e.data["de"], e.data["a"]) for e in changes) == [
        ("devolucion", 5, 2), ("queja", 10, 3)]
    after = make.case("queja", "14").open_volante
    assert after.plazo_dias == 3
    assert after.due_date == calendar(db).add(today_mx(after.sent_at), 3)
    assert make.case("sugerencia", "14").open_volante.plazo_dias == 15  # other tipos untouched
    db.expire_all()
    assert db.get(type(before), before.id).plazo_dias == 10  # volantes already open keep theirs


@pytest.mark.parametrize("value,message", [
    ("0", "El plazo debe estar entre 1 y 120 días hábiles."),
    ("121", "El plazo debe estar entre 1 y 120 días hábiles."),
    ("diez", "Escribe un número entero de días hábiles."),
    ("", "Escribe un número entero de días hábiles."),
])
def test_plazo_validation(client, admin, db, value, message):
    token = csrf(client, "/admin/plazos")
    resp = client.post("/admin/plazos", data=plazos_form(token, queja=value, sugerencia="7"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html
    assert 'value="7"' in html  # keeps what was typed
    assert audit(db, "plazo_cambiado") == []


def _next_business_day(db):
    cal = calendar(db)
    return cal.add(today_mx(), 1)


def test_extra_holiday_moves_the_next_due_date_and_can_be_removed(client, admin, make, db):
    make.enlace("14")
    day = _next_business_day(db)
    without = calendar(db).add(today_mx(), 10)
    token = csrf(client, "/admin/dias-inhabiles")
    resp = client.post("/admin/dias-inhabiles", data={"csrf_token": token, "fecha": day.isoformat(),
                                                      "descripcion": "Día del servidor público"})
    assert resp.status_code == 302
    assert db.get(Holiday, day).descripcion == "Día del servidor público"
    volante = make.case("queja", "14").open_volante
    assert volante.due_date == calendar(db).add(today_mx(volante.sent_at), 10)
    assert volante.due_date > without
    html = client.get("/admin/dias-inhabiles").get_data(as_text=True)
    assert "Día del servidor público" in html and "Año Nuevo" in html
    again = client.post("/admin/dias-inhabiles", data={"csrf_token": token, "fecha": day.isoformat(),
                                                       "descripcion": "Otra vez"})
    assert again.status_code == 422 and "Ese día ya está registrado como inhábil." in again.get_data(as_text=True)
    resp = client.post(f"/admin/dias-inhabiles/{day.isoformat()}/eliminar", data={"csrf_token": token})
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(Holiday, day) is None
    assert [e.data["fecha"] for e in audit(db, "dia_inhabil_agregado")] == [day.isoformat()]
    assert [e.data["fecha"] for e in audit(db, "dia_inhabil_eliminado")] == [day.isoformat()]
    assert client.post("/admin/dias-inhabiles/2020-01-01/eliminar", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("fecha,message", [
    ("2026-11-21", "Ese día es fin de semana: ya es inhábil."),
    ("2026-12-25", "Ese día ya es inhábil oficial"),
    ("25/12/2026", "Escribe una fecha válida (AAAA-MM-DD)."),
    ("", "Elige la fecha."),
])
def test_holiday_validation(client, admin, db, fecha, message):
    token = csrf(client, "/admin/dias-inhabiles")
    resp = client.post("/admin/dias-inhabiles", data={"csrf_token": token, "fecha": fecha,
                                                      "descripcion": "Motivo tecleado"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html and 'value="Motivo tecleado"' in html
    assert db.scalars(select(Holiday)).all() == []
