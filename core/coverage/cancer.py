"""Adult cancers the FPGC does not name: an honest "not covered" instead of a guess.

The FPGC pays for every cancer of a child under 18 but, in adults, only for the cancers it
names (mama, cervicouterino, ovario, próstata, testículo, colon and recto, esófago, linfoma no
Hodgkin). A question about another adult cancer ("cáncer de pulmón, tengo 60", "melanoma en el
pie") otherwise matched nothing sure, or a row that only shares the organ's word (a lung
transplant, a foot condition), and the person read "not sure" as a maybe.
"""

from __future__ import annotations

import re

from core.coverage.age import age_hint
from core.coverage.text import fold

MALIGNANT_RE = re.compile(
    r"\b(?:cancer|canser|kancer|carcinoma|melanoma|metastasis|tumor maligno|tumores malignos"
    r"|maligno|maligna|mieloma)\b")
ADULT_AGE = 18.0
# a covered answer through one of these words is about cancer (an FPGC cancer, a screening) or
# its care whatever the cancer (palliative care and pain: CAUSES, for everyone)
_CANCER_ROW_RE = re.compile(
    r"\b(?:cancer|tumor|maligno|carcinoma|linfoma|leucemia|sarcoma|paliativ)")


def adult_cancer_rows(interventions) -> list:
    """The FPGC rows that cover an adult's cancer: the adults' group and cancers with no age."""
    rows = []
    for it in interventions:
        if it.cartera != "FPGC":
            continue
        grupo, nombre = fold(it.grupo or ""), fold(it.nombre)
        if "mayores de 18" in grupo or ("menores de" not in grupo and _CANCER_ROW_RE.search(nombre)):
            rows.append(it)
    return rows


# skin cancers other than melanoma: CAUSES removes them ("lesión cancerosa de piel")
_SKIN_RE = re.compile(r"\b(?:piel|basocelular|espinocelular|epidermoide|basalioma)\b")


# "no es cáncer todavía", "sin cáncer": a malignancy ruled out is not one asked about
_NEGATED_RE = re.compile(r"\b(?:no|ni|sin)\s+(?:es|era|tiene|tengo|tenia|hay|salio|fue)?\s*(?:un |una )?"
                         r"(?:cancer|canser|maligno|maligna)\b")


def applies(text: str, edad: float | None) -> bool:
    """A malignant disease of someone who is not (said to be) a child (skin cancers other than
    melanoma are CAUSES' own); `edad`: the age the answer already read from the question."""
    folded = _NEGATED_RE.sub(" ", fold(text or ""))
    if not MALIGNANT_RE.search(folded):
        return False
    if _SKIN_RE.search(folded) and "melanoma" not in folded:
        return False
    age = edad if edad is not None else age_hint(text or "")
    return age is None or age >= ADULT_AGE


def answered_as_cancer(nombre: str, via: str | None) -> bool:
    """The covered answer already speaks of a cancer (an FPGC row, a screening, a lay term)."""
    return bool(_CANCER_ROW_RE.search(fold(nombre)) or (via and _CANCER_ROW_RE.search(fold(via))))
