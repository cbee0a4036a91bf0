"""The issue's targets, measured the way `sinac nlu evaluate` measures them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.evaluate import evaluate_file, evaluate_split


@pytest.fixture(scope="module")
def split_eval():
    return evaluate_split(progress=False)


def test_held_out_intent_macro_f1(split_eval):
    # The split now holds the round-2 hard examples (praise with pain, indirect charges, slang,
    # phonetic spelling): 0.909 measured when they were added; the honest figures are the blind
    # sets' (docs/benchmarks.md).
    assert split_eval.n_test >= 500
    assert split_eval.intents.macro_f1 >= 0.89


def test_held_out_entity_f1(split_eval):
    assert split_eval.entities.f1 >= 0.90


def test_unseen_messages(instance_env):
    ev = evaluate_file(Path(__file__).with_name("unseen.yml"), progress=False)
    assert ev.n_test >= 100
    assert ev.intents.accuracy >= 0.9
    assert ev.entities.f1 >= 0.9
