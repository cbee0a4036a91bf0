"""`sinac report`: the informe mensual from the command line (same figures as the dashboard)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from backoffice.db import get_session
from core.errors import DomainError
from core.estados import clave_for


@click.group("report", help="Informe mensual.")
def report() -> None:
    pass


def _month(value: str | None, *, closed: bool = False):
    """The --month option: a month with a report (the current one is partial), or with
    `closed` only a month that has ended (snapshots)."""
    from core.reports import Month

    if not value:
        return Month.previous_to_today()
    try:
        month = Month.parse(value)
        return month.check_closed() if closed else month.check_reportable()
    except DomainError as exc:
        raise click.BadParameter(exc.message, param_hint="--month") from exc


def _estado(value: str | None) -> str | None:
    if not value:
        return None
    clave = clave_for(value)
    if clave is None:
        raise click.BadParameter(f"Estado desconocido: {value}", param_hint="--estado")
    return clave


@report.command("monthly", help="Cifras del mes junto a las del mes anterior.")
@click.option("--month", "month", default=None, help="Mes AAAA-MM (por omisión, el mes anterior).")
@click.option("--estado", default=None, help="Nombre, abreviatura o clave INEGI; sin él, nacional.")
@click.option("--json", "as_json", is_flag=True, help="Imprime el informe completo en JSON.")
@with_appcontext
def monthly(month, estado, as_json) -> None:
    from core.reports import LABELS, build_report

    session = get_session()
    data = build_report(session, _month(month), estado=_estado(estado))
    session.commit()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    scope = data["estado_nombre"] or "Nacional"
    click.echo(f"Informe mensual {data['mes']} · {scope} (mes anterior {data['mes_anterior']})")
    width = max(len(label) for label in LABELS.values())
    for name, label in LABELS.items():
        cur, prev = data["total"][name], data["total_anterior"][name]
        click.echo(f"{label:<{width}}  {_show(cur):>12}  {_show(prev):>12}")
    if data["temas"]:
        click.echo("Temas de cobertura: " + ", ".join(f"{t['tema']} ({t['n']})" for t in data["temas"]))


def _show(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


@report.command("snapshot", help="Guarda el informe de un mes ya terminado (nacional y por estado) si aún no existe.")
@click.option("--month", "month", default=None, help="Mes AAAA-MM ya terminado (por omisión, el mes anterior).")
@with_appcontext
def snapshot(month) -> None:
    from core.reports.snapshots import build_month_snapshots

    session = get_session()
    target = _month(month, closed=True)
    try:
        created = build_month_snapshots(session, target, created_by="cli")
    except DomainError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"{target.key}: {len(created)} informes guardados (los completos no se modifican; "
               "uno tomado antes de terminar el mes se vuelve a guardar).")
