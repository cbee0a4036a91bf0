"""A Spanish sound-alike key: people spell by ear ("kiero saver si me cuvren la operasion").

'sesaria' ~ 'cesarea', 'almoranas' ~ 'almorranas', 'besicula' ~ 'vesicula'. Used by the coverage
search (misspellings against the catalogue) and by the NLU (character n-grams of the key).
"""

from __future__ import annotations

import re

_PHONETIC = (
    (re.compile(r"ch"), "7"),  # "ch" is its own sound ("chica" is not "zika")
    (re.compile(r"h"), ""),
    (re.compile(r"qu(?=[ei])"), "k"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"g(?=[ei])"), "j"),
    (re.compile(r"c"), "k"),
    (re.compile(r"q"), "k"),
    (re.compile(r"z"), "s"),
    (re.compile(r"v"), "b"),
    (re.compile(r"ll"), "y"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"(.)\1+"), r"\1"),
)


def phonetic(word: str) -> str:
    """Sound-alike key of a lowercase, accent-free word (or of several, space-separated)."""
    w = word
    for rx, rep in _PHONETIC:
        w = rx.sub(rep, w)
    return w
