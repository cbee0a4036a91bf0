"""A message folded for matching (accents stripped, lowercase) that keeps a map back to the
characters as received, so every extractor reports `start`/`end` in the original text."""

from __future__ import annotations

from dataclasses import dataclass

from unidecode import unidecode


@dataclass(frozen=True)
class Folded:
    original: str
    text: str  # folded: unidecode + lowercase
    index: tuple[int, ...]  # folded position -> original position (len(text) + 1 entries)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Folded [start, end) -> original [start, end)."""
        o_start = self.index[start]
        o_end = self.index[end - 1] + 1 if end > start else o_start
        return o_start, o_end

    def slice(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


def fold(text: str) -> Folded:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            rep = ch.lower()
        elif ch in "ñÑ":
            rep = "n"
        else:
            rep = unidecode(ch).lower()
            if len(rep) > 1 and not rep.isalpha():
                rep = " "  # symbols that unidecode spells out ("[?]", "EUR") become a space
        for c in rep:
            out.append(c)
            index.append(i)
    index.append(len(text))
    return Folded(text, "".join(out), tuple(index))
