"""Privacy: phones and CURP masked in the logs of the real processes (gunicorn and rq worker) and
in list pages; no message bodies or secrets at INFO; the audit log records logins, exports and
permission changes."""

from __future__ import annotations

import logging

from sqlalchemy import select

from core.models import AuditEvent, Case
from tests.faults.conftest import TOKEN, inbound_form, sid
from tests.security.conftest import CSRF_RE, make_app
from tests.support.web import login

PHONE = "+523312345678"
CURP = "GOHM800101HJCMRR09"
BODY = f"Hola, mi CURP es {CURP} y me cobraron 150 en el centro de salud de Zapopan"
SECRETS = [PHONE, PHONE[1:], "3312345678", CURP, "centro de salud de Zapopan", TOKEN, "fault-secret"]


def test_logs_of_the_real_processes_mask_pii_and_hold_no_bodies(stack, db, standin, make):
    make.enlace("14")
    for n, body in enumerate([BODY, "SI"], start=1):
        assert stack.post_webhook(inbound_form(sid(n), sender=f"whatsapp:{PHONE}", body=body,
                                               ProfileName="Rosa Pérez")).status_code == 200
        stack.run_burst_worker()
    db.expire_all()
    assert db.scalar(select(Case)) is not None, "the conversation registered a case (positive control)"
    assert standin.messages()
    logs = stack.server_log() + stack.worker_logs()
    assert "process_inbound_message" in logs  # the worker logged its jobs
    for secret in SECRETS + ["Rosa Pérez", "me cobraron"]:
        assert secret not in logs, f"{secret!r} in the process logs"


def test_mask_filter_on_records_at_every_level(caplog):
    """Whatever a module logs (message, args or extras), the handler's filter masks it."""
    import io

    from core.logs import ContextFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter("%(message)s %(phone)s"))
    log = logging.getLogger("sinac.test.privacy")
    log.addHandler(handler)
    try:
        log.warning("from %s curp %s", f"whatsapp:{PHONE}", CURP, extra={"phone": "+52 33 1234 5678"})
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert "5678" in out and PHONE not in out and CURP not in out and "33 1234 5678" not in out


def test_lists_mask_phone_and_curp(settings, db, make, users):
    from core.timeutil import now

    contact = make.contact(PHONE, handoff=True, handoff_at=now())
    make.case(estado_clave="14", contact=contact, curp=CURP, contacto_telefono=PHONE)
    lists = ["/volantes/", "/volantes/?estado=14&status=todos", "/conversaciones/", "/avisos/", "/directorio/",
             "/informe/"]
    for role in ("enlace", "vinculacion", "participacion_social", "admin"):
        client = make_app(settings).test_client()
        login(client, users[role])
        for url in lists:
            response = client.get(url)
            if response.status_code != 200:
                continue
            html = response.get_data(as_text=True)
            for secret in (PHONE, "3312345678", "33 1234 5678", CURP):
                assert secret not in html, f"{role} {url} shows {secret}"


def test_audit_records_logins_exports_and_permission_changes(settings, db, users):
    client = make_app(settings).test_client()
    login(client, users["admin"])
    # a failed login by someone else
    other = make_app(settings).test_client()
    token = CSRF_RE.search(other.get("/login").get_data(as_text=True)).group(1)
    other.post("/login", data={"email": users["vinculacion"].email, "password": "mal-123456", "csrf_token": token})
    # an export
    assert client.get("/informe/casos?formato=csv").status_code == 200
    # a permission change: the enlace becomes participación social, then is deactivated
    enlace = users["enlace"]
    page = client.get(f"/admin/usuarios/{enlace.id}").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(f"/admin/usuarios/{enlace.id}", data={
        "csrf_token": token, "nombre": "Enlace", "role": "participacion_social", "estado": "", "cargo": "",
        "telefono": ""})
    assert response.status_code == 302
    token = CSRF_RE.search(client.get(f"/admin/usuarios/{enlace.id}").get_data(as_text=True)).group(1)
    assert client.post(f"/admin/usuarios/{enlace.id}/desactivar", data={"csrf_token": token}).status_code == 302
    db.expire_all()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert "login" in actions and "login_fallido" in actions
    assert "exportacion" in actions
    changes = [e for e in events if e.action == "permiso_cambiado"]
    assert len(changes) >= 2
    assert all(e.actor_label for e in changes)
    # the audit trail itself holds no password
    for e in events:
        assert "mal-123456" not in str(e.data) and "Prueba-segura" not in str(e.data)
