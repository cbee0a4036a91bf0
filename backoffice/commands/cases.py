"""`sinac cases` and `sinac contacts`: read cases and contacts as JSON lines."""

import json

import click
from flask.cli import with_appcontext

from backoffice.db import get_session
from core.enums import CaseStatus, Tipo
from core.errors import DomainError
from core.estados import clave_for
from core.phones import normalize_phone
from core.queries import case_summary, cases_query, contact_by_phone, estado_nombre


@click.group("cases", help="Casos registrados.")
def cases() -> None:
    pass


@cases.command("list", help="Lista casos, un objeto JSON por línea.")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON (un objeto por caso).")
@click.option("--estado", default=None, help="Nombre, abreviatura o clave INEGI.")
@click.option("--status", type=click.Choice([s.value for s in CaseStatus]), default=None)
@click.option("--tipo", type=click.Choice([t.value for t in Tipo]), default=None)
@click.option("--telefono", default=None, help="Teléfono (+52…).")
@with_appcontext
def list_cases(as_json, estado, status, tipo, telefono) -> None:
    clave = None
    if estado:
        clave = clave_for(estado)
        if clave is None:
            raise click.BadParameter(f"Estado desconocido: {estado}", param_hint="--estado")
    phone = _phone(telefono) if telefono else None
    session = get_session()
    query = cases_query(estado_clave=clave, status=status, tipo=tipo, telefono=phone)
    for case in session.scalars(query).yield_per(500):
        row = case_summary(case)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['folio']}  {row['status']:<11} {row['tipo']:<22} {row['estado'] or '-'}")


@click.group("contacts", help="Contactos (teléfonos de afiliados).")
def contacts() -> None:
    pass


@contacts.command("show", help="Muestra un contacto por teléfono.")
@click.argument("phone")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def show(phone, as_json) -> None:
    session = get_session()
    contact = contact_by_phone(session, _phone(phone))
    if contact is None:
        raise click.ClickException("No hay un contacto con ese teléfono.")
    row = {
        "telefono": contact.phone,
        "estado": estado_nombre(session, contact.estado_clave),
        "opt_out": contact.opt_out,
        "handoff": contact.handoff,
        "consent_at": contact.consent_at.isoformat() if contact.consent_at else None,
    }
    click.echo(json.dumps(row, ensure_ascii=False) if as_json else "\n".join(f"{k}: {v}" for k, v in row.items()))


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except DomainError as exc:
        raise click.BadParameter(exc.message) from exc
