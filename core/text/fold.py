"""The one text fold: lowercase, accent-free (unidecode), punctuation to spaces, single-spaced.

`keep` names punctuation a caller still needs ("?" for questions, "/" for "c/u", clause marks
for the opt-out phrases)."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode


class _AsciiTable(dict):
    """str.translate table filled on first sight of each character with unidecode's spelling:
    unidecode works character by character in Python (about 40 µs for a paragraph), which made
    the coverage index take seconds to build in every new worker process."""

    def __missing__(self, code: int) -> str:
        self[code] = out = unidecode(chr(code))
        return out


_TABLE = _AsciiTable()


def to_ascii(text: str | None) -> str:
    """unidecode(text), the same string, quicker: ASCII text is returned as it is."""
    text = text or ""
    return text if text.isascii() else text.translate(_TABLE)


def ascii_lower(text: str | None) -> str:
    """Lowercase ASCII, punctuation kept: 'Vesícula, ¿cuánto?' -> 'vesicula, ?cuanto?'."""
    return to_ascii(text).lower()


@lru_cache(maxsize=8)
def _drop(keep: str) -> re.Pattern:
    return re.compile(rf"[^a-z0-9$ñ{re.escape(keep)}]+")


def fold(text: str | None, keep: str = "") -> str:
    return " ".join(_drop(keep).sub(" ", ascii_lower(text)).split())
