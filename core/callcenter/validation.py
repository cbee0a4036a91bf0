"""Every row of a call center file checked before anything is imported: what is wrong with each
rejected row, in words the call center can act on, and the rejected rows as a file to correct."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.callcenter.layout import COLUMNS, match_estado, match_tipo
from core.enums import Canal, Tipo
from core.errors import ValidationError
from core.models import Case
from core.phones import normalize_phone
from core.spreadsheets import csv_text
from core.text.curp import clean_curp
from core.text.money import parse_amount
from core.timeutil import today_mx
from core.users import valid_email


@dataclass
class Row:
    number: int
    id_llamada: str
    raw: dict
    data: dict = field(default_factory=dict)
    fecha_llamada: date | None = None
    errors: list[str] = field(default_factory=list)
    folio: str | None = None
    case_id: int | None = None

    @property
    def reason(self) -> str:
        return " ".join(self.errors)


@dataclass
class ImportReport:
    filename: str
    accepted: list[Row] = field(default_factory=list)
    rejected: list[Row] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.rejected)


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                 "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d-%m-%Y %H:%M",
                 "%d/%m/%y")


def parse_date(value) -> date | None:
    """A date from an XLSX cell or text; None when empty; ValueError when not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_text(value) -> str:
    """A cell as trimmed text (dates in ISO form)."""
    return str(value or "").strip() if not isinstance(value, (date, datetime)) else value.isoformat()


def validate_row(number: int, raw: dict, *, today: date) -> Row:
    row = Row(number=number, id_llamada=cell_text(raw.get("id_llamada")), raw=raw)
    err = row.errors.append
    if not row.id_llamada:
        err("Falta el identificador de la llamada (id_llamada).")
    elif len(row.id_llamada) > 100:
        err("El identificador de la llamada es demasiado largo (máximo 100 caracteres).")

    tipo_raw = cell_text(raw.get("tipo"))
    tipo = match_tipo(tipo_raw)
    if not tipo_raw:
        err("Falta el tipo de solicitud.")
    elif tipo is None:
        err(f"Tipo de solicitud desconocido: «{tipo_raw}».")

    estado_raw = cell_text(raw.get("estado"))
    estado = match_estado(estado_raw)
    if not estado_raw:
        err("Falta el estado.")
    elif estado is None:
        err(f"Estado desconocido: «{estado_raw}».")

    descripcion = cell_text(raw.get("descripcion"))
    if not descripcion:
        err("Falta la descripción.")

    try:
        row.fecha_llamada = parse_date(raw.get("fecha"))
        if row.fecha_llamada and row.fecha_llamada > today:
            err("La fecha de la llamada está en el futuro.")
    except ValueError:
        err(f"Fecha no válida: «{cell_text(raw.get('fecha'))}» (usa AAAA-MM-DD o DD/MM/AAAA).")

    fecha_hechos = None
    try:
        fecha_hechos = parse_date(raw.get("fecha_hechos"))
        if fecha_hechos and fecha_hechos > today:
            err("La fecha de los hechos está en el futuro.")
    except ValueError:
        err(f"Fecha de los hechos no válida: «{cell_text(raw.get('fecha_hechos'))}».")

    telefono = None
    tel_raw = cell_text(raw.get("telefono"))
    if tel_raw:
        try:
            telefono = normalize_phone(tel_raw)
        except ValidationError:
            err(f"Teléfono no válido: «{tel_raw}».")

    monto = None
    monto_raw = cell_text(raw.get("monto"))
    try:
        monto = parse_amount(monto_raw)
    except ValueError:
        err(f"Monto no válido: «{monto_raw}».")
    else:
        if tipo == Tipo.COBRO_INJUSTIFICADO and monto is None:
            err("Falta el monto (obligatorio para cobro injustificado).")

    curp = None
    try:
        curp = clean_curp(cell_text(raw.get("curp")))
    except ValidationError as exc:
        err(exc.message)

    email = cell_text(raw.get("email")).lower() or None
    if email and not valid_email(email):
        err(f"Correo electrónico no válido: «{email}».")

    row.data = {
        "tipo": tipo,
        "estado_clave": estado,
        "description": descripcion,  # register_case keeps at most DESCRIPTION_MAX
        "contacto_nombre": cell_text(raw.get("nombre"))[:200] or None,
        "contacto_telefono": telefono,
        "contacto_email": email,
        "unidad": cell_text(raw.get("unidad")) or None,
        "fecha_hechos": fecha_hechos,
        "monto": monto,
        "concepto": cell_text(raw.get("concepto")) or None,
        "curp": curp,
    }
    return row


def validate_rows(session: Session, body: list[tuple[int, dict]], filename: str = "",
                  *, today: date | None = None) -> ImportReport:
    """Every row checked, duplicates (in the file and already imported) rejected."""
    today = today or today_mx()
    report = ImportReport(filename=filename)
    rows = [validate_row(n, raw, today=today) for n, raw in body]
    seen: dict[str, int] = {}
    for row in rows:
        if not row.id_llamada:
            continue
        if row.id_llamada in seen:
            row.errors.insert(0, f"Llamada repetida en el archivo (ya aparece en la fila {seen[row.id_llamada]}).")
        else:
            seen[row.id_llamada] = row.number
    existing = _already_imported(session, list(seen))
    for row in rows:
        if row.id_llamada in existing and not any(e.startswith("Llamada repetida") for e in row.errors):
            row.errors.insert(0, f"La llamada ya está registrada (folio {existing[row.id_llamada]}).")
        (report.rejected if row.errors else report.accepted).append(row)
    return report


def _already_imported(session: Session, refs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        for ref, folio in session.execute(
            select(Case.external_ref, Case.folio).where(Case.canal == Canal.CALL_CENTER,
                                                        Case.external_ref.in_(chunk))
        ):
            found[ref] = folio
    return found


def rejected_csv(report: ImportReport) -> str:
    """The rejected rows as CSV (the known columns, as uploaded, plus row number and reason), so
    the call center can correct and resend just those. Cells are formula-neutralised (an
    uploaded "=HYPERLINK(...)" stays text); reading the file back drops that apostrophe."""
    rows = [["fila", "motivo", *COLUMNS]]
    rows += [[row.number, row.reason, *(cell_text(row.raw.get(c)) for c in COLUMNS)] for row in report.rejected]
    return csv_text(rows)
