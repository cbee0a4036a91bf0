"""Where it happened, read from an answer: the estado among those the NLU found (a place where
someone is from or travels from is not where it happened) and an estado answer on its own,
spelt loosely. The dialogue reads these as U.estado_places / U.estado_loose."""

from __future__ import annotations

import difflib
import re

from bot.nlu.entities import HOME_BEFORE_RE
from core.estados import FOLDED_NAMES, clave_for
from core.text.fold import fold

# the estados' names, abbreviations and aliases (core.estados), and the words people use for a
# few of them in a chat
_FOLDED_NAMES = {**FOLDED_NAMES, "la capital": "09", "san luis": "24", "baja": "02", "quintana": "23",
                 "edo": "15"}


def estado_places(text: str | None, entities: list[dict], *, current: str | None = None,
                  correction: bool = False) -> str | None:
    """The estado where it happened among those the NLU found: mentions of where someone is from
    count only when nothing else is named (and never as a correction); a correction naming the
    current estado and another one means the other ("es Guadalupe Nuevo León, me confundí
    porque mi mamá es de Zacatecas")."""
    raw = text or ""
    place, origin = [], []
    for ent in entities or []:
        if ent.get("entity") != "estado":
            continue
        clave = clave_for(str(ent.get("value") or ""))
        if not clave:
            continue
        start = int(ent.get("start") or 0)
        before = fold(raw[max(0, start - 30):start])
        (origin if HOME_BEFORE_RE.search(before) else place).append(clave)
    found = place if (place or correction) else origin
    if correction and current in found and len(set(found)) > 1:
        return next(c for c in found if c != current)
    return found[-1] if found else None


def estado_loose(text: str | None) -> str | None:
    """An estado answer on its own: 'jalisco', 'Edo. Mex', 'es tlaxcala', 'jalisko'."""
    k = fold(text)
    if not k or len(k) > 60:
        return None
    k = re.sub(r"^(?:aqui en|aca en|por aca en|desde|es|en|de|del|el|la|fue en|fue|estado de|estoy en|vivo en|soy de|pues|perdon|"
               r"perdon es|no es|no|ah|mm|mmm)\s+", "", k)
    k = re.sub(r"^(?:es|en|de)\s+", "", k).strip()
    if k in _FOLDED_NAMES:
        return _FOLDED_NAMES[k]
    if len(k) >= 4:
        close = difflib.get_close_matches(k, [n for n in _FOLDED_NAMES if len(n) >= 4], n=1, cutoff=0.82)
        if close:
            return _FOLDED_NAMES[close[0]]
    return None


# Towns whose name is a municipality in more than one state (the NLU's city lookup leaves them
# out on purpose: nlu_data/lookups/ciudades.yml). Where one is far likelier (Ciudad Juárez, La Paz
# of Baja California Sur) the report takes it and the summary shows it, to be corrected there;
# where neither is (Cuauhtémoc, Benito Juárez) the bot asks which.
AMBIGUOUS_TOWNS = {  # folded name: (name as written, (likelier estado, other estado))
    "juarez": ("Juárez", ("08", "19")), "la paz": ("La Paz", ("03", "15")),
    "matamoros": ("Matamoros", ("28", "05")), "guadalupe": ("Guadalupe", ("19", "32")),
    "san juan del rio": ("San Juan del Río", ("22", "10")), "ocotlan": ("Ocotlán", ("14", "20")),
    "cuauhtemoc": ("Cuauhtémoc", ("08", "09")), "benito juarez": ("Benito Juárez", ("23", "09")),
    "salvatierra": ("Salvatierra", ("11", "03")), "jesus maria": ("Jesús María", ("01", "18")),
}
_ASK_WHICH = frozenset({"cuauhtemoc", "benito juarez"})
_AMBIGUOUS_RE = re.compile(r"(?<![a-z])(?<!ciudad )(?<!cd )(?<!benito )(?:en|de|del|a|al|por)\s+(?:el\s+|la\s+)?"
                           r"(" + "|".join(sorted(AMBIGUOUS_TOWNS, key=len, reverse=True)) + r")(?![a-z])")


def ambiguous_town(text: str | None) -> tuple[str, tuple[str, str]] | None:
    """'en juarez me cobraron…': the town named and the two states it may be in."""
    m = _AMBIGUOUS_RE.search(fold(text or "")[:600])
    return AMBIGUOUS_TOWNS[m.group(1)] if m else None


def likelier_estado(text: str | None) -> str | None:
    """The clave the towns named make likeliest: the one state two of them share ("el Salvatierra
    de La Paz"), else the likelier one of a town with a clear one ("en Juárez"); None when the
    bot should ask (Cuauhtémoc, Benito Juárez) or no such town is named."""
    names = [m.group(1) for m in _AMBIGUOUS_RE.finditer(fold(text or "")[:600])]
    if not names:
        return None
    shared = set.intersection(*(set(AMBIGUOUS_TOWNS[n][1]) for n in names))
    if len(names) > 1 and len(shared) == 1:
        return shared.pop()
    return None if names[0] in _ASK_WHICH else AMBIGUOUS_TOWNS[names[0]][1][0]
