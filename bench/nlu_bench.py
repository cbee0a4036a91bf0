"""NLU benchmark: training time, model load time, parse latency (p50/p99) over a few thousand
varied messages, and the evaluation figures. Rewrites the "NLU" section of docs/benchmarks.md.

    .venv/bin/python bench/nlu_bench.py [--messages 4000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, percentile, write_section


def messages(n: int, seed: int = 7) -> list[str]:
    """Training and unseen texts, mutated the way people type (caps, no accents, emojis...)."""
    from unidecode import unidecode

    from bot.nlu.data import load_training_data

    root = Path(__file__).resolve().parents[1]
    base = [e.text for e in load_training_data().examples]
    base += [e.text for e in load_training_data(root / "tests" / "nlu" / "unseen.yml").examples]
    rng = random.Random(seed)
    extra = ["", "👍", "🎉🌮🚗", "x" * 5000, "asdf qwer zxcv", "I need the weather for London"]
    out = []
    while len(out) < n:
        t = rng.choice(base)
        r = rng.random()
        if r < 0.15:
            t = t.upper()
        elif r < 0.3:
            t = unidecode(t)
        elif r < 0.4:
            t = t + " " + rng.choice(["😡", "🙏", "👍", "😭😭", "!!!"])
        elif r < 0.5:
            t = t + " y " + rng.choice(base)  # run-on
        elif r < 0.52:
            t = rng.choice(extra)
        out.append(t)
    return out


def coverage_latency() -> list[float]:
    """Microseconds per coverage answer over every question of the coverage sets."""
    from core.coverage.engine import CoverageEngine
    from core.coverage.evaluate import read_set

    root = Path(__file__).resolve().parents[1]
    engine = CoverageEngine.from_files()
    questions = [r.pregunta for p in sorted((root / "tests" / "quality").glob("*/coverage*.csv"))
                 for r in read_set(p)] + [r.pregunta for r in read_set()]
    for q in questions[:50]:
        engine.ask(q)
    out = []
    for q in questions:
        t = time.perf_counter_ns()
        engine.ask(q)
        out.append((time.perf_counter_ns() - t) / 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=4000)
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()

    from bot.nlu.engine import EmbeddedParser, load_model, model_path, train
    from bot.nlu.evaluate import evaluate_file, evaluate_split

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model, path, _ = train(inst_dir=tmp, force=True, progress=False)
        train_s = time.perf_counter() - t0
        size_kb = path.stat().st_size / 1024
        t0 = time.perf_counter()
        from bot.nlu.data import default_data_dir

        load_model(model_path(default_data_dir(), tmp))
        load_s = time.perf_counter() - t0

        parser = EmbeddedParser(inst_dir=tmp, model=model)
        msgs = messages(args.messages)
        for m in msgs[:200]:  # warm caches (gazetteer, regexes)
            parser.parse(m)
        parse_us, rank_us, ent_us, interp_us = [], [], [], []
        from bot.nlu.entities import extract_entities
        from bot.nlu.interpret import interpret

        for m in msgs:
            t = time.perf_counter_ns()
            parser.parse(m)
            parse_us.append((time.perf_counter_ns() - t) / 1000)
            t = time.perf_counter_ns()
            parser.rank(m)
            rank_us.append((time.perf_counter_ns() - t) / 1000)
            t = time.perf_counter_ns()
            extract_entities(m)
            ent_us.append((time.perf_counter_ns() - t) / 1000)
            t = time.perf_counter_ns()
            interpret(m, parser)
            interp_us.append((time.perf_counter_ns() - t) / 1000)
        cov_us = coverage_latency()

        split = evaluate_split(progress=False)
        unseen = evaluate_file(Path(__file__).resolve().parents[1] / "tests/nlu/unseen.yml",
                               inst_dir=tmp, progress=False)

    def row(name, xs):
        return (f"| {name} | {percentile(xs, 0.5):.0f} | {percentile(xs, 0.9):.0f} | "
                f"{percentile(xs, 0.99):.0f} | {max(xs):.0f} |")

    load1 = os.getloadavg()[0]
    body = header("python bench/nlu_bench.py")
    body += (f"Load average during the run: {load1:.1f} (tails p90/p99 grow with contention on a "
             f"shared machine; p50 is the stable figure).\n\n")
    body += (
        f"Embedded engine (TF-IDF char 2-5 + word 1-2 n-grams with lexical concept tokens, "
        f"LinearSVC, sigmoid calibration over 5 folds), {model.n_examples} training messages.\n\n"
        f"- training: **{train_s:.2f} s** (model file {size_kb:.0f} KiB); "
        f"loading the cached model: {load_s * 1000:.0f} ms\n"
        f"- held-out 20 % split ({split.n_test} messages, trained on {split.n_train}): intent "
        f"macro-F1 **{split.intents.macro_f1:.3f}** (accuracy {split.intents.accuracy:.3f}, "
        f"fallback {split.intents.fallback_rate:.3f}), entity F1 **{split.entities.f1:.3f}**\n"
        f"- unseen hand-written set ({unseen.n_test} messages, tests/nlu/unseen.yml): intent "
        f"accuracy **{unseen.intents.accuracy:.3f}**, macro-F1 {unseen.intents.macro_f1:.3f}, "
        f"entity F1 {unseen.entities.f1:.3f}\n\n"
        f"Latency per message over {len(msgs)} varied messages (caps, no accents, emojis, "
        f"run-ons, empty, 5,000 chars), microseconds:\n\n"
        "| step | p50 | p90 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |\n"
        + row("parse (intent + entities)", parse_us) + "\n"
        + row("intent only", rank_us) + "\n"
        + row("entities only", ent_us) + "\n"
        + row("whole interpretation (bot/nlu/interpret.py: clauses, context)", interp_us) + "\n"
        + row("coverage answer (`sinac coverage ask`, both blind and dev questions)", cov_us)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("nlu", "NLU", body)


if __name__ == "__main__":
    main()
