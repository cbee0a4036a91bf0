"""`sinac coverage`: ask the coverage engine, load a new catalog edition, evaluate, list."""

from __future__ import annotations

import json
import sys

import click

CARTERAS = ("CAUSES", "FPGC", "SMSXXI")


@click.group("coverage", help="Cobertura: CAUSES, FPGC y Seguro Médico Siglo XXI.")
def coverage() -> None:
    pass


def _engine():
    from core.coverage import get_engine

    return get_engine()


@coverage.command("ask", help="Responde una pregunta de cobertura (o una por línea con --jsonl).")
@click.argument("text", required=False)
@click.option("--edad", type=click.FloatRange(0, 120), default=None,
              help="Edad en años (si no, se lee del texto).")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON.")
@click.option("--jsonl", is_flag=True, help="Lee una pregunta por línea en stdin; un JSON por línea.")
def ask(text: str | None, edad: float | None, as_json: bool, jsonl: bool) -> None:
    engine = _engine()
    if jsonl:
        if text:
            raise click.UsageError("Con --jsonl las preguntas se leen de stdin, no como argumento.")
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            ans = engine.ask(line, edad=edad)
            click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
            sys.stdout.flush()
        return
    if not text:
        raise click.UsageError("Escribe la pregunta, p. ej. sinac coverage ask \"me cubren la cesárea?\"")
    ans = engine.ask(text, edad=edad)
    if as_json:
        click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
        return
    click.echo(ans.answer)
    click.echo("")
    cubierto = {True: "sí", False: "no", None: "no seguro"}[ans.covered]
    edad_txt = "—" if ans.edad is None else f"{ans.edad:g}"
    click.echo(f"cartera: {ans.cartera or '—'} · cubierto: {cubierto} · edad: {edad_txt}"
               f" · tema: {ans.topic or '—'}")
    for m in ans.matches:
        numero = "" if m["numero"] is None else m["numero"]
        click.echo(f"  {m['score']:.3f}  {m['cartera']:<6} {numero!s:>4}  {m['nombre']}")


@coverage.command("load", help="Registra un catálogo nuevo (CSV con columnas numero y nombre).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--cartera", required=True, type=click.Choice(CARTERAS, case_sensitive=False))
@click.option("--edicion", required=True, help="Año de la edición, p. ej. 2019.")
def load(file: str, cartera: str, edicion: str) -> None:
    from tqdm import tqdm

    from core.coverage import reset_engine
    from core.coverage.catalog import CatalogError, active_catalogs, coverage_dir, register_catalog

    quiet = not sys.stderr.isatty()
    with tqdm(desc="Validando", unit=" filas", disable=quiet, file=sys.stderr) as bar:
        try:
            entry = register_catalog(file, cartera, edicion, progress=bar.update)
        except CatalogError as exc:
            raise click.ClickException(f"No se cargó el catálogo: {exc}") from exc
    reset_engine()
    click.echo(f"Catálogo {entry['cartera']} {entry['edicion']} cargado: "
               f"{entry['intervenciones']} intervenciones en {coverage_dir() / entry['archivo']}.")
    engine = _engine()
    active = active_catalogs([c for c in engine.catalogs.values()])
    vigente = active[entry["cartera"]]
    if vigente.edicion != entry["edicion"]:
        click.echo(f"Aviso: la edición vigente de {entry['cartera']} sigue siendo {vigente.edicion}"
                   " (más reciente).")


@coverage.command("evaluate", help="Exactitud en el conjunto de evaluación (cartera top-1, concepto top-3).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV con pregunta,cartera,numero,edad,cubierto (por omisión el incluido).")
@click.option("--errores", is_flag=True, help="Muestra las preguntas que fallan.")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON.")
def evaluate_cmd(path: str | None, errores: bool, as_json: bool) -> None:
    from core.coverage.evaluate import DEFAULT_SET, evaluate, read_set

    rows = read_set(path or DEFAULT_SET)
    rep = evaluate(_engine(), rows)
    if as_json:
        out = rep.to_dict()
        if errores:
            out["errores"] = rep.failures
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"Preguntas: {rep.total}")
    click.echo(f"Cartera top-1:  {rep.cartera_acc:.3f}")
    click.echo(f"Concepto top-3: {rep.concepto_acc:.3f} ({rep.concepto_total} con concepto)")
    click.echo(f"Edad leída:     {rep.edad_acc:.3f}")
    click.echo(f"Cubierto:       {rep.cubierto_acc:.3f}")
    click.echo(f"Respuesta más larga: {rep.max_len} caracteres ({rep.max_len_pregunta!r})")
    click.echo("Cartera correcta por cartera esperada:")
    for cartera, (n, ok) in sorted(rep.por_cartera.items()):
        click.echo(f"  {cartera:<8} {ok}/{n} = {ok / n:.3f}")
    click.echo("Cubierto (filas: esperado; columnas: respuesta si / no / incierto):")
    for esperado, row in rep.confusion.items():
        click.echo(f"  {esperado:<3} {row['si']:>5} {row['no']:>5} {row['incierto']:>9}")
    click.echo(f"Cubiertos respondidos 'no cubierto': {rep.covered_said_no:.3f}; "
               f"'no encontré / no estoy seguro': {rep.covered_said_unsure:.3f}")
    if errores:
        for f in rep.failures:
            click.echo(json.dumps(f, ensure_ascii=False))


@coverage.command("list", help="Lista el catálogo vigente (o busca en él).")
@click.option("--cartera", type=click.Choice(CARTERAS, case_sensitive=False), default=None)
@click.option("--buscar", default=None, help="Texto a buscar (ordena por relevancia).")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON (una intervención por línea).")
def list_cmd(cartera: str | None, buscar: str | None, as_json: bool) -> None:
    engine = _engine()
    if buscar:
        rows = engine.search(buscar, limit=50)
        if cartera:
            rows = [r for r in rows if r["cartera"] == cartera.upper()]
        for r in rows:
            if as_json:
                click.echo(json.dumps(r, ensure_ascii=False))
            else:
                numero = "" if r["numero"] is None else r["numero"]
                click.echo(f"{r['score']:.3f}  {r['cartera']:<6} {numero!s:>4}  {r['nombre']}")
        return
    for c in engine.catalogs.values():
        if cartera and c.cartera != cartera.upper():
            continue
        if not as_json:
            click.echo(f"# {c.cartera} {c.edicion} ({len(c.interventions)} intervenciones, "
                       f"{c.origen})")
        for it in c.interventions:
            if as_json:
                click.echo(json.dumps(it.to_dict(), ensure_ascii=False))
            else:
                numero = "" if it.numero is None else it.numero
                extra = f"  [{it.restricciones}]" if it.restricciones else ""
                click.echo(f"{numero!s:>4}  {it.nombre}{extra}")
