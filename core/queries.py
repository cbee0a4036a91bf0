"""Read-side queries shared by the CLI, the bot and the back office."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from core.models import Case, Contact, Estado, Volante


def cases_query(*, estado_clave: str | None = None, status: str | None = None, tipo: str | None = None,
                telefono: str | None = None) -> Select:
    query = select(Case).options(selectinload(Case.volantes), selectinload(Case.contact),
                                 selectinload(Case.estado)).order_by(Case.id)
    if estado_clave:
        query = query.where(Case.estado_clave == estado_clave)
    if status:
        query = query.where(Case.status == status)
    if tipo:
        query = query.where(Case.tipo == tipo)
    if telefono:
        query = query.join(Contact, Contact.id == Case.contact_id).where(Contact.phone == telefono)
    return query


def current_volante(case: Case) -> Volante | None:
    return case.open_volante or (case.volantes[-1] if case.volantes else None)


def case_summary(case: Case) -> dict:
    volante = current_volante(case)
    return {
        "folio": case.folio,
        "tipo": case.tipo,
        "canal": case.canal,
        "estado": case.estado.nombre if case.estado else None,
        "status": case.status,
        "monto": float(case.monto) if case.monto is not None else None,
        "telefono": case.contact.phone if case.contact else case.contacto_telefono,
        "created_at": case.created_at.isoformat(),
        "due_at": volante.due_date.isoformat() if volante else None,
    }


def contact_by_phone(session: Session, phone: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.phone == phone))


def estado_nombre(session: Session, clave: str | None) -> str | None:
    if clave is None:
        return None
    estado = session.get(Estado, clave)
    return estado.nombre if estado else None
