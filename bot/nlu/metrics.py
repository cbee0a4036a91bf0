"""Intent and entity figures: precision, recall and F1 per label, the confusion, the errors.

Shared by the held-out split (bot/nlu/evaluate.py), the blind sets (bot/nlu/blind.py) and the
grouped cross-validation (bot/nlu/cv.py), so every figure is computed one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .data import ENTITIES, FALLBACK_INTENT, Example
from .normalize import normalize_text
from .numbers import parse_digits, words_to_number


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


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
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
        per[lab] = (*prf(tp, fp, fn), tp + fn)
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
            per[e] = (*prf(tp, fp, fn), tp + fn)
    tp = sum(c[0] for c in counts.values())
    fp = sum(c[1] for c in counts.values())
    fn = sum(c[2] for c in counts.values())
    p, r, f = prf(tp, fp, fn)
    return EntityReport(per, p, r, f, errors)
