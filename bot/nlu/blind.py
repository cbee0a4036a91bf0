"""Scoring the interpreter on the blind sets, written by people who never saw nlu_data.

Kept apart from the held-out split (bot/nlu/evaluate.py): a blind item carries its entities by
value and its secondary intents, and is scored through whatever parser is given (the
interpreter, in tests/quality and `sinac nlu evaluate --blind`). `same_entity_value` is also how
tests/quality/scoring.py compares entity values.
"""

from __future__ import annotations

from pathlib import Path

from core.estados import match_estado

from .data import FALLBACK_INTENT
from .metrics import intent_report, prf
from .normalize import normalize_text

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
    ep, er, ef = prf(tp, fp, fn)
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
