"""The e-mailed PDF carries the per-enlace table (issue 17 items 6-7) in the national report only:
its figures, read from the HTML the PDF is rendered from, are the XLSX's «Por enlace» sheet's
(the same frozen snapshot, through core.reports.delivery.attachments); a state's report carries
none (core.reports.enlaces.for_mailing), and its PDF has no such table."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import ReportDelivery
from core.reports import delivery as dl
from core.reports import enlaces
from core.reports.formatting import fmt
from core.reports.pdf import report_html
from core.reports.snapshots import build_snapshot
from tests.plazos.conftest import mx_time
from tests.reports.test_enlace_figures import OCT, work  # noqa: F401 (the fixture)


class _Table(HTMLParser):
    """The rows (cell texts) of the table with data-testid="por_enlace", if any."""

    def __init__(self):
        super().__init__()
        self.found, self.inside, self.rows, self.cell = False, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == "por_enlace":
            self.found = self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif self.inside and tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _same(shown: str, value, name: str) -> bool:
    """The PDF's text for a figure (core.reports.formatting.fmt: '66.7 %', '2.8', '3', '—') is the
    sheet's number at the precision shown."""
    if value is None or shown == "—":
        return value is None and shown == "—"
    if shown.endswith(" %"):
        return abs(float(shown.removesuffix(" %")) - value * 100) <= 0.05 + 1e-9
    return abs(float(shown.replace(",", "")) - value) <= 0.05 + 1e-9


def _table(html: str) -> _Table:
    parser = _Table()
    parser.feed(html)
    return parser


def _mailed(db, estado: str | None) -> tuple[dict, object, dict[str, bytes]]:
    """What the 1st e-mails for the scope: the snapshot's data as mailed, and the attachments."""
    with mx_time(2026, 11, 30, 9):
        snapshot, _ = build_snapshot(db, OCT, estado=estado, created_by="prueba")
        db.commit()
    row = ReportDelivery(month=OCT.key, scope=f"estado:{estado}" if estado else "nacional", snapshot_id=snapshot.id)
    files = {f.filename.rsplit(".", 1)[1]: f.body for f in dl.attachments(db, row)}
    return enlaces.for_mailing(snapshot.data, national=estado is None), snapshot, files


def test_national_pdf_per_enlace_table_matches_the_xlsx_sheet(db, work):  # noqa: F811
    data, snapshot, files = _mailed(db, None)
    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Por enlace"]
    xlsx = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    names = list(enlaces.LABELS)
    assert len(xlsx) == 4  # Ana, Beto, Carla and Vinculación filed FURs in September-October

    table = _table(report_html(data, snapshot.created_at))
    header, *body = table.rows
    assert header == ["Enlace", "Estado", *enlaces.LABELS.values()]
    assert [row[:2] for row in body] == [[r[0], r[1] or ""] for r in xlsx]
    for shown, sheet_row in zip(body, xlsx, strict=True):
        for i, name in enumerate(names):
            current, previous = shown[2 + i].removesuffix(")").split(" (")
            assert _same(current, sheet_row[2 + i], name), (sheet_row[0], name, current, sheet_row[2 + i])
            assert _same(previous, sheet_row[2 + len(names) + i], name), (sheet_row[0], name, previous)
    assert any(cell not in ("— (—)", "0 (0)") for row in body for cell in row[2:])  # real figures, not blanks
    expected = [[r[0], *(fmt(r[2 + i], n) for i, n in enumerate(names))] for r in xlsx]

    # the PDF itself: the table's heading, every enlace and the first row's figures in order
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Por enlace" in text
    for row in expected:
        assert row[0] in text
    first = expected[0]
    at = text.index(first[0])
    for cell in first[1:]:
        at = text.index(cell, at)


def test_a_state_pdf_has_no_per_enlace_table(db, work):  # noqa: F811
    data, snapshot, files = _mailed(db, "14")
    assert snapshot.data.get("por_enlace")  # the snapshot keeps them ...
    assert "por_enlace" not in data  # ... the e-mailed report does not
    assert not _table(report_html(data, snapshot.created_at)).found
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Por enlace" not in text and "Ana Jalisco" not in text and "Beto Jalisco" not in text
    assert "Ana Jalisco" in report_html(snapshot.data, snapshot.created_at)  # the same template, given the rows
    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Por enlace"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == []
