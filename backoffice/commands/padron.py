"""`sinac padron import FILE` / `sinac padron buscar CURP|POLIZA`: the state padrón extract from a
terminal (docs/padron.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from backoffice.db import get_session


@click.group("padron", help="Padrón de afiliados: importar el extracto estatal y consultar.")
def padron() -> None:
    pass


@padron.command("import", help="Valida e importa el extracto (CSV o XLSX); las filas con errores se informan.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Resumen en JSON.")
@with_appcontext
def import_command(file: Path, as_json: bool) -> None:
    from core.actors import SYSTEM
    from core.errors import DomainError
    from core.padron import importer

    session = get_session()
    try:
        report = importer.import_file(session, SYSTEM, file.read_bytes(), file.name,
                                      max_bytes=max(current_app.config["SINAC"].upload_max_bytes, 200 * 1024 * 1024))
        session.commit()
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    summary = {"archivo": report.filename, "nuevos": report.created, "actualizados": report.updated,
               "rechazadas": [{"fila": r.number, "motivo": r.reason} for r in report.rejected]}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"{report.filename}: {report.created} nuevos, {report.updated} actualizados, "
               f"{len(report.rejected)} rechazadas.")
    for r in report.rejected:
        click.echo(f"  fila {r.number}: RECHAZADA: {r.reason}")
