"""The one text fold: lowercase, accent-free (unidecode), punctuation to spaces, single-spaced.

`keep` names punctuation a caller still needs ("?" for questions, "/" for "c/u", clause marks
for the opt-out phrases)."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode


@lru_cache(maxsize=8)
def _drop(keep: str) -> re.Pattern:
    return re.compile(rf"[^a-z0-9$ñ{re.escape(keep)}]+")


def fold(text: str | None, keep: str = "") -> str:
    return " ".join(_drop(keep).sub(" ", unidecode(text or "").lower()).split())
