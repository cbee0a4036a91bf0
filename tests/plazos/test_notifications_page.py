"""The Avisos page: own notifications only, open marks read, mark read in bulk."""

from __future__ import annotations

from sqlalchemy import select

from core import notifications as notif
from core.models import Notification
from tests.support.web import csrf_from, login


def test_lists_only_my_notifications_and_marks_them_read(client, db, make):
    enlace = make.enlace("14")
    other = make.enlace("09")
    case = make.case("queja", "14")
    mine = notif.notify(db, enlace, kind=notif.RECORDATORIO, text=f"Recordatorio: el volante {case.folio} vence",
                        dedupe_key="r1", case_id=case.id)
    notif.notify(db, enlace, kind=notif.VOLANTE_NUEVO, text="Nuevo volante de prueba", dedupe_key="n1")
    notif.notify(db, other, kind=notif.RECORDATORIO, text="Aviso de otro estado", dedupe_key="o1")
    db.commit()
    login(client, enlace)
    html = client.get("/avisos/").get_data(as_text=True)
    assert "Tienes 2 avisos sin leer." in html
    assert case.folio in html and "Nuevo volante de prueba" in html
    assert "Aviso de otro estado" not in html
    token = csrf_from(html)
    resp = client.post("/avisos/leidos", data={"csrf_token": token, "ids": [str(mine.id)]})
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(Notification, mine.id).read_at is not None
    assert notif.unread_count(db, enlace.id) == 1
    html = client.get("/avisos/?solo=no_leidos").get_data(as_text=True)
    assert "Nuevo volante de prueba" in html and case.folio not in html
    resp = client.post("/avisos/leidos", data={"csrf_token": token, "todos": "1"})
    assert resp.status_code == 302
    assert notif.unread_count(db, enlace.id) == 0
    assert notif.unread_count(db, other.id) == 1  # never touched


def test_opening_marks_read_and_others_cannot_open_it(client, db, make):
    enlace = make.enlace("14")
    intruder = make.enlace("14")
    case = make.case("queja", "14")
    n = notif.notify(db, enlace, kind=notif.RECORDATORIO, text="vence", dedupe_key="r1", case_id=case.id)
    db.commit()
    login(client, intruder)
    assert client.get(f"/avisos/{n.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/avisos/").get_data(as_text=True))})
    login(client, enlace)
    resp = client.get(f"/avisos/{n.id}")
    assert resp.status_code == 302
    db.expire_all()
    assert db.scalar(select(Notification.read_at).where(Notification.id == n.id)) is not None


def test_mark_read_needs_csrf_and_login(client, db, make):
    assert client.get("/avisos/").status_code == 302  # to the login page
    user = make.user("vinculacion")
    login(client, user)
    assert client.post("/avisos/leidos", data={"todos": "1"}).status_code == 400
