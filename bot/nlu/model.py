"""The fitted intent model and its inference: one sparse product over the stacked fold models.

Fitting it is bot/nlu/training.py; turning a message into its features is bot/nlu/features.py;
deciding what a message means (thresholds, noise, foreign text) is bot/nlu/parser.py. Pickled
models name this class (older ones name bot.nlu.engine.IntentModel, which re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .concepts import concept_tokens
from .features import EMOJI_WORD_RE, TOKEN_RE, WORD_TOKEN_RE, char_doc, char_wb, tfidf_block


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
        idx_c, val_c = tfidf_block(char_wb(char_doc(doc), 2, 5), self.char_vocab, self.char_idf, 0)
        words = WORD_TOKEN_RE.findall(doc)
        grams = words + [f"{a} {b}" for a, b in pairwise(words)]
        idx_w, val_w = tfidf_block(grams, self.word_vocab, self.word_idf, self.n_char)
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
        toks = [t for t in TOKEN_RE.findall(norm) if not EMOJI_WORD_RE.match(t)]
        if not toks:
            return 0, 0.0
        return len(toks), sum(t in self.known_words for t in toks) / len(toks)
