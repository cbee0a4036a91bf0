"""Embedded intent classifier: TF-IDF char + word n-grams, LinearSVC, sigmoid calibration.

Training takes a few seconds. The fitted model is pickled under
``$SINAC_INSTANCE_DIR/nlu/embedded-<hash>.pkl`` where the hash covers the training data, the
engine version and scikit-learn's version, so any edit to nlu_data retrains on next use.
Inference does not go through scikit-learn's predict path: the calibrated fold models are
stacked into one matrix and evaluated with a single sparse product (well under a millisecond).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from core.text.phonetic import phonetic

from .concepts import concept_tokens
from .data import (
    FALLBACK_INTENT,
    Example,
    TrainingData,
    data_hash,
    default_data_dir,
    load_training_data,
)
from .entities import extract_entities
from .normalize import normalize_text

log = logging.getLogger(__name__)

ENGINE_VERSION = "5"
DEFAULT_THRESHOLD = 0.35  # measured on the round-2 dev set: fallbacks 3.3 % -> 0.3 %, accuracy 0.910 -> 0.929
RANKING_SIZE = 10
_EMOJI_WORD_RE = re.compile(r"^emoji[a-z]+$")
# Emoji-only messages are only understood for these (thumbs up, thanks, wave, thumbs down).
_MEANINGFUL_EMOJI = {"emojiok", "emojigracias", "emojihola", "emojino"}
_TOKEN_RE = re.compile(r"[a-z]{2,}")
_SPANISH_SW = frozenset(
    [
        "de",
        "la",
        "el",
        "que",
        "en",
        "y",
        "los",
        "se",
        "del",
        "las",
        "un",
        "por",
        "con",
        "no",
        "una",
        "su",
        "para",
        "es",
        "al",
        "lo",
        "como",
        "mas",
        "pero",
        "sus",
        "le",
        "ya",
        "o",
        "fue",
        "me",
        "si",
        "mi",
        "muy",
        "hay",
        "porque",
        "yo",
        "tengo",
        "quiero",
        "nos",
        "les",
        "esta",
        "estoy",
        "son",
        "era",
        "ese",
        "esa",
    ]
)
_ENGLISH_SW = frozenset(
    [
        "the",
        "to",
        "for",
        "would",
        "is",
        "are",
        "you",
        "what",
        "how",
        "my",
        "with",
        "and",
        "of",
        "it",
        "this",
        "that",
        "be",
        "do",
        "does",
        "can",
        "want",
        "like",
        "know",
        "please",
        "in",
        "on",
        "at",
        "your",
        "will",
        "have",
        "has",
        "was",
        "were",
        "from",
        "about",
        "which",
        "who",
        "when",
        "where",
        "there",
        "their",
        "they",
        "we",
        "our",
        "an",
        "or",
        "not",
    ]
)
_NOT_DOMAIN = {"zznumero", "zzotro_tema", "zzotro_tramite"}
# Messages made only of these carry no intent ("x" * 5000 -> "por").
_FUNCTION_WORDS = _SPANISH_SW - {"no", "si", "quiero", "tengo", "hay"}


def instance_dir() -> Path:
    return Path(os.environ.get("SINAC_INSTANCE_DIR") or "instance")


def threshold_from_env() -> float:
    raw = os.environ.get("NLU_THRESHOLD")
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = float(raw)
    except ValueError:
        log.warning("NLU_THRESHOLD=%r is not a number; using %s", raw, DEFAULT_THRESHOLD)
        return DEFAULT_THRESHOLD
    return min(max(value, 0.0), 1.0)


# --------------------------------------------------------------------------- model


@dataclass
class IntentModel:
    char_vec: object
    word_vec: object
    weights: np.ndarray | None  # (folds * classes, features); dropped by pack()
    bias: np.ndarray  # (folds * classes,)
    cal_a: np.ndarray  # sigmoid calibration slope per fold model/class
    cal_b: np.ndarray
    classes: tuple[str, ...]
    n_folds: int
    known_words: frozenset[str]
    data_hash: str = ""
    train_seconds: float = 0.0
    n_examples: int = 0
    char_vocab: dict | None = None
    char_idf: list | None = None
    word_vocab: dict | None = None
    word_idf: list | None = None
    n_char: int = 0
    weights_t: np.ndarray | None = None  # (features, folds * classes), C-contiguous

    def pack(self) -> None:
        """Precompute the structures `fast_features` and `proba` use."""
        self.char_vocab = dict(self.char_vec.vocabulary_)
        self.char_idf = [float(v) for v in self.char_vec.idf_]
        self.word_vocab = dict(self.word_vec.vocabulary_)
        self.word_idf = [float(v) for v in self.word_vec.idf_]
        self.n_char = len(self.char_vocab)
        self.weights_t = np.ascontiguousarray(self.weights.T)
        self.weights = None  # only the transposed copy is used; halves the model file

    def features(self, norm: str):
        """Feature row through scikit-learn (reference path; `proba` uses `fast_features`)."""
        import scipy.sparse as sp

        doc = concept_tokens(norm)
        return sp.hstack([self.char_vec.transform([char_doc(doc)]), self.word_vec.transform([doc])],
                         format="csr")

    def fast_features(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of the same row as `features`, without scikit-learn's overhead.

        Re-implements TfidfVectorizer's char_wb and word analyzers, sublinear tf, idf and the
        per-block l2 norm.
        """
        doc = concept_tokens(norm)
        idx_c, val_c = _tfidf_block(_char_wb(char_doc(doc), 2, 5), self.char_vocab, self.char_idf, 0)
        words = _WORD_TOKEN_RE.findall(doc)
        grams = words + [f"{a} {b}" for a, b in pairwise(words)]
        idx_w, val_w = _tfidf_block(grams, self.word_vocab, self.word_idf, self.n_char)
        return idx_c + idx_w, val_c + val_w

    def proba(self, norm: str) -> np.ndarray:
        """Class probabilities (averaged calibrated fold models), in `classes` order."""
        idx, val = self.fast_features(norm)
        if idx:
            scores = np.asarray(val, dtype=np.float32) @ self.weights_t[idx] + self.bias
        else:
            scores = self.bias.copy()
        p = 1.0 / (1.0 + np.exp(self.cal_a * scores + self.cal_b))
        p = p.reshape(self.n_folds, len(self.classes))
        sums = p.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1.0
        return (p / sums).mean(axis=0)

    def known_ratio(self, norm: str) -> tuple[int, float]:
        toks = [t for t in _TOKEN_RE.findall(norm) if not _EMOJI_WORD_RE.match(t)]
        if not toks:
            return 0, 0.0
        return len(toks), sum(t in self.known_words for t in toks) / len(toks)


