"""`sinac callcenter import FILE`: import the call center's daily CSV/XLSX from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from backoffice.db import commit_and_dispatch, get_session


@click.group("callcenter", help="Archivo diario del centro de atención telefónica.")
def callcenter() -> None:
    pass


@callcenter.command("import", help="Valida e importa el archivo (CSV o XLSX). Nada se importa a medias.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--usuario", default=None, help="Correo del usuario que importa (por omisión: sistema).")
@click.option("--json", "as_json", is_flag=True, help="Resumen en JSON.")
@with_appcontext
def import_command(file: Path, usuario: str | None, as_json: bool) -> None:
    from sqlalchemy import select
    from tqdm import tqdm

    from core import callcenter as cc
    from core.actors import SYSTEM, Actor
    from core.errors import DomainError
    from core.models import User

    session = get_session()
    actor = SYSTEM
    if usuario:
        user = session.scalar(select(User).where(User.email == usuario.strip().lower(), User.active.is_(True)))
        if user is None:
            raise click.ClickException(f"No hay un usuario activo con el correo {usuario}.")
        actor = Actor.from_user(user)
    settings = current_app.config["SINAC"]
    data = file.read_bytes()
    try:
        _cols, body, ignored = cc.read_table(data, file.name, max_bytes=settings.upload_max_bytes)
        report = cc.validate_rows(session, body, file.name)
        report.ignored_columns = ignored
        if report.accepted:
            # A bar on a terminal; nothing when piped or redirected.
            with tqdm(total=len(report.accepted), desc="Importando", unit="fila",
                      disable=not sys.stderr.isatty(), file=sys.stderr) as bar:
                jobs = cc.import_rows(session, actor, report, on_row=lambda _row: bar.update(1))
            commit_and_dispatch(jobs)  # once committed, a failure to enqueue is the relay's, not fatal
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    if as_json:
        click.echo(json.dumps({
            "archivo": report.filename,
            "importadas": [{"fila": r.number, "id_llamada": r.id_llamada, "folio": r.folio} for r in report.accepted],
            "rechazadas": [{"fila": r.number, "id_llamada": r.id_llamada, "motivo": r.reason} for r in report.rejected],
        }, ensure_ascii=False))
        return
    click.echo(f"{report.filename}: {len(report.accepted)} importadas, {len(report.rejected)} rechazadas.")
    for r in report.accepted:
        click.echo(f"  fila {r.number}: {r.id_llamada} -> {r.folio}")
    for r in report.rejected:
        click.echo(f"  fila {r.number}: RECHAZADA ({r.id_llamada or 'sin id'}): {r.reason}")
    if ignored:
        click.echo("Columnas ignoradas: " + ", ".join(ignored))
