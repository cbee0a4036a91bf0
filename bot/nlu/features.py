"""The classifier's features: the text as its character and word n-grams see it, TF-IDF weighted.

`fast_features` (bot/nlu/model.py) re-implements scikit-learn's TfidfVectorizer analyzers here so
inference needs no scikit-learn call; training (bot/nlu/training.py) fits the vectorizers on the
same `char_doc`, so both paths see one text.
"""

from __future__ import annotations

import math
import re

from core.text.phonetic import phonetic

EMOJI_WORD_RE = re.compile(r"^emoji[a-z]+$")  # an emoji as normalize_text writes it
TOKEN_RE = re.compile(r"[a-z]{2,}")  # the words counted as known or unknown (IntentModel.known_ratio)
WORD_TOKEN_RE = re.compile(r"(?u)\b\w+\b")


def char_doc(doc: str) -> str:
    """What the character n-grams see: the sound-alike key, so "kiero saver si me cuvren" and
    "quiero saber si me cubren" share their n-grams (the word n-grams keep the spelling)."""
    return phonetic(doc)


def char_wb(doc: str, lo: int, hi: int) -> list[str]:
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


def tfidf_block(grams: list[str], vocab: dict, idf: list, base: int) -> tuple[list, list]:
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
