"""Issue 16 items 2-3 through the web: a sent-back FUR opens prefilled (fields, evidence, the
reviewer's reason), evidence can be taken off, the reviewer sees the diff at the top of the case
page with the decision, and the rest of the phone's history is folded away."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from backoffice.uploads import resolve_key
from core.models import Attachment, Message
from core.timeutil import now, today_mx
from tests.support.web import login, post, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
REASON = "Falta el comprobante del reembolso firmado por la unidad."


def _url(volante_id):
    return f"/volantes/{volante_id}/fur"


def _file_and_send_back(client, make, db):
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    vinc = make.user("vinculacion", nombre="Ana Revisora")
    contact = make.contact("+523311112222")
    case = make.case("cobro_injustificado", "14", contact=contact, monto=800, unidad="Hospital Civil",
                     description="Me cobraron 800 por el ultrasonido")
    ec, vc = client.application.test_client(), client.application.test_client()
    login(ec, enlace)
    login(vc, vinc)
    v1 = case.open_volante.id
    resp = post(ec, _url(v1), {
        "accion": "enviar", "fecha_respuesta": today_mx().isoformat(), "acciones": "Llamé al administrador.",
        "respuesta_ciudadano": "Le reembolsarán 800 pesos.", "resultado": "favorable",
        "monto_reclamado": "800", "monto_reembolsado": "800", "fecha_reembolso": today_mx().isoformat(),
        "evidencia": [(io.BytesIO(PDF), "recibo.pdf"), (io.BytesIO(PNG), "foto.png")],
    }, page=_url(v1), content_type="multipart/form-data")
    assert resp.status_code == 302, text(resp)[:2000]
    resp = post(vc, f"/casos/{case.id}/revision", {"decision": "devolver", "reason": REASON, "version": "",
                                                   "seen_event": ""}, page=f"/casos/{case.id}")
    assert resp.status_code == 302, text(resp)[:2000]
    db.expire_all()
    return case, ec, vc


def test_sent_back_fur_opens_prefilled_with_reason_and_evidence(client, make, db):
    case, ec, _ = _file_and_send_back(client, make, db)
    v2 = db.get(type(case), case.id).open_volante
    assert v2.numero == 2
    html = text(ec.get(f"/casos/{case.id}"))
    assert "Responder con FUR (parte de la respuesta devuelta)" in html
    html = text(ec.get(_url(v2.id)))
    reason = re.search(r'data-testid="sent-back-reason">([^<]*)<', html).group(1)
    assert reason == REASON
    assert ">Llamé al administrador.</textarea>" in html and ">Le reembolsarán 800 pesos.</textarea>" in html
    assert 'value="800.00"' in html and 'value="favorable" checked' in html
    assert "recibo.pdf" in html and "foto.png" in html and 'name="quitar_evidencia"' in html
    assert 'data-testid="previous-round"' in html  # the round sent back, folded beside the form


def test_removing_carried_evidence_keeps_the_earlier_rounds_file(client, make, db, settings):
    case, ec, vc = _file_and_send_back(client, make, db)
    v2 = db.get(type(case), case.id).open_volante
    carried = {a.filename: a for a in db.scalars(select(Attachment).where(Attachment.fur_id == v2.fur.id))}
    foto_id, foto_key = carried["foto.png"].id, carried["foto.png"].storage_key
    resp = post(ec, _url(v2.id), {
        "accion": "enviar", "fecha_respuesta": today_mx().isoformat(),
        "acciones": "Llamé al administrador y envié el comprobante firmado.",
        "respuesta_ciudadano": "Le reembolsarán 800 pesos.", "resultado": "favorable",
        "monto_reclamado": "800", "monto_reembolsado": "800", "fecha_reembolso": today_mx().isoformat(),
        "quitar_evidencia": [str(foto_id)],
        "evidencia": [(io.BytesIO(PDF), "comprobante.pdf")],
    }, page=_url(v2.id), content_type="multipart/form-data")
    assert resp.status_code == 302, text(resp)[:2000]
    db.expire_all()
    names = sorted(a.filename for a in db.scalars(select(Attachment).where(Attachment.fur_id == v2.fur.id)))
    assert names == ["comprobante.pdf", "recibo.pdf"]
    # the file stays on disk: round 1 still shows it
    assert resolve_key(settings, foto_key).is_file()

    html = text(vc.get(f"/casos/{case.id}"))
    review = html[html.index('data-testid="review"'):]
    review = review[:review.index("</section>")]
    assert "Cambios respecto al volante 1" in review and REASON in review
    assert re.search(r'data-field="acciones".*?<del>Llamé al administrador\.</del>.*?'
                     r'<ins>Llamé al administrador y envié el comprobante firmado\.</ins>', review, re.DOTALL)
    assert 'data-field="resultado"' not in review  # unchanged fields are not listed
    added = review[review.index('data-testid="diff-added"'):]
    assert "comprobante.pdf" in added[:added.index("</ul>")]
    removed = review[review.index('data-testid="diff-removed"'):]
    assert "foto.png" in removed[:removed.index("</ul>")]
    assert 'value="aceptar"' in review and 'value="devolver"' in review


def test_review_comes_first_and_the_phones_other_history_is_folded(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    contact = make.contact("+523311113333")
    old = make.case(estado_clave="14", contact=contact, description="Una queja anterior cancelada")
    case = make.filed_case(contact=contact, description="No me dieron el medicamento")
    db.add_all([
        Message(contact_id=contact.id, case_id=case.id, direction="inbound", channel="whatsapp",
                body="Mensaje de este caso", status="processed"),
        Message(contact_id=contact.id, case_id=old.id, direction="inbound", channel="whatsapp",
                body="Mensaje del otro reporte", status="processed"),
        Message(contact_id=contact.id, case_id=None, direction="inbound", channel="whatsapp",
                body="Hola, ¿qué horario tienen?", status="processed", created_at=now() - timedelta(days=3)),
    ])
    db.commit()
    login(client, vinc)
    html = text(client.get(f"/casos/{case.id}"))
    review_at = html.index('data-testid="review"')
    assert review_at < html.index('id="conversacion"') < html.index("Mensaje de este caso")
    folded = html[html.index('data-testid="phone-history"'):]
    folded = folded[:folded.index("</details>")]
    assert "<details" in html[html.index('data-testid="phone-history"') - 40:html.index('data-testid="phone-history"')]
    assert old.folio in folded and "Mensaje del otro reporte" in folded and "qué horario" in folded
    assert "Mensaje de este caso" not in folded
    # an enlace sees no unlinked messages of the phone (they may belong to another state's matter)
    enlace_client = client.application.test_client()
    login(enlace_client, make.enlace("14", email="otro.enlace@test.local"))
    html = text(enlace_client.get(f"/casos/{case.id}"))
    assert "Mensaje del otro reporte" in html and "qué horario" not in html
    assert 'id="review-form"' not in html  # the decision is vinculación's
