"""Every row of a call center file checked before anything is imported: what is wrong with each
rejected row, in words the call center can act on, and the rejected rows as a file to correct."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import file_rows
from core.callcenter.layout import COLUMNS, match_tipo
from core.enums import Canal, Tipo
from core.file_rows import CheckedRow, FileReport, RowChecks, cell_text, mark_repeated
from core.models import Case
from core.text.money import parse_amount
from core.timeutil import today_mx
from core.users import valid_email


@dataclass
class Row(CheckedRow):
    """A row of the call center's file: its call's id and date, and once imported its case."""

    id_llamada: str = ""
    fecha_llamada: date | None = None
    folio: str | None = None
    case_id: int | None = None


@dataclass
class ImportReport(FileReport):
    imported: bool = False


def validate_row(number: int, raw: dict, *, today: date) -> Row:
    row = Row(number=number, id_llamada=cell_text(raw.get("id_llamada")), raw=raw)
    err = row.errors.append
    check = RowChecks(raw, row.errors)
    if not row.id_llamada:
        err("Falta el identificador de la llamada (id_llamada).")
    elif len(row.id_llamada) > 100:
        err("El identificador de la llamada es demasiado largo (máximo 100 caracteres).")

    tipo_raw = check.required("tipo", "Falta el tipo de solicitud.")
    tipo = match_tipo(tipo_raw)
    if tipo_raw and tipo is None:
        err(f"Tipo de solicitud desconocido: «{tipo_raw}».")

    estado = check.estado()
    descripcion = check.required("descripcion", "Falta la descripción.")
    row.fecha_llamada = check.date("fecha", "Fecha", not_after=today,
                                   future="La fecha de la llamada está en el futuro.")
    fecha_hechos = check.date("fecha_hechos", "Fecha de los hechos", not_after=today,
                              future="La fecha de los hechos está en el futuro.")
    telefono = check.phone()

    monto = None
    monto_raw = check.text("monto")
    try:
        monto = parse_amount(monto_raw)
    except ValueError:
        err(f"Monto no válido: «{monto_raw}».")
    else:
        if tipo == Tipo.COBRO_INJUSTIFICADO and monto is None:
            err("Falta el monto (obligatorio para cobro injustificado).")

    curp = check.curp()

    email = check.text("email").lower() or None
    if email and not valid_email(email):
        err(f"Correo electrónico no válido: «{email}».")

    row.data = {
        "tipo": tipo,
        "estado_clave": estado,
        "description": descripcion,  # register_case keeps at most DESCRIPTION_MAX
        "contacto_nombre": check.nombre() or None,
        "contacto_telefono": telefono,
        "contacto_email": email,
        "unidad": check.text("unidad") or None,
        "fecha_hechos": fecha_hechos,
        "monto": monto,
        "concepto": check.text("concepto") or None,
        "curp": curp,
    }
    return row


def validate_rows(session: Session, body: list[tuple[int, dict]], filename: str = "",
                  *, today: date | None = None) -> ImportReport:
    """Every row checked, duplicates (in the file and already imported) rejected."""
    today = today or today_mx()
    report = ImportReport(filename=filename)
    rows = [validate_row(n, raw, today=today) for n, raw in body]
    seen = mark_repeated(rows, lambda row: row.id_llamada, "Llamada")
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
    """The rejected rows as CSV, to correct and resend just those (core.file_rows.rejected_csv)."""
    return file_rows.rejected_csv(report.rejected, COLUMNS)
