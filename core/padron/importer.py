"""The state padrón extract (CSV or XLSX), read like the call center's file (core.callcenter's
reader: encodings, separators, header variants) and validated row by row.

Layout (docs/padron.md): curp, nombre, poliza, vigencia (the last day in force) and estado are
required; telefono is optional (the phone the REPSS has on file; it ties a phone to the affiliation
for the bot). Valid rows are written in one transaction, a CURP already in the padrón is updated
(the newer extract wins); invalid rows are reported back with their reason and never half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.callcenter.reading import read_table
from core.callcenter.validation import cell_text, parse_date
from core.errors import ValidationError
from core.estados import match_estado
from core.models import PadronAfiliado
from core.phones import normalize_phone
from core.spreadsheets import csv_text
from core.text.curp import clean_curp

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


@dataclass
class PadronRow:
    number: int
    raw: dict
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return " ".join(self.errors)


@dataclass
class PadronReport:
    filename: str
    accepted: list[PadronRow] = field(default_factory=list)
    rejected: list[PadronRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0


def validate_row(number: int, raw: dict) -> PadronRow:
    row = PadronRow(number, raw)
    err = row.errors.append
    curp = None
    try:
        curp = clean_curp(cell_text(raw.get("curp")))
        if curp is None:
            err("Falta la CURP.")
    except ValidationError as exc:
        err(exc.message)
    nombre = cell_text(raw.get("nombre"))[:200]
    if not nombre:
        err("Falta el nombre.")
    poliza = cell_text(raw.get("poliza")).upper()
    if not poliza:
        err("Falta la póliza.")
    elif len(poliza) > POLIZA_MAX:
        err(f"La póliza es demasiado larga (máximo {POLIZA_MAX} caracteres).")
    vigencia = None
    try:
        vigencia = parse_date(raw.get("vigencia"))
        if vigencia is None:
            err("Falta la vigencia.")
    except ValueError:
        err(f"Vigencia no válida: «{cell_text(raw.get('vigencia'))}» (usa AAAA-MM-DD o DD/MM/AAAA).")
    estado_raw = cell_text(raw.get("estado"))
    estado = match_estado(estado_raw)
    if not estado_raw:
        err("Falta el estado.")
    elif estado is None:
        err(f"Estado desconocido: «{estado_raw}».")
    telefono = None
    tel_raw = cell_text(raw.get("telefono"))
    if tel_raw:
        try:
            telefono = normalize_phone(tel_raw)
        except ValidationError:
            err(f"Teléfono no válido: «{tel_raw}».")
    row.data = {"curp": curp, "nombre": nombre, "poliza": poliza, "vigencia": vigencia,
                "estado_clave": estado, "telefono": telefono}
    return row


def validate(body: list[tuple[int, dict]], filename: str = "") -> PadronReport:
    report = PadronReport(filename)
    seen: dict[str, int] = {}
    for number, raw in body:
        row = validate_row(number, raw)
        curp = row.data.get("curp")
        if curp and curp in seen:
            row.errors.insert(0, f"CURP repetida en el archivo (ya aparece en la fila {seen[curp]}).")
        elif curp:
            seen[curp] = number
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
    rows = [["fila", "motivo", *COLUMNS]]
    rows += [[r.number, r.reason, *(cell_text(r.raw.get(c)) for c in COLUMNS)] for r in report.rejected]
    return csv_text(rows)
