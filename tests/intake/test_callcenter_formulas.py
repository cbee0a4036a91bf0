"""The call center's "filas rechazadas" CSV is formula-neutralised like every other file the app
writes (issue 18, item 6), and a corrected file sent back imports the original text."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

from sqlalchemy import select

from core import callcenter as cc
from core.actors import SYSTEM
from core.models import Case
from core.spreadsheets import DANGEROUS
from tests.support.web import csrf

TODAY = date(2026, 11, 23)
HEADER = "id_llamada,fecha,telefono,nombre,estado,tipo,descripcion,unidad,monto"
HOSTILE = {
    "descripcion": '=HYPERLINK("http://evil.example","clic")',
    "nombre": "@SUM(1+1)*cmd|' /C calc'!A0",
    "unidad": "-2+3+cmd",
    "telefono": "+52 33 1234 5678",
}


def _hostile_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER.split(","))
    writer.writerow(["R1", "2026-11-20", HOSTILE["telefono"], HOSTILE["nombre"], "Narnia", "queja",
                     HOSTILE["descripcion"], HOSTILE["unidad"], ""])
    writer.writerow(["R2", "2026-11-20", "", "\tTab", "Atlántida", "queja", "\rRetorno", "", ""])
    return out.getvalue().encode()


def _unsafe(cells) -> list:
    return [c for c in cells if isinstance(c, str) and c.startswith(DANGEROUS)]


def test_rejected_rows_csv_is_neutralised(db):
    report, _jobs = cc.import_file(db, SYSTEM, _hostile_file(), "llamadas.csv", today=TODAY)
    db.rollback()
    assert [r.id_llamada for r in report.rejected] == ["R1", "R2"]
    rows = list(csv.reader(io.StringIO(cc.rejected_csv(report))))
    cells = [cell for row in rows for cell in row]
    assert not _unsafe(cells), _unsafe(cells)
    r1 = dict(zip(rows[0], rows[1]))
    assert r1["descripcion"] == "'" + HOSTILE["descripcion"]
    assert r1["nombre"] == "'" + HOSTILE["nombre"]
    assert r1["unidad"] == "'" + HOSTILE["unidad"]
    assert r1["telefono"] == "'" + HOSTILE["telefono"]


def test_corrected_rejected_rows_import_with_their_original_text(db, make):
    make.enlace("14")
    report, _jobs = cc.import_file(db, SYSTEM, _hostile_file(), "llamadas.csv", today=TODAY)
    db.rollback()
    corrected = cc.rejected_csv(report).replace("Narnia", "Jalisco").replace("Atlántida", "Jalisco")
    again, _jobs = cc.import_file(db, SYSTEM, corrected.encode(), "rechazadas.csv", today=TODAY)
    db.commit()
    assert [r.reason for r in again.rejected] == []
    case = db.scalar(select(Case).where(Case.external_ref == "R1"))
    assert case.description == HOSTILE["descripcion"]  # stored as typed; exports neutralise it again
    assert case.contacto_telefono == "+523312345678"


def test_web_page_offers_the_rejected_rows_neutralised(client, as_role, db):
    as_role("vinculacion")
    token = csrf(client, "/registro/centro-de-atencion")
    html = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(_hostile_file()), "hoy.csv")}
                       ).get_data(as_text=True)
    href = html.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]
    rows = list(csv.reader(io.StringIO(unquote(href).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert len(rows) == 3 and any("HYPERLINK" in c for c in cells)
    assert not _unsafe(cells), _unsafe(cells)
