"""`sinac nlu`: train the embedded NLU model, parse messages, evaluate on held-out data."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click


@click.group("nlu", help="Comprensión de mensajes (NLU): entrenar, interpretar, evaluar.")
def nlu() -> None:
    pass


@nlu.command("train", help="Entrena el modelo embebido con nlu_data (usa la caché si no cambió).")
@click.option("--force", is_flag=True, help="Reentrena aunque exista el modelo de estos datos.")
@click.option("--data", "data_dir", type=click.Path(exists=True, path_type=Path), default=None,
              help="Directorio de datos (por omisión nlu_data/ o NLU_DATA_DIR).")
def train_command(force: bool, data_dir: Path | None) -> None:
    from bot.nlu.engine import train

    model, path, trained = train(data_dir, force=force, progress=None)
    if trained:
        click.echo(
            f"Modelo entrenado con {model.n_examples} ejemplos en {model.train_seconds:.2f} s: {path}"
        )
    else:
        click.echo(f"El modelo ya estaba entrenado para estos datos: {path}")


@nlu.command("parse", help="Lee un mensaje por línea en stdin y escribe un JSON por línea.")
@click.option("--backend", type=click.Choice(["env", "embedded", "rasa"]), default="env",
              help="Motor a usar (por omisión el de NLU_BACKEND).")
@click.option("--interpretation", is_flag=True,
              help="Como lo lee el bot (bot/nlu/interpret.py): con saludo, palabras clave, "
                   "intenciones secundarias (secondary_intents).")
def parse_command(backend: str, interpretation: bool) -> None:
    from bot.nlu import get_parser, make_parser
    from bot.nlu.interpret import Interpreter

    if backend == "env":
        parser = get_parser()
    else:
        import os

        parser = make_parser(dict(os.environ, NLU_BACKEND=backend))
    if interpretation:
        parser = Interpreter(parser)
    raw = getattr(sys.stdin, "buffer", None)
    stdin = io.TextIOWrapper(raw, encoding="utf-8", errors="replace") if raw else sys.stdin
    for line in stdin:
        text = line.rstrip("\r\n")
        result = parser.parse(text)
        click.echo(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()


@nlu.command("evaluate", help="Precisión/recall/F1 por intención, F1 de entidades y matriz de "
             "confusión sobre un 20 % de nlu_data que no se usa para entrenar.")
@click.option("--data", "data_file", type=click.Path(exists=True, path_type=Path), default=None,
              help="Evalúa el modelo completo sobre este archivo YAML (p. ej. mensajes no vistos).")
@click.option("--test-size", type=click.FloatRange(0.05, 0.5), default=0.2, show_default=True)
@click.option("--seed", type=int, default=None, help="Semilla de la partición (fija por omisión).")
@click.option("--errors", "show_errors", type=int, default=0,
              help="Muestra hasta N errores de intención y de entidades.")
@click.option("--json", "as_json", is_flag=True, help="Salida JSON con las cifras principales.")
@click.option("--blind", "blind", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Conjunto ciego (archivo o directorio con nlu_*.yml): lista {text, intent, "
                   "entities, secondary}, escrito por quien nunca vio nlu_data. Repetible.")
@click.option("--grouped", is_flag=True,
              help="Validación cruzada agrupada (5 pliegues; ejemplos casi iguales en el mismo).")
def evaluate_command(data_file: Path | None, test_size: float, seed: int | None,
                     show_errors: int, as_json: bool, blind: tuple[Path, ...],
                     grouped: bool) -> None:
    from bot.nlu.evaluate import DEFAULT_SEED, evaluate_file, evaluate_split, format_report

    if blind or grouped:
        _evaluate_blind_grouped(blind, grouped, show_errors, as_json)
        return
    if data_file is not None:
        ev = evaluate_file(data_file, progress=None)
    else:
        ev = evaluate_split(test_size=test_size, seed=DEFAULT_SEED if seed is None else seed,
                            progress=None)
    if as_json:
        click.echo(json.dumps({
            "n_train": ev.n_train,
            "n_test": ev.n_test,
            "intent_macro_f1": round(ev.intents.macro_f1, 4),
            "intent_accuracy": round(ev.intents.accuracy, 4),
            "fallback_rate": round(ev.intents.fallback_rate, 4),
            "entity_f1": round(ev.entities.f1, 4),
            "per_intent": {k: {"precision": round(v[0], 4), "recall": round(v[1], 4),
                               "f1": round(v[2], 4), "support": v[3]}
                           for k, v in ev.intents.per_intent.items()},
            "per_entity": {k: {"precision": round(v[0], 4), "recall": round(v[1], 4),
                               "f1": round(v[2], 4), "support": v[3]}
                           for k, v in ev.entities.per_entity.items()},
            "confusion": ev.intents.confusion,
        }, ensure_ascii=False))
        return
    if data_file is not None:
        click.echo(f"Evaluación sobre {data_file} (modelo entrenado con todo nlu_data)")
    else:
        click.echo(f"Evaluación sobre una partición reservada del {test_size:.0%} de nlu_data")
    click.echo(format_report(ev, show_errors=show_errors))


def _evaluate_blind_grouped(blind: tuple[Path, ...], grouped: bool, show_errors: int,
                            as_json: bool) -> None:
    from bot.nlu import get_parser
    from bot.nlu.evaluate import format_blind, grouped_cv, load_blind_set, score_blind
    from bot.nlu.interpret import Interpreter

    out: dict = {}
    if blind:
        # scored as the bot reads a message: the whole interpretation, not the bare classifier
        rep = score_blind(Interpreter(get_parser()), load_blind_set(*blind))
        ir = rep["intents"]
        out["blind"] = {
            "n": rep["n"], "intent_macro_f1": round(ir.macro_f1, 4),
            "intent_accuracy": round(ir.accuracy, 4),
            "fallback_in_scope": round(rep["fallback_in_scope"], 4),
            "secondary_recall": rep["secondary_recall"],
            "entity_f1": round(rep["entity_f1"], 4),
            "per_intent": {k: round(v[2], 4) for k, v in ir.per_intent.items()},
            "per_entity": rep["per_entity"],
        }
        if not as_json:
            click.echo(format_blind(rep, show_errors=show_errors))
    if grouped:
        cv = grouped_cv()
        out["grouped_cv"] = {"intent_macro_f1": round(cv.macro_f1, 4),
                             "intent_accuracy": round(cv.accuracy, 4),
                             "per_intent": {k: round(v[2], 4) for k, v in cv.per_intent.items()}}
        if not as_json:
            click.echo(f"\nvalidación cruzada agrupada (5 pliegues): macro-F1 {cv.macro_f1:.3f}, "
                       f"exactitud {cv.accuracy:.3f}")
            for lab, (_, _, f, n) in cv.per_intent.items():
                click.echo(f"  {lab:<24}{f:>8.3f}{n:>6d}")
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
