"""Stored XSS: markup arriving from affiliates (WhatsApp body, profile name, media type), the
public buzón (name, text), staff (notes, FUR text, names) and uploaded file names renders inert
on every back-office page; exports neutralise spreadsheet formulas (= + - @)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from bot.inbox import record_inbound
from core.models import Attachment, Case, Contact, Note, User
from core.reports import Month
from core.timeutil import now
from tests.security.conftest import CSRF_RE, make_app
from tests.support.web import login

XSS = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>', "<svg/onload=alert(2)>",
       "javascript:alert(3)//", "</textarea><iframe srcdoc='<script>alert(4)</script>'>"]
PAYLOAD = " ".join(XSS)
RAW_MARKERS = ['<script>alert("xss")', "<img src=x onerror", "<svg/onload", "<iframe srcdoc"]
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+52-1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)"]


@pytest.fixture
def hostile(settings, db, make, users):
    from backoffice.uploads import store_upload
    from core.services import cases as svc

    # Affiliate over WhatsApp: body, profile name and a media content type full of markup.
    message, _ = record_inbound(db, {"MessageSid": "SM" + "1" * 32, "From": "whatsapp:+5213312345678",
                                     "Body": PAYLOAD, "ProfileName": XSS[1], "NumMedia": "1",
                                     "MediaUrl0": 'https://x.example/a.jpg"><script>alert(5)</script>',
                                     "MediaContentType0": "image/jpeg"})
    db.commit()
    contact = db.get(Contact, message.contact_id)
    contact.handoff, contact.handoff_at, contact.nombre = True, now(), XSS[0]
    # A case from that phone, with markup in every free-text field, turned to Jalisco.
    enlace = users["enlace"]
    enlace_row = db.get(User, enlace.id)
    enlace_row.nombre = FORMULAS[0]
    enlace_row.cargo = XSS[2]
    db.commit()
    case = make.case(estado_clave="14", contact=contact, description=PAYLOAD, contacto_nombre=FORMULAS[3],
                     unidad=XSS[4], curp=None)
    message.case_id = case.id
    svc.save_fur(db, case.open_volante, make.actor(enlace), make.fur_data(acciones=PAYLOAD,
                                                                          respuesta_ciudadano=FORMULAS[1]),
                 submit=True)
    db.add(Note(case_id=case.id, body=PAYLOAD))

    class _Upload:
        stream = io.BytesIO(b"%PDF-1.4 evidencia")
        filename = XSS[1] + ".pdf"

    stored = store_upload(_Upload(), settings)
    db.add(Attachment(case_id=case.id, fur_id=case.open_volante.fur.id if case.open_volante else None,
                      filename=XSS[1] + ".pdf", content_type=stored.content_type, size=stored.size,
                      storage_key=stored.storage_key))
    db.commit()
    # The public buzón, through the real form.
    client = make_app(settings).test_client()
    token = CSRF_RE.search(client.get("/buzon").get_data(as_text=True)).group(1)
    response = client.post("/buzon", data={"csrf_token": token, "tipo": "queja", "estado": "14",
                                           "description": PAYLOAD, "nombre": XSS[0], "telefono": "",
                                           "email": "", "consentimiento": "y", "sitio_web": ""})
    assert response.status_code == 302
    buzon_case = db.scalar(select(Case).where(Case.canal == "buzon"))
    return {"case_id": case.id, "volante_id": case.volantes[0].id, "contact_id": contact.id,
            "attachment_id": db.scalar(select(Attachment.id).where(Attachment.storage_key == stored.storage_key)),
            "user_id": enlace.id, "buzon_case_id": buzon_case.id, "notification_id": 1, "snapshot_id": 1,
            "queue_name": "inbound", "job_id": "x", "fecha": "2026-12-25", "request_id": 1, "template_id": 1}


def _get_urls(app, ids):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in (rule.methods or ()):
            continue
        url = adapter.build(rule.endpoint, {a: ids[a] for a in rule.arguments})
        yield rule.endpoint, url
        if not rule.arguments:
            yield rule.endpoint, url + "?q=" + "%3Cscript%3Ealert(1)%3C/script%3E&estado=14"


@pytest.mark.parametrize("role", ["vinculacion", "admin", "enlace", "participacion_social"])
def test_markup_is_inert_on_every_page(role, settings, db, users, hostile):
    client = make_app(settings).test_client()
    login(client, users[role])
    pages = 0
    for endpoint, url in list(_get_urls(client.application, hostile)) + [
            ("cases.detail", f"/casos/{hostile['buzon_case_id']}")]:
        response = client.get(url)
        assert response.status_code < 500 or endpoint == "health.readyz", url  # readyz: no Redis here
        if response.mimetype != "text/html":
            continue
        pages += 1
        html = response.get_data(as_text=True)
        for marker in RAW_MARKERS:
            assert marker not in html, f"{role} {url}: raw {marker!r}"
        assert 'href="javascript:' not in html and "src=\"javascript:" not in html, url
    assert pages >= 8
    if role in ("vinculacion", "admin"):  # positive control: the text is shown, escaped
        html = client.get(f"/casos/{hostile['case_id']}").get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html or "&lt;script&gt;" in html


def _cell_ok(value) -> bool:
    return not (isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_neutralise_formulas(fmt, settings, db, users, hostile):
    client = make_app(settings).test_client()
    login(client, users["vinculacion"])
    month = Month.parse(now().strftime("%Y-%m"))
    response = client.get(f"/informe/casos?mes={month.key}&formato={fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
        assert not any(c.data_type == "f" for ws in book.worksheets for row in ws.iter_rows() for c in row)
    else:
        text = response.data.decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("HYPERLINK" in str(c) for c in cells), "the hostile enlace name is in the export"
    bad = [c for c in cells if not _cell_ok(c)]
    assert not bad, bad
    for endpoint in ("/informe/exportar",):
        response = client.get(f"{endpoint}?mes={month.key}&formato={fmt}")
        assert response.status_code == 200


def test_attachment_with_hostile_name_downloads_safely(settings, db, users, hostile):
    client = make_app(settings).test_client()
    login(client, users["vinculacion"])
    response = client.get(f"/adjuntos/{hostile['attachment_id']}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "\r" not in disposition and "\n" not in disposition  # no header injection
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
