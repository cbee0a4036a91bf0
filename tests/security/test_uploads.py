"""Uploads: type by content (not by name or declared type), size limits, no path traversal, files
served only as sandboxed downloads. Through the real forms (FUR evidence, operator intake, the
call-center import) and the download route."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import Attachment
from tests.security.conftest import CSRF_RE, make_app
from tests.support.counts import count
from tests.support.web import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
DISGUISED = {
    "html named pdf": (b"<html><script>alert(1)</script></html>", "recibo.pdf", "application/pdf"),
    "svg named png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "foto.png", "image/png"),
    "exe named jpg": (b"MZ\x90\x00\x03\x00\x00\x00", "foto.jpg", "image/jpeg"),
    "zip that is not office": (None, "hoja.xlsx", "application/vnd.ms-excel"),
    "empty": (b"", "vacio.pdf", "application/pdf"),
}


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("evil.html", "<script>alert(1)</script>")
    return buf.getvalue()


@pytest.fixture
def fur_page(settings, db, make, users):
    client = make_app(settings).test_client()
    login(client, users["enlace"])
    case = make.case(estado_clave="14")
    return client, f"/volantes/{case.open_volante.id}/fur", case


def _post_evidence(client, url, files):
    token = CSRF_RE.search(client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, "accion": "borrador", "acciones": "Se revisó.",
                                  "evidencia": files}, content_type="multipart/form-data")


@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_disguised_files_are_refused_by_content(name, fur_page, db, settings):
    client, url, _ = fur_page
    data, filename, _declared = DISGUISED[name]
    data = _zip() if data is None else data
    response = _post_evidence(client, url, [(io.BytesIO(data), filename)])
    assert response.status_code == 422
    assert count(db, Attachment) == 0
    uploads = Path(settings.instance_dir, "uploads")
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_traversal_names_are_stored_under_random_keys_and_served_as_downloads(fur_page, db, settings):
    client, url, _ = fur_page
    names = ["../../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/abs/path.pdf",
             "evil.html.pdf", "nul\x00byte.pdf", "a" * 500 + ".pdf"]
    response = _post_evidence(client, url, [(io.BytesIO(PDF), n) for n in names])
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.expire_all()
    atts = db.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert len(atts) == len(names)
    root = Path(settings.instance_dir, "uploads").resolve()
    for att in atts:
        assert ".." not in att.storage_key and "/" not in att.filename and "\\" not in att.filename
        assert "\x00" not in att.filename and len(att.filename) <= 255
        stored = next(p for p in root.rglob("*") if p.is_file() and p.name == Path(att.storage_key).name)
        assert root in stored.resolve().parents
        assert att.content_type == "application/pdf"
        download = client.get(f"/adjuntos/{att.id}")
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in download.headers["Content-Security-Policy"]
        assert download.mimetype == "application/pdf"
    assert not Path("/etc/passwd.pdf").exists()


def test_tampered_storage_key_cannot_escape_the_upload_dir(fur_page, db, settings):
    client, _, case = fur_page
    for key in ("../../../../etc/passwd", "/etc/passwd", "..%2f..%2fetc/passwd", "uploads/../../secret"):
        att = Attachment(case_id=case.id, filename="x.pdf", content_type="application/pdf", size=1, storage_key=key)
        db.add(att)
        db.commit()
        response = client.get(f"/adjuntos/{att.id}")
        assert response.status_code == 404, key
        assert b"root:" not in response.data


def test_size_limits(fur_page, db, settings):
    client, url, _ = fur_page
    # Over the whole-request limit (MAX_CONTENT_LENGTH): refused before anything is read into a file.
    huge = io.BytesIO(b"%PDF-1.4" + b"0" * (client.application.config["MAX_CONTENT_LENGTH"] + 10))
    response = _post_evidence(client, url, [(huge, "enorme.pdf")])
    assert response.status_code == 413
    assert "Archivo demasiado grande" in response.get_data(as_text=True)
    assert count(db, Attachment) == 0


def test_callcenter_import_refuses_non_spreadsheets(settings, db, users):
    client = make_app(settings).test_client()
    login(client, users["vinculacion"])
    for data, name in ((b"<script>alert(1)</script>", "dia.csv.html"), (b"MZ\x90\x00", "dia.xlsx"),
                       (_zip(), "dia.xlsx")):
        token = CSRF_RE.search(client.get("/registro/centro-de-atencion").get_data(as_text=True)).group(1)
        response = client.post("/registro/centro-de-atencion", data={"csrf_token": token,
                                                                     "archivo": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code in (400, 422), (name, response.status_code)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
