"""`sinac db`: migrations."""

import click
from flask import current_app
from flask.cli import with_appcontext

from core import migrate


@click.group("db", help="Base de datos: migraciones.")
def db() -> None:
    pass


@db.command("upgrade", help="Aplica las migraciones hasta la última (o REVISION).")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    migrate.upgrade(current_app.config["SINAC"].database_url, revision)
    click.echo(f"Base de datos en la revisión {revision}.")


@db.command("downgrade", help="Revierte las migraciones hasta REVISION.")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    migrate.downgrade(current_app.config["SINAC"].database_url, revision)
    click.echo(f"Base de datos en la revisión {revision}.")
