"""Grouped cross-validation: intent figures where near-identical examples never straddle folds.

A random split leaves a template's twins on both sides and flatters the model; here examples of
one intent whose words overlap are one group and share a fold (`sinac nlu evaluate --grouped`).
"""

from __future__ import annotations

from pathlib import Path

from .data import Example, load_training_data
from .engine import EmbeddedParser, fit_model
from .metrics import IntentReport, intent_report
from .normalize import normalize_text


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
