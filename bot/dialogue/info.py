"""Answers for solicitud_informacion from bot/content/informacion.yaml (loaded on first use)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.dialogue.understand import fold

CONTENT_FILE = Path(__file__).resolve().parent.parent / "content" / "informacion.yaml"


@dataclass(frozen=True)
class Tema:
    id: str
    titulo: str
    keywords: tuple[tuple[str, ...], ...]
    respuesta: str


@functools.lru_cache(maxsize=1)
def temas() -> tuple[Tema, ...]:
    data = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    out = []
    for item in data["temas"]:
        kws = tuple(tuple(fold(k).split()) for k in item["keywords"] if fold(k))
        respuesta = " ".join(str(item["respuesta"]).split())
        out.append(Tema(item["id"], item["titulo"], kws, respuesta))
    return tuple(out)


def by_id(tema_id: str) -> Tema | None:
    for t in temas():
        if t.id == tema_id:
            return t
    return None


def match(text: str) -> Tema | None:
    """The topic whose keywords best cover the question (a phrase counts when all its words
    appear in order-independent form; longer phrases weigh more)."""
    words = fold(text).split()
    if not words:
        return None
    stems = set(words)
    best: tuple[float, Tema] | None = None
    for tema in temas():
        score = 0.0
        for kw in tema.keywords:
            if all(w in stems for w in kw):
                score += len(kw)
        if score and (best is None or score > best[0]):
            best = (score, tema)
    return best[1] if best else None