_WORD_TOKEN_RE = re.compile(r"(?u)\b\w+\b")


def char_doc(doc: str) -> str:
    """What the character n-grams see: the sound-alike key, so "kiero saver si me cuvren" and
    "quiero saber si me cubren" share their n-grams (the word n-grams keep the spelling)."""
    return phonetic(doc)


def _char_wb(doc: str, lo: int, hi: int) -> list[str]:
    """scikit-learn's char_wb analyzer (n-grams inside word boundaries, padded by spaces)."""
    grams: list[str] = []
    append = grams.append
    for word in doc.split():
        w = f" {word} "
        w_len = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            append(w[offset : offset + n])
            while offset + n < w_len:
                offset += 1
                append(w[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def _tfidf_block(grams: list[str], vocab: dict, idf: list, base: int) -> tuple[list, list]:
    counts: dict[int, int] = {}
    for g in grams:
        j = vocab.get(g)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    if not counts:
        return [], []
    idx = list(counts)
    vals = [(1.0 + math.log(c)) * idf[j] for j, c in counts.items()]
    norm = math.sqrt(sum(v * v for v in vals))
    return [base + j for j in idx], [v / norm for v in vals]


def _looks_binary(text: str) -> bool:
    """Control characters or replacement marks: a binary blob, not a message."""
    sample = text[:2000]
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\r\t")
    )
    return bad >= 3 or (bool(sample) and bad / len(sample) > 0.1)


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


# --------------------------------------------------------------------------- parser


def fallback_result(
    text: str,
    confidence: float,
    ranking: list[dict] | None = None,
    entities: list[dict] | None = None,
) -> dict:
    return {
        "text": text,
        "intent": {"name": FALLBACK_INTENT, "confidence": float(confidence)},
        "entities": entities or [],
        "intent_ranking": ranking or [],
    }


def coerce_text(text: object) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    # lone surrogates (broken emoji from some gateways) cannot be encoded: replace them
    return text.encode("utf-8", errors="replace").decode("utf-8")


class EmbeddedParser:
    """Parses messages with the embedded model; loads (or trains) it once, lazily."""

    backend = "embedded"

    def __init__(
        self,
        data_dir: Path | str | None = None,
        inst_dir: Path | str | None = None,
        threshold: float | None = None,
        model: IntentModel | None = None,
    ):
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.inst_dir = inst_dir
        self.threshold = threshold_from_env() if threshold is None else float(threshold)
        self._model = model
        self._lock = threading.Lock()

    @property
    def model(self) -> IntentModel:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model, _, _ = train(self.data_dir, self.inst_dir, progress=False)
        return self._model

    def warm(self) -> EmbeddedParser:
        _ = self.model
        return self

    def rank(self, text: str) -> list[dict]:
        """Intent candidates, best first (no threshold applied); [] when nothing to classify."""
        if _looks_binary(text):
            return []
        norm = normalize_text(text)
        if not norm:
            return []
        model = self.model
        words = norm.split()
        if all(_EMOJI_WORD_RE.match(w) for w in words) and not set(words) <= _MEANINGFUL_EMOJI:
            return []
        n_tokens, ratio = model.known_ratio(norm)
        has_digits = any(c.isdigit() for c in norm)
        if n_tokens == 0 and not has_digits and not set(words) & _MEANINGFUL_EMOJI:
            return []
        if all(w in _FUNCTION_WORDS for w in words):
            return []
        probs = model.proba(norm)
        order = np.argsort(-probs)[:RANKING_SIZE]
        ranking = [{"name": model.classes[i], "confidence": float(probs[i])} for i in order]
        cap = None
        if n_tokens >= 3 and ratio < 0.34:
            cap = ratio  # mostly words we never saw: another language or noise
        elif self._foreign(words, norm):
            cap = 0.0
        if cap is not None:
            # keep the candidates, but don't trust them
            for r in ranking:
                r["confidence"] = min(r["confidence"], cap)
        return ranking

    @staticmethod
    def _foreign(words: list[str], norm: str) -> bool:
        """English (or similar) with no Spanish function word and nothing from our domain."""
        english = sum(w in _ENGLISH_SW for w in words)
        if english < 2 or any(w in _SPANISH_SW for w in words):
            return False
        concepts = concept_tokens(norm)[len(norm) :].split()
        return not [c for c in concepts if c not in _NOT_DOMAIN]

    def parse(self, text: object) -> dict:
        text = coerce_text(text)
        try:
            entities = extract_entities(text, self.data_dir)
        except Exception:  # a bug in one extractor must not lose the message
            log.exception("entity extraction failed")
            entities = []
        ranking = self.rank(text)
        if not ranking or ranking[0]["confidence"] < self.threshold:
            # the fallback carries how sure the best candidate was, never a constant
            top = ranking[0]["confidence"] if ranking else 0.0
            return fallback_result(text, top, ranking, entities)
        top = ranking[0]
        return {
            "text": text,
            "intent": {"name": top["name"], "confidence": top["confidence"]},
            "entities": entities,
            "intent_ranking": ranking,
        }


def load_data(data_dir: Path | str | None = None) -> TrainingData:
    return load_training_data(data_dir)
