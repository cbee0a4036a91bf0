"""Scoring helpers for the unseen quality sets (tests/quality/unseen_*.{yml,csv}).

Run `python -m tests.quality.scoring` for a full report (per-intent metrics, entity F1,
coverage figures and every failure); tests/quality/test_unseen.py asserts the floors.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from bot.nlu.evaluate import same_entity_value

HERE = Path(__file__).parent
NLU_SET = HERE / "unseen_nlu.yml"
COVERAGE_SET = HERE / "unseen_coverage.csv"
LOOSE = {"fecha", "unidad"}


def load_nlu_set(path: Path = NLU_SET) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# entity values compare the way every blind set is scored (bot/nlu/evaluate.py)
_same = same_entity_value


def score_nlu(parser, items: list[dict]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    ent_tp, ent_fp, ent_fn = Counter(), Counter(), Counter()
    failures = []
    correct = 0
    for item in items:
        res = parser.parse(item["text"])
        pred = res["intent"]["name"]
        if pred == "nlu_fallback" and res.get("intent_ranking"):
            pred_eff = "nlu_fallback"
        else:
            pred_eff = pred
        gold = item["intent"]
        if pred_eff == gold:
            correct += 1
            tp[gold] += 1
        else:
            fp[pred_eff] += 1
            fn[gold] += 1
        expected = dict(item.get("entities") or {})
        got = [(e["entity"], e["value"]) for e in res["entities"]]
        unmatched = list(got)
        ent_missing, ent_extra = [], []
        pairs = [(n, v) for n, vals in expected.items()
                 for v in (vals if isinstance(vals, list) else [vals])]
        for name, value in pairs:
            hit = next((g for g in unmatched if g[0] == name and _same(name, value, g[1])), None)
            if hit:
                unmatched.remove(hit)
                ent_tp[name] += 1
            else:
                ent_fn[name] += 1
                ent_missing.append((name, value))
        for name, value in unmatched:
            ent_fp[name] += 1
            ent_extra.append((name, value))
        if pred_eff != gold or ent_missing or ent_extra:
            failures.append({
                "text": item["text"], "gold": gold, "pred": pred,
                "conf": round(res["intent"]["confidence"] or 0, 3),
                "second": [r["name"] for r in res.get("intent_ranking", [])[:2]],
                "missing": ent_missing, "extra": ent_extra,
            })
    labels = sorted({i["intent"] for i in items})
    per_intent = {}
    for lab in labels:
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_intent[lab] = {"precision": p, "recall": r, "f1": f, "support": tp[lab] + fn[lab]}
    t, fpos, fneg = sum(ent_tp.values()), sum(ent_fp.values()), sum(ent_fn.values())
    ep = t / (t + fpos) if t + fpos else 0.0
    er = t / (t + fneg) if t + fneg else 0.0
    per_entity = {}
    for name in sorted(set(ent_tp) | set(ent_fp) | set(ent_fn)):
        a, b, c = ent_tp[name], ent_fp[name], ent_fn[name]
        per_entity[name] = {"tp": a, "fp": b, "fn": c}
    return {
        "n": len(items),
        "accuracy": correct / len(items) if items else 0.0,
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(per_intent),
        "per_intent": per_intent,
        "entity_precision": ep,
        "entity_recall": er,
        "entity_f1": 2 * ep * er / (ep + er) if ep + er else 0.0,
        "per_entity": per_entity,
        "failures": failures,
    }


def score_coverage(engine, path: Path = COVERAGE_SET):
    from core.coverage.evaluate import evaluate, read_set

    return evaluate(engine, read_set(path))


def main() -> None:  # pragma: no cover - reporting helper
    from bot.nlu import get_parser
    from core.coverage import get_engine

    rep = score_nlu(get_parser(), load_nlu_set())
    print(f"NLU unseen: n={rep['n']} accuracy={rep['accuracy']:.3f} macro-F1={rep['macro_f1']:.3f} "
          f"entity P={rep['entity_precision']:.3f} R={rep['entity_recall']:.3f} "
          f"F1={rep['entity_f1']:.3f}")
    for lab, m in rep["per_intent"].items():
        print(f"  {lab:24s} P={m['precision']:.2f} R={m['recall']:.2f} F1={m['f1']:.2f} "
              f"n={m['support']}")
    for name, c in rep["per_entity"].items():
        print(f"  entity {name:10s} tp={c['tp']} fp={c['fp']} fn={c['fn']}")
    print("NLU failures:")
    for f in rep["failures"]:
        print(f"  [{f['gold']} -> {f['pred']} {f['conf']} {f['second']}] {f['text']}"
              + (f"  MISSING {f['missing']}" if f["missing"] else "")
              + (f"  EXTRA {f['extra']}" if f["extra"] else ""))
    cov = score_coverage(get_engine())
    print("Coverage unseen:", cov.to_dict())
    for f in cov.failures:
        print("  ", f)


if __name__ == "__main__":  # pragma: no cover
    main()
