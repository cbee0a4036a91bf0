"""Intent and entity evaluation on a held-out split (or on a separate file).

The split is stratified by intent, deterministic (fixed seed) and made *after* removing
duplicate messages, so no test message is also a training message.

The figures are computed in bot/nlu/metrics.py; the blind sets are scored in bot/nlu/blind.py
and the grouped cross-validation runs in bot/nlu/cv.py. Their names are re-exported here, so
`from bot.nlu.evaluate import score_blind` keeps working.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from .blind import (
    LOOSE_ENTITIES,
    OUT_OF_SCOPE,
    format_blind,
    load_blind_set,
    same_entity_value,
    score_blind,
)
from .cv import grouped_cv, template_groups
from .data import FALLBACK_INTENT, Example, TrainingData, load_training_data
from .engine import EmbeddedParser, fit_model, train
from .metrics import EntityReport, IntentReport, canonical_value, entity_report, intent_report
from .normalize import normalize_text

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_TEST_SIZE",
    "LOOSE_ENTITIES",
    "OUT_OF_SCOPE",
    "EntityReport",
    "Evaluation",
    "IntentReport",
    "canonical_value",
    "entity_report",
    "evaluate_examples",
    "evaluate_file",
    "evaluate_split",
    "format_blind",
    "format_report",
    "grouped_cv",
    "intent_report",
    "load_blind_set",
    "same_entity_value",
    "score_blind",
    "split_examples",
    "template_groups",
]

DEFAULT_TEST_SIZE = 0.2
DEFAULT_SEED = 20260301


def split_examples(
    examples: list[Example], test_size: float = DEFAULT_TEST_SIZE, seed: int = DEFAULT_SEED
) -> tuple[list[Example], list[Example]]:
    """Deterministic stratified split; duplicates (after normalisation) are dropped first."""
    by_intent: dict[str, list[Example]] = {}
    seen: set[str] = set()
    for ex in examples:
        key = normalize_text(ex.text)
        if not key or key in seen:
            continue
        seen.add(key)
        by_intent.setdefault(ex.intent, []).append(ex)
    rng = random.Random(seed)
    train_set: list[Example] = []
    test_set: list[Example] = []
    for intent in sorted(by_intent):
        items = list(by_intent[intent])
        rng.shuffle(items)
        n_test = max(1, round(len(items) * test_size))
        test_set.extend(items[:n_test])
        train_set.extend(items[n_test:])
    return train_set, test_set


@dataclass
class Evaluation:
    intents: IntentReport
    raw_intents: IntentReport  # top candidate, threshold ignored
    entities: EntityReport
    n_train: int
    n_test: int
    train_seconds: float


def evaluate_examples(
    parser: EmbeddedParser,
    test: list[Example],
    data: TrainingData,
    n_train: int,
    train_seconds: float,
) -> Evaluation:
    gold, pred, raw, confs, texts, ents = [], [], [], [], [], []
    for ex in test:
        res = parser.parse(ex.text)
        gold.append(ex.intent)
        pred.append(res["intent"]["name"])
        raw.append(res["intent_ranking"][0]["name"] if res["intent_ranking"] else FALLBACK_INTENT)
        confs.append(res["intent_ranking"][0]["confidence"] if res["intent_ranking"] else 0.0)
        texts.append(ex.text)
        ents.append(res["entities"])
    return Evaluation(
        intents=intent_report(gold, pred, texts, confs),
        raw_intents=intent_report(gold, raw),
        entities=entity_report(test, ents, data.synonyms),
        n_train=n_train,
        n_test=len(test),
        train_seconds=train_seconds,
    )


def evaluate_split(
    data_dir: Path | str | None = None,
    test_size: float = DEFAULT_TEST_SIZE,
    seed: int = DEFAULT_SEED,
    threshold: float | None = None,
    progress: bool | None = None,
) -> Evaluation:
    """Train on (1 - test_size) of nlu_data and score the held-out rest."""
    data = load_training_data(data_dir)
    train_set, test_set = split_examples(data.examples, test_size, seed)
    model = fit_model(train_set, progress=progress)
    parser = EmbeddedParser(data_dir=data_dir, threshold=threshold, model=model)
    return evaluate_examples(parser, test_set, data, len(train_set), model.train_seconds)


def evaluate_file(
    path: Path | str,
    data_dir: Path | str | None = None,
    threshold: float | None = None,
    progress: bool | None = None,
    inst_dir: Path | str | None = None,
) -> Evaluation:
    """Score the full model (trained on all of nlu_data) on a separate annotated file."""
    data = load_training_data(data_dir)
    model, _, _ = train(data_dir, inst_dir, progress=progress)
    test = load_training_data(path).examples
    parser = EmbeddedParser(data_dir=data_dir, threshold=threshold, model=model)
    return evaluate_examples(parser, test, data, model.n_examples, model.train_seconds)


# --------------------------------------------------------------------------- text


def _abbrev(label: str) -> str:
    parts = label.split("_")
    return (parts[0][:4] + ("_" + parts[1][:3] if len(parts) > 1 else ""))[:8]


def format_report(ev: Evaluation, show_errors: int = 0) -> str:
    ir, er = ev.intents, ev.entities
    lines = [
        f"examples: train {ev.n_train}, test {ev.n_test}; training {ev.train_seconds:.2f}s",
        "",
        f"{'intent':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
    ]
    for lab, (p, r, f, n) in ir.per_intent.items():
        lines.append(f"{lab:<24}{p:>10.3f}{r:>10.3f}{f:>10.3f}{n:>9d}")
    lines += [
        "",
        (
            f"intent macro-F1: {ir.macro_f1:.3f}   accuracy: {ir.accuracy:.3f}   "
            f"fallback rate: {ir.fallback_rate:.3f}"
        ),
        (
            f"(top candidate, no threshold) macro-F1: {ev.raw_intents.macro_f1:.3f}   "
            f"accuracy: {ev.raw_intents.accuracy:.3f}"
        ),
        "",
        f"{'entity':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
    ]
    for ent, (p, r, f, n) in er.per_entity.items():
        lines.append(f"{ent:<24}{p:>10.3f}{r:>10.3f}{f:>10.3f}{n:>9d}")
    lines += [
        "",
        f"entity precision: {er.precision:.3f}   recall: {er.recall:.3f}   F1: {er.f1:.3f}",
        "",
        "confusion matrix (rows: gold, columns: predicted)",
    ]
    cols = ir.labels
    lines.append(" " * 24 + "".join(f"{_abbrev(c):>9}" for c in cols))
    for g in ir.per_intent:
        lines.append(f"{g:<24}" + "".join(f"{ir.confusion[g].get(c, 0):>9d}" for c in cols))
    if show_errors:
        lines += ["", "intent errors (text | gold -> predicted, top confidence):"]
        for text, g, p, c in ir.errors[:show_errors]:
            lines.append(f"  {text!r} | {g} -> {p} ({c:.2f})")
        lines += ["", "entity errors:"]
        lines += [f"  {e}" for e in er.errors[:show_errors]]
    return "\n".join(lines)
