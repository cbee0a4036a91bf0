"""BM25 over the knowledge base: the third reader of a coverage question.

The catalogue index and the knowledge-base synonyms match whole terms; a question told in its own
words ("tengo los ojos rojos con lagañas", "flujo blanco con comezón ahí abajo") shares most of its
words with one intervention's entry without matching any single term. BM25 (bm25s) over each
entry's name, lay terms, symptoms, medicines and studies, on the same stemmed tokens, finds that
entry. It answers only when one entry is clearly ahead; otherwise its closest entries are named in
the "no estoy seguro" answer. Adding the CIE-10 descriptions (package `cie`) of each entry's codes
to its document was measured and left out: their technical words diluted the lay ones (dev set
ojos/flujo/quemadura kept, tomografía/papanicolaou/quemadura lost).
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s

from core.coverage.kb import KBEntry
from core.coverage.text import tokens

MIN_SCORE = 3.5  # BM25 score of the best entry below which it never answers alone
MIN_LEAD = 1.15  # the best entry's score over the second's
MIN_QUERY_COVERAGE = 0.5  # share of the question's words found in the best entry
# a long story shares few of its words with any entry; far ahead, the best one answers anyway
STRONG_SCORE = 5.5
STRONG_LEAD = 1.3
LONG_SCORE = 4.5
LONG_LEAD = 1.45


@dataclass(frozen=True)
class Retrieved:
    key: tuple[str, int]  # (cartera, numero)
    score: float
    query_coverage: float


class KnowledgeRetriever:
    def __init__(self, entries: list[KBEntry]):
        self.keys = [(e.cartera, e.numero) for e in entries]
        self.docs = [frozenset(toks) for toks in (self._tokens(e) for e in entries)]
        self.bm25 = bm25s.BM25()
        self.bm25.index([list(self._tokens(e)) or ["_"] for e in entries], show_progress=False)
        self.vocab = frozenset().union(*self.docs) if self.docs else frozenset()

    @staticmethod
    def _tokens(e: KBEntry) -> list[str]:
        return tokens(" ".join([e.nombre, *e.terminos, *e.sintomas, *e.medicamentos, *e.estudios]))

    def search(self, text: str, k: int = 3) -> list[Retrieved]:
        query = tokens(text)
        if not query or not (set(query) & self.vocab) or not self.keys:
            return []
        k = min(k, len(self.keys))
        idx, scores = self.bm25.retrieve([query], k=k, show_progress=False)
        out = []
        for i, score in zip(idx[0], scores[0], strict=True):
            if score <= 0:
                continue
            doc = self.docs[int(i)]
            out.append(Retrieved(self.keys[int(i)], float(score), sum(t in doc for t in query) / len(query)))
        return out

    @staticmethod
    def confident(found: list[Retrieved]) -> Retrieved | None:
        """The best entry when it is clearly the one described, else None."""
        if not found:
            return None
        best = found[0]
        second = found[1].score if len(found) > 1 else 0.0
        if best.score >= MIN_SCORE and best.score >= MIN_LEAD * second \
                and best.query_coverage >= MIN_QUERY_COVERAGE:
            return best
        if best.score >= STRONG_SCORE and best.score >= STRONG_LEAD * second:
            return best
        if best.score >= LONG_SCORE and best.score >= LONG_LEAD * second:
            return best  # a long message: many of its words describe nothing, one entry far ahead
        return None

    @staticmethod
    def close_call(found: list[Retrieved]) -> bool:
        """Two entries described about equally well: ask which one rather than guess."""
        return len(found) > 1 and found[0].score >= MIN_SCORE \
            and found[0].query_coverage >= MIN_QUERY_COVERAGE and found[0].score < MIN_LEAD * found[1].score
