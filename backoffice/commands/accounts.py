"""`sinac seed` and `sinac users`: demo data and staff accounts."""

import click
from flask.cli import with_appcontext

from backoffice.db import get_session
from core.actors import SYSTEM
from core.enums import Role
from core.errors import DomainError
from core.estados import clave_for
from core.seed import DEMO_PASSWORD, seed
from core.users import create_user


@click.command("seed", help="Crea los estados y los usuarios de demostración (idempotente).")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Contraseña de demostración.")
@with_appcontext
def seed_command(password: str) -> None:
    session = get_session()
    created = seed(session, password)
    session.commit()
    if not created:
        click.echo("Los usuarios de demostración ya existían.")
        return
    click.echo(f"Usuarios de demostración (contraseña: {password}):")
    for spec in created:
        where = f" ({spec['estado_clave']})" if spec.get("estado_clave") else ""
        click.echo(f"  {spec['role']:<22} {spec['email']}{where}")


@click.group("users", help="Usuarios del back office.")
def users() -> None:
    pass


@users.command("create", help="Crea un usuario.")
@click.option("--email", required=True)
@click.option("--nombre", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--estado", default=None, help="Estado del enlace (nombre, abreviatura o clave INEGI).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create(email, nombre, role, estado, password) -> None:
    session = get_session()
    clave = clave_for(estado) if estado else None
    if estado and clave is None:
        raise click.BadParameter(f"Estado desconocido: {estado}", param_hint="--estado")
    try:
        user = create_user(session, SYSTEM, email=email, nombre=nombre, role=role, password=password,
                           estado_clave=clave)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"Usuario {user.email} creado ({user.role}).")
