"""Training the intent model, and the cache of fitted models on disk.

The fitted model is pickled under ``$SINAC_INSTANCE_DIR/nlu/embedded-<hash>.pkl`` where the hash
covers the training data, ENGINE_VERSION, scikit-learn's version and the concept and slang
tables, so any edit to them retrains on next use. scikit-learn is imported only to train.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .concepts import concept_tokens
from .data import Example, data_hash, default_data_dir, load_training_data
from .features import char_doc
from .model import IntentModel
from .normalize import normalize_text

log = logging.getLogger(__name__)

ENGINE_VERSION = "5"


def instance_dir() -> Path:
    return Path(os.environ.get("SINAC_INSTANCE_DIR") or "instance")



def _dedupe(examples: list[Example]) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    seen: dict[str, str] = {}
    for ex in examples:
        norm = normalize_text(ex.text)
        if not norm:
            continue
        if norm in seen:
            if seen[norm] != ex.intent:
                log.warning("conflicting intents for %r: %s / %s", ex.text, seen[norm], ex.intent)
            continue
        seen[norm] = ex.intent
        texts.append(norm)
        labels.append(ex.intent)
    return texts, labels


def fit_model(examples: list[Example], progress: bool | None = None, seed: int = 0) -> IntentModel:
    """Fit the classifier on `examples`. `progress`: None = tqdm bar only on a terminal."""
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC
    from tqdm import tqdm

    started = time.perf_counter()
    disable = None if progress is None else not progress
    steps = ["normalise", "char n-grams", "word n-grams", "fit + calibrate", "pack"]
    bar = tqdm(total=len(steps), desc="nlu train", unit="step", disable=disable, file=sys.stderr)
    try:
        bar.set_postfix_str(steps[0])
        texts, labels = _dedupe(examples)
        texts = [concept_tokens(t) for t in texts]
        if len(set(labels)) < 2:
            raise ValueError("need examples of at least two intents")
        bar.update()
        bar.set_postfix_str(steps[1])
        char_vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        xc = char_vec.fit_transform([char_doc(t) for t in texts])
        bar.update()
        bar.set_postfix_str(steps[2])
        word_vec = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        xw = word_vec.fit_transform(texts)
        x = sp.hstack([xc, xw], format="csr")
        bar.update()
        bar.set_postfix_str(steps[3])
        counts = np.bincount(np.unique(labels, return_inverse=True)[1])
        folds = int(min(5, counts.min()))
        clf = CalibratedClassifierCV(
            LinearSVC(C=1.0, class_weight="balanced", random_state=seed),
            method="sigmoid",
            cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
            ensemble=True,
        )
        clf.fit(x, labels)
        bar.update()
        bar.set_postfix_str(steps[4])
        classes = tuple(str(c) for c in clf.classes_)
        weights, bias, cal_a, cal_b = [], [], [], []
        for cc in clf.calibrated_classifiers_:
            est = cc.estimator
            weights.append(est.coef_)
            bias.append(est.intercept_)
            cal_a.append([cal.a_ for cal in cc.calibrators])
            cal_b.append([cal.b_ for cal in cc.calibrators])
        known = frozenset(
            t for t in word_vec.vocabulary_ if " " not in t and len(t) >= 2 and t[:2] != "zz"
        )
        model = IntentModel(
            char_vec=char_vec,
            word_vec=word_vec,
            weights=np.vstack(weights).astype(np.float32),
            bias=np.concatenate(bias).astype(np.float64),
            cal_a=np.concatenate(cal_a).astype(np.float64),
            cal_b=np.concatenate(cal_b).astype(np.float64),
            classes=classes,
            n_folds=len(clf.calibrated_classifiers_),
            known_words=known,
            n_examples=len(texts),
        )
        model.pack()
        bar.update()
    finally:
        bar.close()
    model.train_seconds = time.perf_counter() - started
    return model


def model_key(data_dir: Path | str) -> str:
    import sklearn

    h = hashlib.sha256()
    h.update(data_hash(data_dir).encode())
    h.update(f"|engine={ENGINE_VERSION}|sklearn={sklearn.__version__}".encode())
    # the features read the concept and slang tables: an edit to either retrains too
    from .concepts import CONCEPTS
    from .normalize import SLANG

    h.update(repr(sorted(CONCEPTS.items())).encode())
    h.update(repr(sorted(SLANG.items())).encode())
    return h.hexdigest()[:20]


def model_path(data_dir: Path | str, inst_dir: Path | str | None = None) -> Path:
    base = Path(inst_dir) if inst_dir is not None else instance_dir()
    return base / "nlu" / f"embedded-{model_key(data_dir)}.pkl"


def save_model(model: IntentModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pkl", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: concurrent trainers never expose a partial file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_model(path: Path) -> IntentModel | None:
    try:
        with open(path, "rb") as fh:
            model = pickle.load(fh)
    except FileNotFoundError:
        return None
    except (
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:  # corrupt / incompatible: retrain
        log.warning("cannot load NLU model %s (%s); retraining", path, exc)
        return None
    return model if isinstance(model, IntentModel) else None


def train(
    data_dir: Path | str | None = None,
    inst_dir: Path | str | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> tuple[IntentModel, Path, bool]:
    """Train (or reuse) the cached model. Returns (model, path, trained_now)."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    path = model_path(data_dir, inst_dir)
    if not force:
        model = load_model(path)
        if model is not None:
            return model, path, False
    data = load_training_data(data_dir)
    model = fit_model(data.examples, progress=progress)
    model.data_hash = data_hash(data_dir)
    save_model(model, path)
    log.info(
        "trained NLU model on %d examples in %.1fs -> %s",
        model.n_examples,
        model.train_seconds,
        path,
    )
    return model, path, True
