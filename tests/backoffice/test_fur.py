"""The FUR form: drafts, submit, per-field Spanish errors keeping input, per-tipo fields, evidence."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from backoffice.uploads import resolve_key, safe_display_name, sniff
from core.models import Attachment, Fur
from core.timeutil import today_mx
from tests.support.web import login, post, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _good(**over):
    data = {"fecha_respuesta": today_mx().isoformat(), "acciones": "Hablé con el director del hospital.",
            "respuesta_ciudadano": "Su cita quedó para el lunes, sin costo.", "resultado": "favorable"}
    data.update(over)
    return data


@pytest.fixture
def setup(client, make, db):
    enlace = make.enlace("14")
    case = make.case(estado_clave="14")
    login(client, enlace)
    return case, case.open_volante


def _url(volante):
    return f"/volantes/{volante.id}/fur"


def test_draft_keeps_values_and_submit_files(client, db, setup):
    case, volante = setup
    resp = post(client, _url(volante), {"accion": "borrador", "acciones": "Primer avance"}, page=_url(volante))
    assert resp.status_code == 302
    html = text(client.get(_url(volante)))
    assert "Primer avance" in html and "Borrador guardado." in html
    db.expire_all()
    assert db.scalar(select(Fur).where(Fur.volante_id == volante.id)).is_draft
    resp = post(client, _url(volante), {"accion": "enviar", **_good()}, page=_url(volante))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/casos/{case.id}")
    db.expire_all()
    fur = db.scalar(select(Fur).where(Fur.volante_id == volante.id))
    assert not fur.is_draft and fur.resultado == "favorable"
    assert db.get(type(case), case.id).status == "respondida"
    # the volante no longer takes answers
    assert "ya no admite respuesta" in text(client.get(_url(volante), follow_redirects=True))


def test_submit_with_missing_fields_names_them_and_keeps_input(client, db, setup):
    _, volante = setup
    resp = post(client, _url(volante), {"accion": "enviar", "acciones": "Lo que escribí", "fecha_respuesta": ""},
                page=_url(volante))
    assert resp.status_code == 422
    html = text(resp)
    assert "Faltan datos obligatorios del FUR" in html and "respuesta al ciudadano" in html
    assert "Lo que escribí" in html
    assert 'id="err-respuesta_ciudadano">Dato obligatorio para enviar la respuesta.' in html
    assert 'id="err-resultado">Dato obligatorio' in html and 'id="err-acciones"' not in html
    db.expire_all()
    assert db.scalar(select(Fur).where(Fur.volante_id == volante.id)) is None  # nothing half-saved


def test_bad_dates_and_future_date_are_rejected_per_field(client, setup):
    _, volante = setup
    future = (today_mx() + timedelta(days=3)).isoformat()
    resp = post(client, _url(volante), {"accion": "enviar", **_good(fecha_respuesta=future, resultado="quizas")},
                page=_url(volante))
    assert resp.status_code == 422
    html = text(resp)
    assert "Fecha de respuesta: la fecha no puede ser futura." in html
    assert "Resultado: elige una opción de la lista." in html
    assert "Hablé con el director del hospital." in html
    resp = post(client, _url(volante), {"accion": "borrador", **_good(fecha_respuesta="20/11/2026")}, page=_url(volante))
    assert resp.status_code == 422
    assert "Fecha de respuesta: escribe una fecha válida (AAAA-MM-DD)." in text(resp)
    assert 'value="20/11/2026"' in text(resp)


def test_cobro_requires_amounts_and_checks_them(client, make, db):
    enlace = make.enlace("14")
    case = make.case(tipo="cobro_injustificado", estado_clave="14", monto=800)
    volante = case.open_volante
    login(client, enlace)
    html = text(client.get(_url(volante)))
    assert 'name="monto_reembolsado"' in html and 'value="800.00"' in html  # prefilled from the case
    resp = post(client, _url(volante), {"accion": "enviar", **_good(), "monto_reclamado": "800",
                                        "monto_reembolsado": "mil"}, page=_url(volante))
    assert resp.status_code == 422
    assert "Monto reembolsado: escribe una cantidad en pesos" in text(resp) and 'value="mil"' in text(resp)
    resp = post(client, _url(volante), {"accion": "enviar", **_good(), "monto_reclamado": "800",
                                        "monto_reembolsado": "900"}, page=_url(volante))
    assert resp.status_code == 422
    assert "no puede ser mayor que el reclamado" in text(resp)
    resp = post(client, _url(volante), {"accion": "enviar", **_good(), "monto_reclamado": "800",
                                        "monto_reembolsado": "800"}, page=_url(volante))
    assert resp.status_code == 422 and "fecha de reembolso" in text(resp)
    resp = post(client, _url(volante), {"accion": "enviar", **_good(), "monto_reclamado": "$800.00",
                                        "monto_reembolsado": "800", "fecha_reembolso": today_mx().isoformat()},
                page=_url(volante))
    assert resp.status_code == 302
    db.expire_all()
    fur = db.scalar(select(Fur).where(Fur.volante_id == volante.id))
    assert fur.monto_reembolsado == 800 and not fur.is_draft


def test_non_cobro_form_has_no_amount_fields(client, setup):
    _, volante = setup
    assert 'name="monto_reembolsado"' not in text(client.get(_url(volante)))


def test_evidence_upload_is_sniffed_and_stored_with_random_name(client, db, settings, setup):
    _, volante = setup
    resp = post(client, _url(volante), {
        "accion": "borrador", **_good(),
        "evidencia": [(io.BytesIO(PDF), "../../oficio final.pdf"), (io.BytesIO(PNG), "foto.png")],
    }, page=_url(volante), content_type="multipart/form-data")
    assert resp.status_code == 302, text(resp)
    atts = list(db.scalars(select(Attachment).order_by(Attachment.id)))
    assert [a.content_type for a in atts] == ["application/pdf", "image/png"]
    assert atts[0].filename == "oficio final.pdf"
    assert "oficio" not in atts[0].storage_key and atts[0].storage_key.endswith(".pdf")
    path = resolve_key(settings, atts[0].storage_key)
    assert path.read_bytes() == PDF and Path(settings.instance_dir, "uploads") in path.parents
    assert atts[0].fur_id is not None and atts[0].case_id == volante.case_id
    # downloadable by the enlace, as an attachment, never sniffed
    resp = client.get(f"/adjuntos/{atts[0].id}")
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_evidence_of_wrong_type_or_size_is_refused_keeping_fields(client, db, settings, setup, monkeypatch):
    _, volante = setup
    resp = post(client, _url(volante), {
        "accion": "borrador", **_good(acciones="Texto que debe quedarse"),
        "evidencia": [(io.BytesIO(b"MZ\x90\x00 fake exe"), "recibo.pdf")],
    }, page=_url(volante), content_type="multipart/form-data")
    assert resp.status_code == 422
    html = text(resp)
    assert "no es un tipo de archivo permitido (PDF, JPG, PNG, DOCX o XLSX)" in html
    assert "Texto que debe quedarse" in html
    assert db.scalar(select(Attachment)) is None
    uploads = Path(settings.instance_dir, "uploads")
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))

    from backoffice import uploads as up

    real = up.store_upload
    monkeypatch.setattr("backoffice.furs.store_upload", lambda f, s, **kw: real(f, s, max_bytes=16))
    resp = post(client, _url(volante), {"accion": "borrador", **_good(),
                                        "evidencia": [(io.BytesIO(PDF), "grande.pdf")]},
                page=_url(volante), content_type="multipart/form-data")
    assert resp.status_code == 422 and "supera el tamaño máximo" in text(resp)


def test_sniff_and_names():
    assert sniff(PDF[:16]) == "pdf" and sniff(b"\xff\xd8\xff\xe0") == "jpeg" and sniff(PNG[:16]) == "png"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>")
    assert sniff(buf.getvalue()[:16], buf.getvalue()) == "docx"
    assert sniff(b"<html><script>", b"<html><script>") is None
    assert sniff(b"PK\x03\x04garbage", b"PK\x03\x04garbage") is None
    assert safe_display_name("..\\..\\etc/passwd") == "passwd"
    assert safe_display_name('a"<b>.pdf') == "ab.pdf"


def test_resolve_key_refuses_traversal(settings):
    for key in ("../x", "/etc/passwd", "2026/../../x", ""):
        with pytest.raises(ValueError):
            resolve_key(settings, key)


def test_participacion_social_cannot_open_the_form(client, make, db):
    case = make.case(estado_clave="14")
    login(client, make.user("participacion_social"))
    assert client.get(_url(case.open_volante)).status_code == 403


def test_vinculacion_may_file_a_fur(client, make, db):
    case = make.case(estado_clave="14")
    login(client, make.user("vinculacion"))
    resp = post(client, _url(case.open_volante), {"accion": "enviar", **_good()}, page=_url(case.open_volante))
    assert resp.status_code == 302
    db.expire_all()
    assert db.get(type(case), case.id).status == "respondida"
