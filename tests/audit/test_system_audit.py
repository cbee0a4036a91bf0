"""The system audit (issue 17 item 10): client address and user agent on logins, exports and
permission changes, case views recorded apart from the case's history, and the admin screen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import audit
from core.actors import SYSTEM
from core.audit_search import AuditFilter, search
from core.enums import Role
from core.models import AuditEvent
from core.timeutil import today_mx
from core.versions import changes_since, last_event_id
from tests.support.web import csrf_from, login, text

UA = "Mozilla/5.0 (pruebas SINAC)"
IP = "198.51.100.23"


def _from(client, ip: str = IP, ua: str = UA):
    client.environ_base.update({"REMOTE_ADDR": ip, "HTTP_USER_AGENT": ua})
    return client


def _events(db, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_login_success_and_failure_carry_address_and_browser(client, db, make):
    user = make.user(Role.VINCULACION)
    _from(client)
    token = csrf_from(text(client.get("/login")))
    bad = client.post("/login", data={"email": "  " + user.email.upper(), "password": "no-es-esta-123",
                                      "csrf_token": token})
    assert bad.status_code == 401
    login(client, user)
    failed, = _events(db, "login_fallido")
    assert (failed.actor_label, failed.ip, failed.user_agent) == (user.email, IP, UA)
    ok, = _events(db, "login")
    assert (ok.actor_id, ok.ip, ok.user_agent) == (user.id, IP, UA)
    client.post("/logout", data={"csrf_token": csrf_from(text(client.get("/volantes/")))})
    out, = _events(db, "logout")
    assert (out.actor_id, out.ip) == (user.id, IP)


def test_exports_and_permission_changes_carry_address(client, db, make):
    admin = make.user(Role.ADMIN)
    enlace = make.enlace("14")
    login(_from(client), admin)
    resp = client.get("/informe/exportar?formato=csv")
    assert resp.status_code == 200
    export, = _events(db, "exportacion")
    assert (export.actor_id, export.ip, export.user_agent) == (admin.id, IP, UA)
    page = text(client.get(f"/admin/usuarios/{enlace.id}"))
    resp = client.post(f"/admin/usuarios/{enlace.id}", data={
        "csrf_token": csrf_from(page), "nombre": enlace.nombre, "role": Role.VINCULACION, "estado": ""})
    assert resp.status_code == 302
    change, = _events(db, "permiso_cambiado")
    assert change.data["a"]["role"] == Role.VINCULACION
    assert (change.ip, change.user_agent) == (IP, UA)


def test_events_outside_a_request_have_no_address(db, make):
    case = make.case()
    registered = [e for e in _events(db, "registrar") if e.case_id == case.id]
    assert registered and all(e.ip is None and e.user_agent is None for e in registered)


def test_case_view_is_recorded_once_per_open_and_kept_out_of_the_history(client, db, make):
    vinc = make.user(Role.VINCULACION)
    case = make.case()
    history_before = last_event_id(db, case.id)
    login(_from(client), vinc)
    assert client.get(f"/casos/{case.id}").status_code == 200
    assert client.get(f"/casos/{case.id}").status_code == 200
    views = _events(db, audit.CASE_VIEW)
    assert [(v.case_id, v.actor_id, v.ip, v.user_agent) for v in views] == [(case.id, vinc.id, IP, UA)] * 2
    # a colleague opening the case is not a change: the collision check and timeline ignore it
    assert last_event_id(db, case.id) == history_before
    assert all(c.action != audit.CASE_VIEW for c in changes_since(db, case.id, None))
    assert "Consulta de un caso" not in text(client.get(f"/casos/{case.id}"))


def test_enlace_outside_scope_leaves_no_view(client, db, make):
    enlace = make.enlace("09")
    case = make.case(estado_clave="14")
    login(client, enlace)
    assert client.get(f"/casos/{case.id}").status_code == 404
    assert _events(db, audit.CASE_VIEW) == []


def test_audit_screen_is_admin_only(client, make):
    assert client.get("/admin/auditoria/").status_code == 302  # to the login page
    for role in (Role.VINCULACION, Role.PARTICIPACION_SOCIAL):
        user = make.user(role)
        login(client, user)
        assert client.get("/admin/auditoria/").status_code == 403
        client.post("/logout", data={"csrf_token": csrf_from(text(client.get("/volantes/")))})
    login(client, make.enlace("14"))
    assert client.get("/admin/auditoria/").status_code == 403


def test_audit_screen_filters_by_user_action_folio_and_dates(client, db, make):
    admin = make.user(Role.ADMIN)
    vinc = make.user(Role.VINCULACION, email="ana.vinculacion@test.local")
    case = make.case()
    other = make.case()
    login(_from(client, "203.0.113.5"), vinc)
    client.get(f"/casos/{case.id}")
    client.get(f"/casos/{other.id}")
    client.post("/logout", data={"csrf_token": csrf_from(text(client.get("/volantes/")))})
    login(_from(client), admin)
    page = text(client.get("/admin/auditoria/", query_string={"usuario": "ana.", "accion": audit.CASE_VIEW}))
    assert page.count("Consulta de un caso</td>") == 2 and "203.0.113.5" in page
    page = text(client.get("/admin/auditoria/", query_string={"folio": case.folio.lower(), "accion": audit.CASE_VIEW}))
    assert case.folio in page and other.folio not in page
    assert "No existe un caso" in text(client.get("/admin/auditoria/", query_string={"folio": "SINAC-1999-000001"}))
    today = today_mx()
    assert "No hay eventos" in text(client.get("/admin/auditoria/", query_string={
        "desde": (today + timedelta(days=1)).isoformat()}))
    assert "ana.vinculacion@test.local" in text(client.get("/admin/auditoria/", query_string={
        "desde": today.isoformat(), "hasta": today.isoformat(), "usuario": "ana.vinculacion@test.local"}))
    assert client.get("/admin/auditoria/", query_string={"accion": "borrar_todo"}).status_code == 400
    assert client.get("/admin/auditoria/", query_string={"desde": "ayer"}).status_code == 400


def test_audit_search_pages_by_keyset(db, make):
    for n in range(7):
        audit.record(db, SYSTEM, "plazo_cambiado", data={"n": n})
    db.commit()
    f = AuditFilter(accion="plazo_cambiado")
    first = search(db, f, page_size=3)
    second = search(db, AuditFilter(accion="plazo_cambiado", before=first.next_before), page_size=3)
    third = search(db, AuditFilter(accion="plazo_cambiado", before=second.next_before), page_size=3)
    seen = [e.data["n"] for page in (first, second, third) for e, _ in page.rows]
    assert seen == [6, 5, 4, 3, 2, 1, 0]
    assert third.next_before is None


def test_retention_deletes_old_access_events_and_keeps_the_rest(db, make, settings):
    from datetime import UTC, datetime

    from core.retention import purge
    from core.timeutil import clock_at

    case = make.case()
    vinc = make.user(Role.VINCULACION)
    with clock_at(datetime(2020, 1, 10, 16, tzinfo=UTC)):
        audit.record_view(db, make.actor(vinc), case)
        audit.record(db, make.actor(vinc), "login")
        audit.record(db, make.actor(vinc), "exportacion", data={"tipo": "casos"})
        db.flush()
    with clock_at(datetime(2026, 1, 5, 16, tzinfo=UTC)):
        audit.record_view(db, make.actor(vinc), case)
        db.flush()
    db.commit()
    with clock_at(datetime(2026, 6, 1, 16, tzinfo=UTC)):
        result = purge(db, settings.instance_dir)
    assert result.access_events == 2
    db.expire_all()
    left = {(e.action, e.created_at.year) for e in db.scalars(select(AuditEvent).where(
        AuditEvent.action.in_([audit.CASE_VIEW, "login", "exportacion"])))}
    assert left == {(audit.CASE_VIEW, 2026), ("exportacion", 2020)}


def test_saving_a_snapshot_is_audited(client, db, make):
    from core.reports import Month

    vinc = make.user(Role.VINCULACION)
    login(_from(client), vinc)
    month = Month.previous_to_today().key
    page = text(client.get("/informe/instantaneas"))
    resp = client.post("/informe/instantaneas", data={"csrf_token": csrf_from(page), "mes": month})
    assert resp.status_code == 302
    saved, = _events(db, "informe_guardado")
    assert (saved.actor_id, saved.data["mes"], saved.ip) == (vinc.id, month, IP)
