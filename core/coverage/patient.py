"""Who the patient is and who an intervention is for: age ranges, adults, newborns, small children.

Kept apart from the engine (core/coverage/engine.py) so the choice among matched rows reads as
rules about people ("a newborn's row first", "a child-only row is not an adult's") without the
regular expressions that tell them.
"""

from __future__ import annotations

import re

from core.coverage.age import age_hint
from core.coverage.catalog import Intervention
from core.coverage.text import fold, tokens

ADULT = 18.0  # an age hint at least this old is an adult's, trusted to exclude child-only rows

# --- age limits of an intervention ----------------------------------------------------------

_LT = re.compile(r"menores de (\d+) a[nñ]os")
_GT = re.compile(r"mayores de (\d+) a[nñ]os")
_RANGE = re.compile(r"(?:de )?(\d+) a (\d+) a[nñ]os")
_FROM = re.compile(r"(\d+) a[nñ]os en adelante")


def age_range(item: Intervention) -> tuple[float, float, str] | None:
    """(min inclusive, max exclusive, Spanish label) of who the intervention is for, or None."""
    text = f"{item.nombre} {item.restricciones}".lower()
    lo, hi, label = 0.0, 200.0, None
    if m := _RANGE.search(text):
        lo, hi = float(m.group(1)), float(m.group(2)) + 1
        label = f"de {m.group(1)} a {m.group(2)} años"
    elif m := _LT.search(text):
        hi = float(m.group(1))
        label = f"menores de {m.group(1)} años"
    elif m := _GT.search(text):
        lo = float(m.group(1))
        label = f"mayores de {m.group(1)} años"
    elif m := _FROM.search(text):
        lo = float(m.group(1))
        label = f"{m.group(1)} años en adelante"
    elif "adulto mayor" in text:
        lo, label = 60.0, "adultos mayores"
    elif re.search(r"\ben adultos\b", text):
        lo, label = 18.0, "adultos"
    elif re.search(r"\ben niños\b", text):
        hi, label = 18.0, "niñas y niños"
    elif "recién nacido" in text and item.cartera == "FPGC":
        hi, label = 1.0, "recién nacidos"
    if item.cartera == "SMSXXI":
        hi = min(hi, 5.0)
        label = "niñas y niños menores de 5 años"
    if label is None:
        return None
    return lo, hi, label


# words of an intervention's name that say who it is for or what is done, not the condition
_POPULATION_WORDS = frozenset(tokens(
    "diagnóstico tratamiento atención manejo menores mayores adultos adulto niños niñas "
    "recién nacidos años edad mujeres hombres mayor quirúrgico médico ambulatorio hospitalario"))


def condition_tokens(item: Intervention) -> frozenset[str]:
    """The condition an intervention's name treats, without who it is for (nor the initials in
    brackets, written "(H.B.)" in one edition's row and "(HB)" in its age variant's)."""
    return frozenset(t for t in tokens(_INITIALS_RE.sub(" ", item.nombre)) if t not in _POPULATION_WORDS)


_INITIALS_RE = re.compile(r"\((?:[A-ZÁÉÍÓÚÑ]\.?\s*){1,6}\)")


# --- the patient a question speaks of -------------------------------------------------------

def adult(text: str | None) -> bool:
    hint = age_hint(text or "")
    return hint is not None and hint >= ADULT


_NEONATAL_RE = re.compile(r"recien nacid|neonat|perinatal|pretermino|prematur|feto\b|al nacer")


def neonatal(item: Intervention) -> bool:
    """A row about the first weeks of life (SMSXXI's perinatal group, FPGC's newborn care)."""
    return bool(_NEONATAL_RE.search(fold(f"{item.grupo or ''} {item.nombre}")))


def routine_newborn(item: Intervention) -> bool:
    """CAUSES' "Atención del recién nacido": routine care, not a condition."""
    return item.cartera == "CAUSES" and fold(item.nombre).startswith("atencion del recien nacido")


def newborn(edad: float | None, text: str | None) -> bool:
    """A baby in its first weeks: told by age, or in words ("recién nacido", "nació con…")."""
    if edad is not None:
        return edad < 0.1
    return bool(_NEWBORN_WORDS_RE.search(fold(text or "")))


_NEWBORN_WORDS_RE = re.compile(r"\b(?:recien nacid[oa]|neonat\w*|naci[o] (?:con|sin|de)|"
                               r"dias de nacid[oa]|acaba de nacer)\b")


def small_child(edad: float | None, text: str | None) -> bool:
    hint = edad if edad is not None else age_hint(text or "")
    return hint is not None and hint < 5


# the portfolio a question asks about by name ("¿lo cubre el Seguro Médico Siglo XXI?")
_PORTFOLIO_NAMES = {"SMSXXI": re.compile(r"\bsiglo (?:xxi|21)\b|\bsmsxxi\b"),
                    "FPGC": re.compile(r"\bgastos catastroficos\b|\bfpgc\b"),
                    "CAUSES": re.compile(r"\bcauses\b")}


def names_portfolio(text: str, cartera: str) -> bool:
    """The question names `cartera`: its answer is about that portfolio, not another's row."""
    pattern = _PORTFOLIO_NAMES.get(cartera)
    return bool(pattern and pattern.search(fold(text or "")))
