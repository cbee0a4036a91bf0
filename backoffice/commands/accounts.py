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
@click.option("--demo", is_flag=True, help="Además, unos meses de casos de demostración (solo en una base sin "
                                           "casos y nunca en producción).")
@with_appcontext
def seed_command(password: str, demo: bool) -> None:
    from flask import current_app

    if demo and current_app.config["SINAC"].is_production:
        raise click.ClickException("No se cargan casos de demostración en producción (SINAC_ENV=production).")
    session = get_session()
    created = seed(session, password)
    session.commit()
    if not created:
        click.echo("Los usuarios de demostración ya existían.")
    else:
        click.echo(f"Usuarios de demostración (contraseña: {password}):")
        for spec in created:
            where = f" ({spec['estado_clave']})" if spec.get("estado_clave") else ""
            click.echo(f"  {spec['role']:<22} {spec['email']}{where}")
    if demo:
        _seed_demo_cases(session)


def _seed_demo_cases(session) -> None:
    from core.demo import DemoRefused, seed_demo

    try:
        result = seed_demo(session)
    except DemoRefused as exc:
        session.rollback()
        click.echo(f"{exc} No se agregó nada.")
        return
    session.commit()
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(result.by_status.items()))
    click.echo(f"Casos de demostración: {result.cases} del {result.first_day:%d/%m/%Y} al "
               f"{result.last_day:%d/%m/%Y} ({statuses}).")


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
