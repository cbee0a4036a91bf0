"""Intent and entity evaluation on a held-out split (or on a separate file).

The split is stratified by intent, deterministic (fixed seed) and made *after* removing
duplicate messages, so no test message is also a training message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from core.estados import match_estado

from .data import ENTITIES, FALLBACK_INTENT, Example, TrainingData, load_training_data
from .engine import EmbeddedParser, fit_model, train
from .normalize import normalize_text
from .numbers import parse_digits, words_to_number

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


# --------------------------------------------------------------------------- metrics


@dataclass
class IntentReport:
    labels: list[str]
    per_intent: dict[str, tuple[float, float, float, int]]  # P, R, F1, support
    macro_f1: float
    accuracy: float
    fallback_rate: float
    confusion: dict[str, dict[str, int]]
    errors: list[tuple[str, str, str, float]] = field(default_factory=list)


@dataclass
class EntityReport:
    per_entity: dict[str, tuple[float, float, float, int]]
    precision: float
    recall: float
    f1: float
    errors: list[str] = field(default_factory=list)


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def intent_report(
    gold: list[str],
    pred: list[str],
    texts: list[str] | None = None,
    confs: list[float] | None = None,
) -> IntentReport:
    labels = sorted(set(gold))
    all_labels = labels + sorted(set(pred) - set(labels))
    confusion = {g: {p: 0 for p in all_labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per: dict[str, tuple[float, float, float, int]] = {}
    for lab in labels:
        tp = confusion[lab][lab]
        fn = sum(confusion[lab].values()) - tp
        fp = sum(confusion[g][lab] for g in labels if g != lab)
        per[lab] = (*_prf(tp, fp, fn), tp + fn)
    macro = sum(v[2] for v in per.values()) / len(per) if per else 0.0
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    fb = sum(p == FALLBACK_INTENT for p in pred) / len(pred) if pred else 0.0
    errors = []
    if texts is not None:
        for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
            if g != p:
                errors.append((texts[i], g, p, confs[i] if confs else 0.0))
    return IntentReport(all_labels, per, macro, acc, fb, confusion, errors)


def canonical_value(entity: str, value, synonyms: dict[str, str] | None = None):
    """Comparable form of an entity value (gold annotation or prediction)."""
    if entity == "monto":
        if isinstance(value, int | float):
            return round(float(value), 2)
        s = str(value).lower().replace("$", "").replace("pesos", "").strip()
        num = parse_digits(s) if s and s[0].isdigit() and " " not in s else None
        if num is None:
            num = words_to_number(s.split())
        return round(float(num), 2) if num is not None else s
    if entity == "estado":
        s = str(value)
        if synonyms:
            return synonyms.get(s.lower(), s)
        return s
    if entity == "curp":
        return str(value).upper()
    if entity == "folio":
        return str(value)
    return normalize_text(str(value))


def entity_report(
    examples: list[Example], predicted: list[list[dict]], synonyms: dict[str, str] | None = None
) -> EntityReport:
    """Exact entity matching: same type, overlapping span and equal canonical value.

    Rasa's markup cannot nest entities, so a prediction lying inside a gold entity of another
    type (the estado of "centro de salud de zapopan") is neither credited nor penalised.
    """
    counts = {e: [0, 0, 0] for e in ENTITIES}  # tp, fp, fn
    errors: list[str] = []
    for ex, preds in zip(examples, predicted, strict=True):
        gold = [
            (g["entity"], g["start"], g["end"], canonical_value(g["entity"], g["value"], synonyms))
            for g in ex.entities
        ]
        matched_gold: set[int] = set()
        for p in preds:
            pv = canonical_value(p["entity"], p["value"], synonyms)
            hit = None
            for gi, (ge, gs, gend, gv) in enumerate(gold):
                if gi in matched_gold:
                    continue
                if ge == p["entity"] and gs < p["end"] and p["start"] < gend and gv == pv:
                    hit = gi
                    break
            if hit is not None:
                matched_gold.add(hit)
                counts[p["entity"]][0] += 1
                continue
            nested = any(
                ge != p["entity"] and gs <= p["start"] and p["end"] <= gend
                for ge, gs, gend, _ in gold
            )
            if not nested:
                counts[p["entity"]][1] += 1
                errors.append(f"FP {p['entity']}={p['value']!r} in {ex.text!r}")
        for gi, (ge, _, _, gv) in enumerate(gold):
            if gi not in matched_gold:
                counts[ge][2] += 1
                errors.append(f"FN {ge}={gv!r} in {ex.text!r}")
    per = {}
    for e, (tp, fp, fn) in counts.items():
        if tp + fp + fn:
            per[e] = (*_prf(tp, fp, fn), tp + fn)
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    p, r, f = _prf(tp, fp, fn)
    return EntityReport(per, p, r, f, errors)


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


# --------------------------------------------------------------------------- blind sets
#
# Blind sets (tests/quality/blind_*/nlu_*.yml) are plain lists written by people who never saw
# nlu_data: {text, intent, entities: {name: value}, secondary: [intent, ...]}. Entities are
# compared by value (no spans): fecha and unidad when one folded string contains the other.

LOOSE_ENTITIES = frozenset({"fecha", "unidad"})
OUT_OF_SCOPE = frozenset({"fuera_de_alcance"})


def load_blind_set(*paths: Path | str) -> list[dict]:
    """Items of one or more blind files; a directory means every nlu_*.yml in it."""
    import yaml

    items: list[dict] = []
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("nlu_*.yml")) if path.is_dir() else [path]
        for f in files:
            with open(f, encoding="utf-8") as fh:
                items.extend(yaml.safe_load(fh) or [])
    return items


def same_entity_value(entity: str, expected, got) -> bool:
    """Gold and predicted entity values agree (monto numerically; fecha/unidad by containment)."""
    if entity == "monto":
        try:
            return abs(float(expected) - float(got)) < 0.005
        except (TypeError, ValueError):
            return False
    if entity == "estado":
        # "México" (INEGI's name) and "Estado de México" are one estado: compare by key
        key = match_estado(expected)
        if key is not None:
            return key == match_estado(got)
    e, g = normalize_text(str(expected)), normalize_text(str(got))
    if entity in LOOSE_ENTITIES:
        return bool(e and g) and (e in g or g in e)
    return e == g


def score_blind(parser, items: list[dict]) -> dict:
    """Intent, secondary-intent and entity figures of `parser` on blind `items`."""
    gold, pred, texts, confs = [], [], [], []
    ent = {}  # name -> [tp, fp, fn]
    sec_hit = sec_total = 0
    failures = []
    for item in items:
        res = parser.parse(item["text"])
        p = res["intent"]["name"]
        gold.append(item["intent"])
        pred.append(p)
        texts.append(item["text"])
        confs.append(float(res["intent"].get("confidence") or 0.0))
        expected = [(n, v) for n, vals in (item.get("entities") or {}).items()
                    for v in (vals if isinstance(vals, list) else [vals])]
        got = [(e["entity"], e["value"]) for e in res["entities"]]
        missing, extra = [], list(got)
        for name, value in expected:
            hit = next((g for g in extra if g[0] == name and same_entity_value(name, value, g[1])), None)
            counts = ent.setdefault(name, [0, 0, 0])
            if hit:
                extra.remove(hit)
                counts[0] += 1
            else:
                counts[2] += 1
                missing.append((name, value))
        for name, _ in extra:
            ent.setdefault(name, [0, 0, 0])[1] += 1
        found_sec = {s["name"] for s in res.get("secondary_intents", [])} | {p}
        for s in item.get("secondary") or []:
            sec_total += 1
            sec_hit += s in found_sec
        if p != item["intent"] or missing or extra:
            failures.append({"text": item["text"], "gold": item["intent"], "pred": p,
                             "conf": round(confs[-1], 3),
                             "ranking": [r["name"] for r in res.get("intent_ranking", [])[:2]],
                             "missing": missing, "extra": extra})
    report = intent_report(gold, pred, texts, confs)
    tp = sum(c[0] for c in ent.values())
    fp = sum(c[1] for c in ent.values())
    fn = sum(c[2] for c in ent.values())
    ep, er, ef = _prf(tp, fp, fn)
    in_scope = [p for g, p in zip(gold, pred, strict=True) if g not in OUT_OF_SCOPE]
    return {
        "n": len(items),
        "intents": report,
        "fallback_in_scope": (sum(p == FALLBACK_INTENT for p in in_scope) / len(in_scope)
                              if in_scope else 0.0),
        "secondary_recall": sec_hit / sec_total if sec_total else None,
        "secondary_total": sec_total,
        "entity_precision": ep,
        "entity_recall": er,
        "entity_f1": ef,
        "per_entity": {k: {"tp": a, "fp": b, "fn": c, "recall": a / (a + c) if a + c else 0.0}
                       for k, (a, b, c) in sorted(ent.items())},
        "failures": failures,
    }


def format_blind(rep: dict, show_errors: int = 0) -> str:
    ir = rep["intents"]
    lines = [f"blind set: {rep['n']} messages", "",
             f"{'intent':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}"]
    for lab, (p, r, f, n) in ir.per_intent.items():
        lines.append(f"{lab:<24}{p:>10.3f}{r:>10.3f}{f:>10.3f}{n:>9d}")
    sec = rep["secondary_recall"]
    sec_text = "-" if sec is None else f"{sec:.3f}"
    lines += ["",
              (f"intent macro-F1: {ir.macro_f1:.3f}   accuracy: {ir.accuracy:.3f}   "
               f"fallback on in-scope: {rep['fallback_in_scope']:.3f}"),
              f"secondary intents found: {sec_text} (of {rep['secondary_total']})",
              (f"entity precision: {rep['entity_precision']:.3f}   recall: "
               f"{rep['entity_recall']:.3f}   F1: {rep['entity_f1']:.3f}")]
    for name, c in rep["per_entity"].items():
        lines.append(f"  {name:<10} tp={c['tp']} fp={c['fp']} fn={c['fn']} "
                     f"recall={c['recall']:.3f}")
    for f in rep["failures"][:show_errors]:
        lines.append(f"  [{f['gold']} -> {f['pred']} {f['conf']}] {f['text']!r}"
                     + (f" MISSING {f['missing']}" if f["missing"] else "")
                     + (f" EXTRA {f['extra']}" if f["extra"] else ""))
    return "\n".join(lines)


# --------------------------------------------------------------------------- grouped CV


def template_groups(examples: list[Example], threshold: float = 0.5) -> list[int]:
    """Group id per example: examples of one intent whose word sets overlap (Jaccard >=
    threshold, digits ignored) are one template and must share a fold."""
    words = [frozenset(w for w in normalize_text(ex.text).split() if not w.isdigit())
             for ex in examples]
    parent = list(range(len(examples)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_intent: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_intent.setdefault(ex.intent, []).append(i)
    for idx in by_intent.values():
        for a_pos, a in enumerate(idx):
            wa = words[a]
            if not wa:
                continue
            for b in idx[a_pos + 1:]:
                wb = words[b]
                if wb and len(wa & wb) / len(wa | wb) >= threshold:
                    parent[find(a)] = find(b)
    return [find(i) for i in range(len(examples))]


def grouped_cv(data_dir: Path | str | None = None, folds: int = 5,
               threshold: float | None = None) -> IntentReport:
    """Intent figures over `folds` folds where near-identical examples never straddle folds."""
    from sklearn.model_selection import GroupKFold

    data = load_training_data(data_dir)
    seen: set[str] = set()
    examples = []
    for ex in data.examples:
        key = normalize_text(ex.text)
        if key and key not in seen:
            seen.add(key)
            examples.append(ex)
    groups = template_groups(examples)
    gold, pred = [], []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(examples, groups=groups):
        model = fit_model([examples[i] for i in train_idx], progress=False)
        parser = EmbeddedParser(data_dir=data_dir, threshold=threshold, model=model)
        for i in test_idx:
            gold.append(examples[i].intent)
            pred.append(parser.parse(examples[i].text)["intent"]["name"])
    return intent_report(gold, pred)
