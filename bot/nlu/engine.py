"""Embedded intent classifier: TF-IDF char + word n-grams, LinearSVC, sigmoid calibration.

Training takes a few seconds. The fitted model is pickled under
``$SINAC_INSTANCE_DIR/nlu/embedded-<hash>.pkl`` where the hash covers the training data, the
engine version and scikit-learn's version, so any edit to nlu_data retrains on next use.
Inference does not go through scikit-learn's predict path: the calibrated fold models are
stacked into one matrix and evaluated with a single sparse product (well under a millisecond).

The parts live in modules of their own, one way down: the parser (parser.py: thresholds, noise,
foreign text, entities) uses the model (model.py) that training (training.py: fitting and the
cache on disk) produces, and both read the features (features.py). This module is their one
entry point: callers, pickled models and tests/nlu_model.py (which hashes the code the trainer
imports, starting here) name `bot.nlu.engine`.
"""

from __future__ import annotations

from pathlib import Path

from .data import TrainingData, load_training_data
from .features import char_doc
from .model import IntentModel
from .parser import (
    DEFAULT_THRESHOLD,
    RANKING_SIZE,
    EmbeddedParser,
    coerce_text,
    fallback_result,
    threshold_from_env,
)
from .training import (
    ENGINE_VERSION,
    fit_model,
    instance_dir,
    load_model,
    model_key,
    model_path,
    save_model,
    train,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "ENGINE_VERSION",
    "RANKING_SIZE",
    "EmbeddedParser",
    "IntentModel",
    "char_doc",
    "coerce_text",
    "fallback_result",
    "fit_model",
    "instance_dir",
    "load_data",
    "load_model",
    "model_key",
    "model_path",
    "save_model",
    "threshold_from_env",
    "train",
]


def load_data(data_dir: Path | str | None = None) -> TrainingData:
    return load_training_data(data_dir)
