"""Issue 16 item 5: each queue row tells what happened (snippet), the amount of a cobro, the
business days left (core.reminders over core.plazos), the round with a «Devuelto» badge; the
enlace filter is for national roles only."""

from __future__ import annotations

import re

from core.plazos import calendar
from core.reminders import dias_restantes
from core.services import cases as svc
from core.timeutil import today_mx
from tests.support.web import login, text


def _row(html: str, folio: str) -> str:
    match = re.search(rf'<tr[^>]*data-folio="{folio}">(.*?)</tr>', html, re.DOTALL)
    assert match, folio
    return match.group(1)


def test_rows_show_snippet_amount_days_left_and_sent_back_round(client, make, db):
    vinc = make.user("vinculacion")
    enlace = make.enlace("14")
    long_text = "Me cobraron el ultrasonido en el Hospital Civil aunque tengo Seguro Popular vigente " * 4
    cobro = make.case("cobro_injustificado", "14", monto=1250, description=long_text)
    queja = make.filed_case(description="No me dieron el medicamento")
    svc.send_back(db, queja, make.actor(vinc), "Falta el nombre del médico")
    db.commit()
    login(client, enlace)
    html = text(client.get("/volantes/"))

    row = _row(html, cobro.folio)
    snippet = re.search(r'data-testid="snippet">([^<]*)<', row).group(1)
    assert snippet.startswith("Me cobraron el ultrasonido") and snippet.endswith("…") and len(snippet) <= 141
    assert "$1,250.00" in row
    assert 'data-testid="devuelto"' not in row and "Volante 1" in row
    left = dias_restantes(cobro.open_volante, today_mx(), calendar(db))
    assert f"Quedan {left} días hábiles" in row

    row = _row(html, queja.folio)
    assert "Volante 2" in row and 'data-testid="devuelto">Devuelto<' in row
    assert re.search(r'data-testid="monto">\s*</td>', row)  # no amount outside cobros
    assert f"Quedan {dias_restantes(queja.open_volante, today_mx(), calendar(db))} días hábiles" in row


def test_enlace_filter_only_for_national_roles(client, make, db):
    enlace = make.enlace("14", nombre="Enlace Uno")
    make.enlace("14", nombre="Enlace Dos", email="dos@test.local")
    mine = make.case(estado_clave="14")
    login(client, enlace)
    html = text(client.get("/volantes/"))
    assert 'id="enlace"' not in html and 'id="estado"' not in html
    # a crafted ?enlace= is ignored for an enlace: the state's queue stays whole
    assert mine.folio in text(client.get("/volantes/", query_string={"enlace": "999999"}))
    for role in ("vinculacion", "participacion_social"):
        other = client.application.test_client()
        login(other, make.user(role))
        html = text(other.get("/volantes/"))
        assert 'id="enlace"' in html and 'id="estado"' in html and "Enlace Dos" in html, role
