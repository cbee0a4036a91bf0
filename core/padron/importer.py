"""The state padrón extract (CSV or XLSX), read like the call center's file (core.callcenter's
reader: encodings, separators, header variants) and validated row by row with the rules every
imported file's rows share (core.file_rows: dates, estado, phone, CURP).

Layout (docs/padron.md): curp, nombre, poliza, vigencia (the last day in force) and estado are
required; telefono is optional (the phone the REPSS has on file; it ties a phone to the affiliation
for the bot). Valid rows are written in one transaction, a CURP already in the padrón is updated
(the newer extract wins); invalid rows are reported back with their reason and never half-written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, file_rows
from core.actors import Actor
from core.callcenter.reading import read_table
from core.file_rows import CheckedRow, FileReport, RowChecks, mark_repeated
from core.models import PadronAfiliado

REQUIRED = ("curp", "nombre", "poliza", "vigencia", "estado")
COLUMNS = REQUIRED + ("telefono",)
ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "clave_curp": "curp",
    "nombre_completo": "nombre", "nombre_del_afiliado": "nombre", "afiliado": "nombre", "titular": "nombre",
    "poliza_de_afiliacion": "poliza", "num_poliza": "poliza", "numero_de_poliza": "poliza", "folio_poliza": "poliza",
    "no_poliza": "poliza", "folio_de_afiliacion": "poliza",
    "vigencia_hasta": "vigencia", "fin_vigencia": "vigencia", "fecha_fin_vigencia": "vigencia",
    "fecha_vigencia": "vigencia", "vigente_hasta": "vigencia",
    "entidad": "estado", "entidad_federativa": "estado", "estado_clave": "estado",
    "tel": "telefono", "celular": "telefono", "telefono_contacto": "telefono", "movil": "telefono",
}
MAX_ROWS = 200_000  # per file (CLI); a state's extract larger than this is split
WEB_MAX_ROWS = 5_000  # per upload: the import runs inside the web request (docs/benchmarks.md)
POLIZA_MAX = 40


class PadronRow(CheckedRow):
    """A row of the padrón extract."""


@dataclass
class PadronReport(FileReport):
    created: int = 0
    updated: int = 0


def validate_row(number: int, raw: dict) -> PadronRow:
    row = PadronRow(number, raw)
    check = RowChecks(raw, row.errors)
    curp = check.curp(missing="Falta la CURP.")
    nombre = check.nombre(missing="Falta el nombre.")
    poliza = check.required("poliza", "Falta la póliza.").upper()
    if len(poliza) > POLIZA_MAX:
        row.errors.append(f"La póliza es demasiado larga (máximo {POLIZA_MAX} caracteres).")
    vigencia = check.date("vigencia", "Vigencia", missing="Falta la vigencia.")
    estado = check.estado()
    telefono = check.phone()
    row.data = {"curp": curp, "nombre": nombre, "poliza": poliza, "vigencia": vigencia,
                "estado_clave": estado, "telefono": telefono}
    return row


def validate(body: list[tuple[int, dict]], filename: str = "") -> PadronReport:
    report = PadronReport(filename)
    rows = [validate_row(number, raw) for number, raw in body]
    mark_repeated(rows, lambda row: row.data.get("curp"), "CURP")
    for row in rows:
        (report.rejected if row.errors else report.accepted).append(row)
    return report


def write(session: Session, actor: Actor, report: PadronReport) -> None:
    """Insert or update the accepted rows (the caller commits), and one audit event for the file."""
    existing: dict[str, PadronAfiliado] = {}
    curps = [r.data["curp"] for r in report.accepted]
    for start in range(0, len(curps), 500):
        for row in session.scalars(select(PadronAfiliado).where(PadronAfiliado.curp.in_(curps[start:start + 500]))):
            existing[row.curp] = row
    for row in report.accepted:
        current = existing.get(row.data["curp"])
        if current is None:
            session.add(PadronAfiliado(**row.data, archivo=report.filename[:255] or None))
            report.created += 1
        else:
            for key, value in row.data.items():
                setattr(current, key, value)
            current.archivo = report.filename[:255] or None
            report.updated += 1
    session.flush()
    audit.record(session, actor, "padron_importado", data={
        "archivo": report.filename, "nuevos": report.created, "actualizados": report.updated,
        "rechazados": len(report.rejected)})


def import_file(session: Session, actor: Actor, data: bytes, filename: str, *, max_bytes: int | None = None,
                max_rows: int = MAX_ROWS) -> PadronReport:
    """Read, validate every row, write the valid ones. Raises core.callcenter.FileRejected for a
    file that cannot be read at all. The caller commits."""
    _columns, body, ignored = read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows,
                                         columns=COLUMNS, aliases=ALIASES, required=REQUIRED)
    report = validate(body, filename)
    report.ignored_columns = ignored
    if report.accepted:
        write(session, actor, report)
    return report


def rejected_csv(report: PadronReport) -> str:
    """The rejected rows, as uploaded, with their number and reason: fix and upload just those."""
    return file_rows.rejected_csv(report.rejected, COLUMNS)
