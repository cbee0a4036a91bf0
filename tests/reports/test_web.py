"""Dashboard, exports and their isolation: an enlace sees and exports only its estado."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from core.models import AuditEvent
from tests.reports.helpers import chart_data
from tests.support.web import login


def test_dashboard_for_participacion_social(client, make, scenario):
    dps = make.user("participacion_social")
    login(client, dps)
    resp = client.get("/informe/?mes=2026-10")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Informe mensual · octubre 2026 · Nacional" in html
    assert 'src="/static/vendor/chart.umd.min.js"' in html and "cdn" not in html.lower()
    data = chart_data(html)
    assert data["report"]["total"]["casos_registrados"] == 12
    assert data["report"]["total_anterior"]["casos_registrados"] == 4
    assert data["queue"] == {"mes": "2026-10"}  # each bar adds its figure and group
    assert data["queue_url"] in (None, "/volantes/")
    assert "Jalisco (n=4)" in html  # shown with its n, not ranked (n < 10)
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200
    assert client.get("/static/js/reports.js").status_code == 200


def test_dashboard_national_reader_filters_by_estado(client, make, scenario):
    login(client, scenario.users["vinc"])
    data = chart_data(client.get("/informe/?mes=2026-10&estado=09").get_data(as_text=True))
    assert data["report"]["estado"] == "09" and data["report"]["total"]["casos_registrados"] == 3
    assert client.get("/informe/?mes=2026-13").status_code == 400
    assert client.get("/informe/?mes=2099-01").status_code == 400  # no reports for future months
    assert client.get("/informe/?mes=2026-10&estado=99").status_code == 404


def test_enlace_sees_only_its_estado(client, scenario):
    login(client, scenario.users["jal"])
    html = client.get("/informe/?mes=2026-10&estado=09").get_data(as_text=True)
    data = chart_data(html)
    assert data["report"]["estado"] == "14"
    assert [r["clave"] for r in data["report"]["por_estado"]] == ["14"]
    assert data["report"]["total"]["casos_registrados"] == 8


def test_dashboard_requires_login(client):
    resp = client.get("/informe/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def _audits(db):
    db.expire_all()
    return db.scalars(select(AuditEvent).where(AuditEvent.action == "exportacion").order_by(AuditEvent.id)).all()


def test_report_xlsx_has_one_sheet_per_breakdown_and_is_audited(client, db, make, scenario):
    dps = make.user("participacion_social")
    login(client, dps)
    resp = client.get("/informe/exportar?mes=2026-10&formato=xlsx")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="informe-2026-10-nacional.xlsx"'
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["Resumen", "Por estado", "Por canal", "Por tipo", "Por enlace", "Temas de cobertura",
                             "Tendencia", "Definiciones"]
    summary = {row[1]: (row[2], row[3]) for row in wb["Resumen"].iter_rows(min_row=3, values_only=True)}
    assert summary["casos_registrados"] == (12, 4)
    assert summary["monto_reembolsado"] == (500.0, 0.0)
    estados = list(wb["Por estado"].iter_rows(values_only=True))
    assert len(estados) == 1 + 33
    jal = next(r for r in estados if r[0] == "14")
    assert jal[1] == "Jalisco" and jal[2] == 8
    audit = _audits(db)[-1]
    assert audit.actor_id == dps.id
    assert audit.data == {"tipo": "informe", "mes": "2026-10", "estado": None, "formato": "xlsx", "filas": None}


def test_report_csv(client, make, scenario):
    login(client, make.user("participacion_social"))
    resp = client.get("/informe/exportar?mes=2026-10&formato=csv&estado=14")
    body = resp.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["desglose", "clave", "etiqueta", "indicador", "nombre", "2026-10", "2026-09"]
    total = {r[3]: (r[5], r[6]) for r in rows if r[0] == "total"}
    assert total["casos_registrados"] == ("8", "2")
    assert total["pct_en_plazo"] == ("0.75", "1.0")
    assert ["tema", "1", "diabetes", "consultas", "Consultas de cobertura", "1", ""] in rows


def _cases_csv(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def test_case_export_enlace_only_its_estado_and_masked(client, db, scenario):
    login(client, scenario.users["jal"])
    rows = _cases_csv(client, "/informe/casos?mes=2026-10&formato=csv&estado=09")
    folios = {r["Folio"] for r in rows}
    jal_cases = {n for n in "ABEFGIKMN"}
    assert folios == {scenario.cases[n].folio for n in jal_cases}
    assert {r["Estado"] for r in rows} == {"Jalisco"}
    audit = _audits(db)[-1]
    assert audit.data == {"tipo": "casos", "mes": "2026-10", "estado": "14", "formato": "csv", "filas": 9}


def test_case_export_national_rows_and_figures(client, make, scenario):
    login(client, make.user("participacion_social"))
    rows = {r["Folio"]: r for r in _cases_csv(client, "/informe/casos?mes=2026-10&formato=csv")}
    # every case with an event in October: all but O, P, Q (September only)
    assert set(rows) == {scenario.cases[n].folio for n in "ABCDEFGHIJKLMN"}
    b = rows[scenario.cases["B"].folio]
    assert (b["Rondas (volantes)"], b["Devoluciones"], b["Resultado"]) == ("2", "1", "no_favorable")
    assert b["Días hábiles a la primera respuesta"] == "4" and b["Días hábiles a la conclusión"] == "7"
    assert b["Fechas de cada ronda"] == ("1 JAL: enviado 2026-10-05, límite 2026-10-20, respondido 2026-10-09, "
                                         "devuelto 2026-10-13; 2 JAL: enviado 2026-10-13, límite 2026-10-20, "
                                         "respondido 2026-10-14, aceptado 2026-10-15")
    assert b["Enlace"] == "Enlace Jalisco"
    c = rows[scenario.cases["C"].folio]
    assert (c["Monto reclamado"], c["Monto reembolsado"], c["Satisfacción (1-5)"]) == ("800.0", "500.0", "3")
    assert c["Fecha de registro"] == "2026-09-28" and c["Días hábiles a la conclusión"] == "5"
    h = rows[scenario.cases["H"].folio]
    assert h["Estado"] == "Ciudad de México" and h["Días hábiles a la primera respuesta"] == "2"


def test_case_export_xlsx_neutralises_formulas_and_masks_phone(client, db, make, scenario):
    enlace = scenario.users["jal"]
    enlace.nombre = "=HYPERLINK(\"http://x\",\"clic\")"
    case = scenario.cases["A"]
    case.contacto_telefono = "+5213398765432"
    case.curp = "GOMC800101HJCRRR09"
    db.commit()
    login(client, make.user("participacion_social"))
    resp = client.get("/informe/casos?mes=2026-10&formato=xlsx")
    ws = load_workbook(io.BytesIO(resp.data))["Casos"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    a = dict(zip(header, next(r for r in rows if r[0] == case.folio)))
    assert a["Enlace"] == "'=HYPERLINK(\"http://x\",\"clic\")"
    assert "98765432" not in a["Teléfono (enmascarado)"] and a["Teléfono (enmascarado)"].endswith("32")
    assert a["CURP (enmascarada)"] == "GOMC" + "*" * 14
    assert a["Días hábiles a la primera respuesta"] == 3


def test_neutralize():
    from core.spreadsheets import neutralize

    assert [neutralize(v) for v in ("=1+1", "+52", "-3", "@SUM(A1)", "\tx", "hola", 5, None)] == [
        "'=1+1", "'+52", "'-3", "'@SUM(A1)", "'\tx", "hola", 5, None]
