"""Back office: every route, as each role, for access that role must not have (from the roles of
docs DOMAIN §1, not from the code); CSRF enforced on every POST route (enumerated from url_map);
security headers on every page; session fixation; password policy and lock-out.

The per-state isolation of enlaces over every route is tests/backoffice/test_isolation.py; here
the records belong to the enlace's own state, so a refusal is about the role, not the scope."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from backoffice.uploads import store_upload
from core.models import Attachment, AuditEvent, Case, Message, Notification, ReportSnapshot, User
from core.timeutil import now
from tests.builders import PASSWORD
from tests.security.conftest import CSRF_RE, make_app
from tests.support.web import login

# endpoint prefixes / endpoints each role must never use (any method)
ADMIN_ONLY = ("admin.", "queues.", "audit_log.", "report_delivery.resend", "report_delivery.send_month",
              "report_delivery.recipients")
NATIONAL_ONLY = ("intake.", "simulator.", "conversations.")
VINCULACION_ACTIONS = ("cases.decide", "cases.turn", "cases.cancel", "cases.reassign", "cases.review",
                       "cases.pause", "cases.resume")
FORBIDDEN = {
    "enlace": ADMIN_ONLY + NATIONAL_ONLY + VINCULACION_ACTIONS + ("reports.create_snapshot", "padron.upload",
                                                                  "report_delivery."),
    "participacion_social": ADMIN_ONLY + ("intake.", "simulator.", "conversations.reply", "conversations.release",
                                          "furs.edit", "cases.add_note", "padron.") + VINCULACION_ACTIONS,
    "vinculacion": ADMIN_ONLY,
}
PUBLIC = {"static", "auth.login", "buzon.index", "buzon.sent", "health.healthz", "health.readyz",
          "observability.metrics", "webhooks.twilio_inbound", "webhooks.twilio_status", "home",
          "follow.index"}  # the public follow page: a folio and its secret code (docs/confidential.md)


class _Upload:
    def __init__(self, data: bytes, name: str):
        self.stream = io.BytesIO(data)
        self.filename = name


@pytest.fixture
def world(make, db, settings, users):
    from core.services import cases as svc

    contact = make.contact("+523312345678", handoff=True, handoff_at=now())
    case = make.case(estado_clave="14", contact=contact)
    svc.save_fur(db, case.open_volante, make.actor(users["enlace"]), make.fur_data(), submit=True)
    db.commit()
    stored = store_upload(_Upload(b"%PDF-1.4 evidencia", "evidencia.pdf"), settings)
    att = Attachment(case_id=case.id, filename="evidencia.pdf", content_type=stored.content_type,
                     size=stored.size, storage_key=stored.storage_key)
    msg = Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp", body="hola",
                  status="processed")
    from core.reports import Month
    from core.reports.snapshots import build_month_snapshots

    build_month_snapshots(db, Month.parse("2026-10"), created_by="test")
    snap = db.scalars(select(ReportSnapshot).order_by(ReportSnapshot.id)).first()
    db.add_all([att, msg])
    db.flush()
    notes = {role: Notification(user_id=u.id, kind="aviso", case_id=case.id, text="Aviso", dedupe_key=f"k-{role}")
             for role, u in users.items()}
    db.add_all(notes.values())
    db.commit()
    return {"case_id": case.id, "volante_id": case.volantes[0].id, "attachment_id": att.id,
            "contact_id": contact.id, "user_id": users["enlace"].id, "snapshot_id": snap.id,
            "queue_name": "inbound", "job_id": "inbound-1", "fecha": "2026-12-25",
            "notification_id": notes["admin"].id, "request_id": 1, "template_id": 1, "delivery_id": 1}


def _routes(app, ids):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = adapter.build(rule.endpoint, {a: ids[a] for a in rule.arguments})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _state(db):
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(AuditEvent)),
            db.scalar(select(func.count()).select_from(Case)),
            db.scalar(select(func.count()).select_from(User)),
            db.scalar(select(Case.status).order_by(Case.id).limit(1)))


@pytest.mark.parametrize("role", sorted(FORBIDDEN))
def test_each_role_is_refused_what_it_must_not_do(role, settings, db, users, world):
    client = make_app(settings, WTF_CSRF_ENABLED=False).test_client()
    login(client, users[role])
    failures, checked = [], 0
    for endpoint, method, url in _routes(client.application, world):
        if not endpoint.startswith(FORBIDDEN[role]):
            continue
        checked += 1
        before = _state(db)
        response = client.open(url, method=method, data={"motivo": "x", "body": "x", "decision": "aceptar"})
        if response.status_code not in (403, 404):
            failures.append(f"{role}: {method} {url} ({endpoint}) -> {response.status_code}")
        after = _state(db)
        if after[1:] != before[1:]:
            failures.append(f"{role}: {method} {url} changed data {before} -> {after}")
    assert checked >= 8
    assert not failures, "\n".join(failures)


def test_anonymous_reaches_only_public_pages(client, db, world):
    failures = []
    for endpoint, method, url in _routes(client.application, world):
        if endpoint in PUBLIC or endpoint.startswith("public."):  # the public blueprint (aviso, favicon)
            continue
        response = client.open(url, method=method, data={})
        location = response.headers.get("Location", "")
        if not (response.status_code in (400, 401, 403) or (response.status_code == 302 and "/login" in location)):
            failures.append(f"{method} {url} ({endpoint}) -> {response.status_code} {location}")
    assert not failures, "\n".join(failures)


def test_csrf_is_enforced_on_every_post_route(settings, db, users, world):
    """With CSRF on (as deployed), every POST without a token is refused and changes nothing;
    only the Twilio webhooks are exempt (they require a signature instead)."""
    client = make_app(settings).test_client()
    login(client, users["admin"])
    failures, checked = [], 0
    for endpoint, method, url in _routes(client.application, world):
        if method != "POST" or endpoint.startswith("webhooks."):
            continue
        checked += 1
        before = _state(db)
        for token in (None, "forged-token"):
            data = {"motivo": "x", "body": "x", "email": "a@b.mx", "password": PASSWORD}
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            if response.status_code not in (400, 403, 422):
                failures.append(f"POST {url} ({endpoint}) token={token!r} -> {response.status_code}")
        if _state(db) != before:
            failures.append(f"POST {url} ({endpoint}) changed data without a CSRF token")
        assert client.get("/volantes/").status_code == 200, f"logged out by {url}"
    assert checked >= 20
    assert not failures, "\n".join(failures)


def test_security_headers_on_every_page(settings, db, users, world):
    client = make_app(settings).test_client()
    login(client, users["admin"])
    for endpoint, method, url in _routes(client.application, world):
        if method != "GET":
            continue
        response = client.get(url)
        csp = response.headers.get("Content-Security-Policy", "")
        if endpoint == "attachments.download":  # files: nothing may run or load at all
            assert "default-src 'none'" in csp and "sandbox" in csp, url
        else:
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
        assert response.headers.get("X-Frame-Options") == "DENY", url
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), url
            assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
    https = make_app(settings, PREFERRED_URL_SCHEME="https").test_client()
    assert "max-age" in https.get("/login", base_url="https://localhost").headers.get("Strict-Transport-Security", "")


def test_session_cookie_changes_at_login_and_old_cookie_is_anonymous(settings, db, users):
    client = make_app(settings).test_client()
    page = client.get("/login")
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    planted = client.get_cookie("session").value  # what an attacker could have planted
    response = client.post("/login", data={"email": users["vinculacion"].email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    fresh = client.get_cookie("session").value
    assert fresh != planted
    assert client.get("/volantes/").status_code == 200
    attacker = make_app(settings).test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/volantes/").status_code == 302  # the planted session did not get logged in
    cookie_header = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header


def test_deactivated_or_demoted_user_loses_access_at_once(settings, db, users, world):
    client = make_app(settings, WTF_CSRF_ENABLED=False).test_client()
    login(client, users["admin"])
    assert client.get("/admin/").status_code == 200
    admin = db.get(User, users["admin"].id)
    admin.role = "participacion_social"
    db.commit()
    assert client.get("/admin/").status_code == 403
    admin.active = False
    db.commit()
    assert client.get("/informe/").status_code == 302  # logged out


def test_password_policy_and_lockout(settings, db, users, make):
    from core.actors import SYSTEM
    from core.errors import ValidationError
    from core.users import create_user, pair_locked_until

    for weak in ("corta1", "password12", "Password1234!", "p@ssw0rd-2026", "1234567890123", "aaaaaaaaaaaa", ""):
        with pytest.raises(ValidationError):
            create_user(db, SYSTEM, email=f"x{len(weak)}@test.local", nombre="X", role="vinculacion", password=weak)
    db.rollback()
    client = make_app(settings).test_client()
    user = users["vinculacion"]

    def attempt(password):
        token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        return client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})

    assert [attempt("Incorrecta-123").status_code for _ in range(5)] == [401] * 5
    locked = attempt(PASSWORD)
    assert locked.status_code == 401  # locked even with the right password (from this address)
    assert "Demasiados intentos fallidos" in locked.get_data(as_text=True)
    db.expire_all()
    assert pair_locked_until(db, user.email, "127.0.0.1") is not None
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login_fallido")) >= 6
