"""What no portfolio covers: the exclusion list's rules and vaccines the catalogs do not list.

Both answer before any match is chosen (CoverageEngine._ask): an excluded service is "not
covered" whatever row its words brushed, and a vaccine no catalog names is said to be missing
rather than answered by the generic "vacuna" row or an unrelated treatment. Kept apart from the
engine so the engine holds only the readers and the choice among matched rows.
"""

from __future__ import annotations

import re

from core.coverage.catalog import Intervention
from core.coverage.search import Hit, Index
from core.coverage.text import content_words, fold, stem, tokens

VACCINE_STEM = "vacun"
# Vaccines people ask for that no portfolio lists, written with words the catalogs never use
# (so the search cannot tell them from filler): the name used in the reply.
_OFF_CATALOG_VACCINES = {
    "covid": "COVID-19",
    "amarilla": "fiebre amarilla",
    "meningo": "meningococo",
    "zoster": "herpes zóster",
    "tifoidea": "fiebre tifoidea",
    "colera": "cólera",
    "ebola": "ébola",
    "mpox": "viruela símica (mpox)",
}
_OFF_CATALOG_VACCINE_RE = re.compile(
    r"\b(?:(?P<covid>covid\w*|cobid\w*|kovid\w*|covit|covi|coronavirus|corona virus|sars|"
    r"pfizer|moderna|astrazeneca|astra zeneca|sinovac|cansino|sputnik|abdala|patria)"
    r"|(?P<amarilla>fiebre amarilla)|(?P<meningo>meningococ\w*)"
    r"|(?P<zoster>herpes zoster|zoster|culebrilla)|(?P<tifoidea>tifoidea|tifoide)"
    r"|(?P<colera>colera)|(?P<ebola>ebola)|(?P<mpox>mpox|viruela del mono|viruela simica))\b"
)

Exclusion = tuple[frozenset[str], str, bool, tuple[str, ...]]


def is_vaccine(item: Intervention) -> bool:
    return fold(item.nombre).startswith("vacun")


# --- the exclusion list ---------------------------------------------------------------------

def exclusion_rules(exclusions: list[tuple[str, str, bool]]) -> list[Exclusion]:
    """(stems, label, firm, words as written) of each exclusion that has words to match.

    The words as written beside the stems: a stem may join words the exclusion never meant
    ("lentito" [slowly] and "lentes"); plural forms still match."""
    rules = [(frozenset(tokens(e[0], strict=False)), e[1], len(e) > 2 and bool(e[2]),
              tuple(content_words(e[0], strict=False))) for e in exclusions]
    return [e for e in rules if e[0]]


def excluded(rules: list[Exclusion], text: str, hits: list[Hit]) -> str | None:
    """The label of the exclusion the question asks about, or None."""
    loose = set(tokens(text, strict=False))
    said = content_words(text, strict=False)
    best = None
    folded = fold(text)
    for toks, label, firm, written in rules:
        if toks <= loose and _written(written, said) \
                and not (len(written) == 1 and re.search(rf"\bno\s+{re.escape(written[0])}\b", folded)) \
                and not re.search(rf"\bo\s+(?:es|son|sera|seria|lo consideran)\s+{re.escape(written[0])}", folded) \
                and (best is None or len(toks) > len(best[0])
                     or (len(toks) == len(best[0]) and firm and not best[2])):  # a firm one on a tie
            best = (toks, label, firm)
    if best is None:
        return None
    if best[2]:
        return best[1]
    # A catalog synonym at least as specific as the exclusion wins ("cirugía plástica
    # del labio leporino" is covered).
    for h in hits[:3]:
        if h.syn is not None and h.syn.weight >= 1.0 and h.syn.toks <= loose \
                and len(h.syn.toks) >= len(best[0]) and not (h.syn.toks <= best[0]):
            return None
        # ...and so does a row whose whole name the question says ("hipertensión pulmonar
        # primaria… le recetaron sildenafil": the drug treats a covered condition)
        name = frozenset(tokens(h.item.nombre))
        if len(name) >= 2 and name <= loose and not (name & best[0]):
            return None
    return best[1]


def _written(words: tuple[str, ...], said: list[str]) -> bool:
    """The exclusion's words in the question as written (or in the plural/singular), one after
    the other: "médico … en particular" is no private doctor, "camina lentito" no lenses."""
    def same(w: str, x: str) -> bool:
        return x in (w, f"{w}s", f"{w}es") or w in (f"{x}s", f"{x}es")
    n = len(words)
    return any(all(same(w, said[i + j]) for j, w in enumerate(words))
               for i in range(len(said) - n + 1))


# --- vaccines the catalogs do not list ------------------------------------------------------

# a particular vaccine: "la vacuna", "vacunas contra/de/del/para …"
_PARTICULAR_VACCINE_RE = re.compile(r"\bvacuna\b|\bvacunas\s+(?:de|del|contra|para|anti)")


def vaccine_not_listed(text: str, qtoks: set[str], listed: set[str]) -> str | None:
    """'vacuna del covid', 'vacuna contra el dengue': a vaccine for something no vaccine
    intervention of the catalogs names (`listed`: vaccine_tokens). Returns what was asked for
    (for the reply), or None when the catalogs have it, or the question names no particular
    vaccine ('vacunas').

    Without this, the generic synonym "vacuna" (which asks which one) or an unrelated
    treatment ("varicela") answered for a vaccine the catalogs do not have."""
    raw = content_words(text, strict=True)
    if VACCINE_STEM not in {stem(w) for w in raw}:
        return None
    if not _PARTICULAR_VACCINE_RE.search(fold(text)):
        return None  # "peso, talla, vista y vacunas": vaccines in general, among other care
    m = _OFF_CATALOG_VACCINE_RE.search(fold(text))
    if m:
        return _OFF_CATALOG_VACCINES[next(k for k, v in m.groupdict().items() if v)]
    spec = set(qtoks) - {VACCINE_STEM}
    if not spec:
        return None  # "vacunas", "las vacunas de mi bebé": the clarifying question
    if spec & listed:
        return None  # "vacuna del tétanos para adulto": the catalogs name it
    words = [w for w in raw if stem(w) != VACCINE_STEM]
    if len(words) > 3:
        mapped = {t for t in spec}
        words = [w for w in words if stem(w) in mapped] or words[:3]
    return " ".join(words)


def vaccine_tokens(index: Index) -> set[str]:
    """Tokens naming what the catalogs' vaccine interventions protect against."""
    found: set[str] = set()
    for d in index.docs:
        if VACCINE_STEM in d.name_toks or any(
                VACCINE_STEM in s.toks and s.weight >= 1.0 for s in d.syns):
            found |= set(d.name_toks)
            for s in d.syns:
                if s.weight >= 1.0:
                    found |= set(s.toks)
    found.discard(VACCINE_STEM)
    return found
