"""`sinac schedule`: the periodic jobs (workers/schedule.py) — list them, or run one now."""

from __future__ import annotations

import json

import click


@click.group("schedule", help="Trabajos periódicos (recordatorios, escalamiento, depuración…).")
def schedule() -> None:
    pass


@schedule.command("list", help="Muestra cada trabajo periódico con su frecuencia.")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON (un objeto por trabajo).")
def list_schedule(as_json: bool) -> None:
    from workers.registry import JOBS
    from workers.schedule import SCHEDULE

    for entry in SCHEDULE:
        row = {"task": entry.task, "cron": entry.cron, "interval": entry.interval, "queue": str(entry.queue),
               "purpose": entry.purpose, "available": entry.task in JOBS}
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            flag = "" if row["available"] else "  (no disponible)"
            click.echo(f"{entry.task:<24} {entry.cadence:<22} {entry.purpose}{flag}")


@schedule.command("run", help="Ejecuta ahora, en este proceso, un trabajo periódico.")
@click.argument("task")
def run_task(task: str) -> None:
    from workers import registry
    from workers.schedule import SCHEDULE

    names = {entry.task for entry in SCHEDULE}
    if task not in names or task not in registry.JOBS:
        raise click.BadParameter(f"No es un trabajo periódico disponible: {task}. "
                                 f"Opciones: {', '.join(sorted(names & set(registry.JOBS)))}", param_hint="TASK")
    result = registry.resolve(task)()
    click.echo(json.dumps({"task": task, "result": result}, ensure_ascii=False, default=str))
