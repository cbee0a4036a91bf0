"""Registering a validated call center file: every accepted row becomes a case in the caller's
one transaction, or none does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.callcenter.layout import MAX_ROWS
from core.callcenter.reading import read_table
from core.callcenter.validation import ImportReport, Row, validate_rows
from core.enums import Canal
from core.errors import DomainError
from core.jobs import Job
from core.models import Contact
from core.services import cases as case_service


class ImportFailed(DomainError):
    """The database refused the import; it was rolled back entirely."""

    code = "import_failed"


def import_rows(session: Session, actor: Actor, report: ImportReport,
                on_row: Callable[[Row], None] | None = None) -> list[Job]:
    """Register every accepted row (caller commits). On any error: rollback, ImportFailed."""
    jobs: list[Job] = []
    try:
        phones = {r.data["contacto_telefono"] for r in report.accepted if r.data["contacto_telefono"]}
        contacts = _contacts_by_phone(session, phones)
        for row in report.accepted:
            result = case_service.register_case(
                session, actor, canal=Canal.CALL_CENTER, external_ref=row.id_llamada,
                contact=contacts.get(row.data["contacto_telefono"]), route=True, **row.data,
            )
            audit.record(session, actor, "importado_centro_atencion", case=result.case,
                         data={"id_llamada": row.id_llamada, "fila": row.number, "archivo": report.filename,
                               "fecha_llamada": row.fecha_llamada.isoformat() if row.fecha_llamada else None})
            row.folio = result.case.folio
            row.case_id = result.case.id
            jobs += result.jobs
            if on_row is not None:
                on_row(row)
        session.flush()
    except (SQLAlchemyError, DomainError) as exc:
        session.rollback()
        for row in report.accepted:
            row.folio = None
            row.case_id = None
        raise ImportFailed(
            "No se importó ninguna fila: la base de datos rechazó la importación "
            "(¿otra persona importó el mismo archivo al mismo tiempo?). Vuelve a intentarlo."
        ) from exc
    report.imported = True
    return jobs


def _contacts_by_phone(session: Session, phones: set[str]) -> dict[str, Contact]:
    """Existing contacts only: a phone from the call center does not become a bot contact."""
    if not phones:
        return {}
    return {c.phone: c for c in session.scalars(select(Contact).where(Contact.phone.in_(phones)))}


def import_file(session: Session, actor: Actor, data: bytes, filename: str, *,
                max_bytes: int | None = None, max_rows: int = MAX_ROWS,
                on_row: Callable[[Row], None] | None = None,
                today: date | None = None) -> tuple[ImportReport, list[Job]]:
    """Read, validate everything, then import the valid rows. The caller commits, then enqueues."""
    _columns, body, ignored = read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    report = validate_rows(session, body, filename, today=today)
    report.ignored_columns = ignored
    jobs = import_rows(session, actor, report, on_row=on_row) if report.accepted else []
    return report, jobs
