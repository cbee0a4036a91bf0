"""One formula-neutralising function (core/spreadsheets.py) for every CSV and XLSX the app
writes (issue 18, item 6): the report, its snapshot and the per-case export, in both formats."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.reports import Month
from core.reports.snapshots import build_snapshot
from core.spreadsheets import DANGEROUS, csv_text, neutralize, unneutralize
from tests.reports.conftest import AS_OF, at
from tests.support.web import login

ROOT = Path(__file__).resolve().parents[2]
OCT = Month.parse("2026-10")
HOSTILE = ['=HYPERLINK("http://evil.example","clic")', "+52-1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
           "\tpestaña", "\rretorno", "\nsalto"]


def test_neutralize_and_back():
    assert [neutralize(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [neutralize(v) for v in ("hola", " =espacio", "'=ya", 5, -3, 2.5, None, "")] == [
        "hola", " =espacio", "'=ya", 5, -3, 2.5, None, ""]
    assert [unneutralize(neutralize(v)) for v in HOSTILE] == HOSTILE
    assert unneutralize("'hola") == "'hola"  # only the apostrophe we add is dropped
    rows = list(csv.reader(io.StringIO(csv_text([HOSTILE, [1, None, "ok"]]))))
    assert rows == [["'" + v for v in HOSTILE], ["1", "", "ok"]]


def test_every_writer_goes_through_core_spreadsheets():
    """No module writes CSV or XLSX on its own: csv writers and openpyxl workbooks are made in
    core/spreadsheets.py only (reading files elsewhere is fine)."""
    writers = re.compile(r"csv\.writer\(|DictWriter\(|\bWorkbook\(|from openpyxl import Workbook")
    offenders = []
    for folder in ("core", "backoffice", "workers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "core" / "spreadsheets.py":
                continue
            if writers.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def _unsafe(cells) -> list:
    return [c for c in cells if isinstance(c, str) and c.startswith(DANGEROUS)]


def _cells(response, fmt: str) -> list:
    assert response.status_code == 200, response.status_code
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(response.data))
        assert not [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row
                    if c.data_type == "f"]
        return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    text = response.data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.fixture
def hostile(db, make, scenario):
    """Hostile text where users can put it: coverage topics (what the affiliate asked) and an
    enlace's name."""
    for i, text in enumerate(HOSTILE):
        case = make.case(tipo="consulta_cobertura", estado_clave="14", topic=text)
        case.created_at = case.closed_at = at(10, 20 + i % 5)
    scenario.users["jal"].nombre = HOSTILE[0]
    db.commit()
    return scenario


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_snapshot_and_case_exports_are_neutralised(fmt, client, db, make, hostile):
    login(client, make.user("participacion_social"))
    snap, _ = build_snapshot(db, OCT, as_of=AS_OF)
    db.commit()
    for url in (f"/informe/exportar?mes=2026-10&formato={fmt}",
                f"/informe/instantaneas/{snap.id}/exportar?formato={fmt}",
                f"/informe/casos?mes=2026-10&formato={fmt}"):
        cells = _cells(client.get(url), fmt)
        assert any("HYPERLINK" in str(c) for c in cells), url  # the hostile text is exported...
        assert not _unsafe(cells), (url, _unsafe(cells))  # ...as text
