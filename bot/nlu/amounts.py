"""Several amounts in one message: added up, corrected, multiplied.

"250 la consulta y 180 la vacuna" is one charge of 430 with its breakdown; "no eran 300, eran
350" is 350; "250 y 180, en total 430" is 430; "3 sesiones de 1800" is 5400 and "3 días, $900
por día" is 2700. The NLU reports the combined amount (with its parts), the dialogue keeps the
breakdown for the summary: both use this module.
"""

from __future__ import annotations

import itertools
import re

from core.text.fold import ascii_lower
from core.text.fold import fold as _fold
from core.text.number_words import UNITS

# Words that restate the figure just said ("300 o sea 350", "500 mejor dicho 450"): the last
# amount is the one; a correction between two amounts may also be softer ("no", "bueno", "eran").
_RESTATED_WORDS = r"o\s*sea|osea|creo\s+q(?:ue)?|mejor\s+dicho|corrijo|me\s+equivoque"
_RESTATED_BETWEEN_RE = re.compile(rf"\b(?:{_RESTATED_WORDS})\b")
# "1100 no de 1200", "500 y no 600": the second figure is the one denied (a "no" with more after
# it, "500, no, perdón, 600", corrects the first instead)
_NOT_THE_OTHER_RE = re.compile(r"\s*(?:pesos\s*)?(?:y\s+)?no\s+(?:de|eran|fueron|son|como)?\s*\$?\s*")
_CORRECTION_BETWEEN_RE = re.compile(rf"\b(?:{_RESTATED_WORDS}|no|perdon|digo|sino|bueno|eran|mas bien)\b")
_SUM_BETWEEN_RE = re.compile(r"(?:\by\b|\be\b|,|\+|\bmas\b|\botros?\b|\botras?\b|\baparte\b|"
                             r"\bademas\b|\btambien\b|\bluego\b|\bdespues\b)")
# "300 de consulta 500 de estudios y 200 de medicinas": each amount with what it paid for, listed
_LABEL_BETWEEN_RE = re.compile(r"^\s*(?:pesos\s+)?(?:de|del|por|pa|para|x)\s+"
                               r"(?:(?:la|el|los|las|un|una|unos|unas|mi|su)\s+)?[a-z]+\s*$")
_TOTAL_RE = re.compile(r"\b(?:total|en total|todo junto|todo eso|entre todo|fueron en total)"
                       r"\s*(?:de|fue|fueron|son|:)?\s*$")
# "250 de consulta + 180 de medicinas = 430": the figure after "=" is the total
_EQUALS_BEFORE_RE = re.compile(r"=\s*\$?\s*$")
# "6,300 con todo, me cobraron 300 más del cuarto": the total named after the figure
TOTAL_AFTER_RE = re.compile(r"^\s*(?:pesos\s*)?(?:con todo|en total|de total|total|en todo|"
                            r"todo junto|por todo|entre todo)\b")
_COUNTED = (r"(?:sesiones|dias|noches|consultas|terapias|cajas|frascos|ampolletas|estudios|"
            r"radiografias|placas|veces|semanas|curaciones|inyecciones|unidades)")
_COUNT = r"(?P<n>\d{1,2}|" + "|".join(sorted((w for w in UNITS if w not in ("un", "uno", "una")),
                                              key=len, reverse=True)) + ")"
# "3 sesiones de 1800", "dos consultas a 250"
# "3 veces 250", "tres veces me cobraron 80"
_TIMES_BEFORE_RE = re.compile(rf"\b{_COUNT}\s+(?:{_COUNTED}\s+(?:de|a|por|en)|veces(?:\s+de|\s+(?:(?:me|nos|le|les)\s+)?"
                              r"(?:cobraron|pidieron|cobran|piden|pague|pagamos|pagaron))?)\s*\$?\s*$")
# "$900 por día" (with "3 días" elsewhere), "2500 cada una" (with "dos sesiones" before); a bare
# "por" is not "per": "1200 por unos rayos x ... hace 3 días" is one charge of 1200
_PER_UNIT = (r"(?:dia|noche|sesion|consulta|terapia|caja|frasco|ampolleta|estudio|radiografia|"
             r"placa|vez|semana|curacion|inyeccion|unidad|pieza)")
# ("800 la semana pasada" is when, not per week)
_PER_AFTER_RE = re.compile(rf"^\s*(?:pesos\s*)?(?:(?:por\s+cada|por|x|cada|al|la)\s+{_PER_UNIT}\b"
                           r"(?!\s+(?:pasad|antepasad))|cada\s+(?:una|uno)\b|c/u|c u\b|diarios?\b"
                           r"|(?:por|x)\s+cada\s+[a-z]{4,}\b)")  # "15 pesos por cada jeringa"
_PER_DAY_AFTER_RE = re.compile(r"^\s*(?:pesos\s*)?(?:(?:por|x|cada|al)\s+dia\b|diarios?\b)")
_WEEKS_RE = re.compile(r"\b" + _COUNT.replace("(?P<n>", "(?P<n>una|un|", 1) + r"\s+semanas?\b")
_COUNT_ANYWHERE_RE = re.compile(rf"\b{_COUNT}\s+{_COUNTED}\b")
# "2 de a cien", "3 cajas de a 150", "dos bolsas de suero de a 85": "de a" is "each" in Mexico
_DE_A = r"\bde?\s+a\s*\$?\s*$"  # "de a 150", "d a 150" typed short
DE_A_BEFORE_RE = re.compile(_DE_A)
_DE_A_BEFORE_RE = re.compile(rf"\b{_COUNT}\s+(?:[a-z]+\s+){{0,3}}?" + _DE_A[2:])
# "los dos me los cobraron a 900", "cada vez me cobran 80" (with "5 veces" told)
_BOTH_AT_RE = re.compile(rf"\b(?:los|las)\s+{_COUNT}\b(?:\s+[a-z]+){{0,4}}\s+a\s*\$?\s*$")
_EACH_TIME_BEFORE_RE = re.compile(r"\bcada\s+(?:vez|consulta|visita|dia|sesion)\s+(?:que\s+\w+\s+)?"
                                  r"(?:(?:me|nos|le|les)\s+)?(?:cobran|cobraban|cobraron|piden|pedian|"
                                  r"pidieron|pago|pague|pagaba)\s*\$?\s*$")
# "cada q voy a mi control al centro de salud me cobran 100… ya fui 4 veces": each visit's price
_EACH_VISIT_BEFORE_RE = re.compile(r"\bcada\s+(?:vez\s+)?(?:que|q|k)\s+(?:voy|vamos|va|van|iba|ibamos|llevo|"
                                   r"llevamos|lo llevo|la llevo)\b.{0,80}\b(?:me|nos|le|les)\s+(?:cobran|"
                                   r"cobraban|cobraron|piden|pedian|pidieron)\s*\$?\s*$")
_TIMES_TOLD_RE = re.compile(rf"\b{_COUNT}\s+(?:veces|consultas|visitas|dias|sesiones|semanas)\b")
# "me la cobran cada semana 150 … ya van 6 semanas": the price of each time, the verb first
_CHARGED_EACH_BEFORE_RE = re.compile(r"\b(?:cobran|cobraban|piden|pedian|pago|pagamos|pagaba)\s+cada\s+"
                                     r"(?:vez|consulta|visita|dia|sesion|semana)\s*\$?\s*$")
# the text read after a figure for "por cada sesión", "cada una" ("250 pesos por cada sesion")
_AFTER_WINDOW = 28
# "dos a 1200 cada una": the count right before "a", only with "each" after the amount
_COUNT_A_BEFORE_RE = re.compile(rf"\b{_COUNT}\s+(?:[a-z]+\s+){{0,3}}?a\s*\$?\s*$")
_EACH_AFTER_RE = re.compile(r"^\s*(?:pesos\s*)?(?:(?:por\s+|a\s+|x\s+)?cada\s+(?:una|uno)\b|c/u|c u\b|"
                            r"por\s+(?:persona|cabeza|nino|hijo)\b)")
# "2 bolsas de suero de 85 cada una": any counted thing, not an age or a time
_COUNT_NOUN_RE = re.compile(rf"\b{_COUNT}\s+(?!(?:anos|ano|meses|mes|pesos|mil|de|del|y|a|horas|"
                            r"hora|am|pm|hrs)\b)[a-z]{3,}")
# "1,750 cada unidad y fueron 2": the count told right after the price per thing
_COUNT_AFTER_RE = re.compile(rf"^\s*(?:pesos\s*)?(?:(?:por\s+|a\s+|x\s+)?cada\s+[a-z]+|c/u|c u|por\s+[a-z]+)"
                             rf"\s*,?\s*y\s+(?:fueron|son|eran|me pusieron|le pusieron|nos pidieron)\s+{_COUNT}\b"
                             r"(?!\s*(?:pesos|mil)\b)")
# "… por cada jeringa … y este mes fueron 12": how many, told after the price of each
_COUNT_TOLD_AFTER_RE = re.compile(rf"\b(?:fueron|son|eran|van|llevo|llevamos|compre|compramos)\s+{_COUNT}\b"
                                  r"(?!\s*(?:pesos|mil|de|dias|anos|meses|horas)\b)")
# "me hicieron dos": how many, told without naming the thing again
_COUNT_DONE_RE = re.compile(rf"\b(?:me|le|nos|les)\s+(?:hicieron|pusieron|aplicaron|dieron)\s+{_COUNT}\b"
                            r"(?!\s*(?:pesos|mil|de)\b)")


def fold(text: str | None) -> str:
    """The shared fold, keeping "/" ("c/u")."""
    return _fold(text, keep="/")


def _count(word: str) -> int:
    return int(word) if word.isdigit() else int(UNITS[word])


def times(text: str, start: int, end: int) -> int:
    """How many times the amount at text[start:end] was paid (1 when nothing says)."""
    before = fold(text[max(0, start - 40):start])
    m = _TIMES_BEFORE_RE.search(before) or _DE_A_BEFORE_RE.search(before) or _BOTH_AT_RE.search(before)
    if m:
        return max(1, _count(m.group("n")))
    near = fold(text[max(0, start - 30):start])
    if _EACH_TIME_BEFORE_RE.search(near) or _CHARGED_EACH_BEFORE_RE.search(near) \
            or _EACH_VISIT_BEFORE_RE.search(fold(text[max(0, start - 130):start])):
        m = _TIMES_TOLD_RE.search(fold(text[:start]) + " " + fold(text[end:]))
        return max(1, _count(m.group("n"))) if m else 1
    after = fold(text[end:end + _AFTER_WINDOW])
    if said_per_unit(text, end):
        each = _EACH_AFTER_RE.search(after)
        if _PER_DAY_AFTER_RE.search(after):  # "una semana internada ... 400 por día"
            week = _WEEKS_RE.search(fold(text[:start]) + " " + fold(text[end:]))
            if week:
                return 7 * (1 if week.group("n") in ("una", "un") else _count(week.group("n")))
        m = _COUNT_A_BEFORE_RE.search(before) if each else None
        rest = fold(text[:start]) + " " + fold(text[end:])
        m = m or _COUNT_ANYWHERE_RE.search(rest) or _COUNT_DONE_RE.search(rest) \
            or _COUNT_AFTER_RE.match(fold(text[end:end + 60])) or _COUNT_TOLD_AFTER_RE.search(fold(text[end:]))
        if not m and each:
            m = next(reversed(list(_COUNT_NOUN_RE.finditer(fold(text[:start])))), None)
        if m:
            return max(1, _count(m.group("n")))
    return 1


def count_told(text: str) -> int | None:
    """How many things charged the text counts ("me cobraron 3 consultas" -> 3), if it does."""
    m = _COUNT_ANYWHERE_RE.search(fold(text))
    return _count(m.group("n")) if m else None


def price_each(answer: str) -> bool:
    """An answer that gives a price per thing: "de 150", "a 200 cada una", "150 c/u"."""
    k = fold(answer)
    return bool(re.match(r"^(?:de|d|a)\s+\$?\s*\d", k)) or any(
        _EACH_AFTER_RE.search(k[m.end():m.end() + 20]) for m in re.finditer(r"\d+", k))


def said_per_unit(text: str, end: int) -> bool:
    """'400 por noche', '1,750 cada unidad', '85 c/u': a price per thing follows the figure."""
    after = fold(text[end:end + _AFTER_WINDOW])
    return bool(_PER_AFTER_RE.search(after) or _EACH_AFTER_RE.search(after))


def said_each(text: str, start: int, end: int) -> bool:
    """'de a 150', '250 c/u', '85 cada una': a price per piece, so money even with no other cue."""
    return bool(DE_A_BEFORE_RE.search(fold(text[max(0, start - 12):start]))
                or _EACH_AFTER_RE.search(fold(text[end:end + 20])))


# "le di 1000 y me dieron 200 de cambio", "pagué 900 y me regresaron 300": money given back
_CHANGE_AFTER_RE = re.compile(r"^\s*\)?\s*(?:pesos\s+)?de\s+(?:cambio|vuelto|vuelta)\b")
_GIVEN_BACK_BEFORE_RE = re.compile(r"\b(?:me|nos|le|les)\s+(?:regresaron|devolvieron|reembolsaron|regreso|"
                                   r"devolvio|reembolso)\s*\$?\s*$")
# "le di un billete de 500 y me dio 100": after money handed over, what is given is change
_HANDED_OVER_RE = re.compile(r"\b(?:le\s+di|le\s+dimos|di\s+un\s+billete|pague\s+con|con\s+un\s+billete)\b")
_GIVEN_BEFORE_RE = re.compile(r"\b(?:me|nos|le|les)\s+(?:dieron|dio)\s*\$?\s*$")
# "las medicinas (200) esas no me las cobraron": a price told and not charged
_NOT_CHARGED_AFTER_RE = re.compile(r"^[^.;]{0,25}?\b(?:no\s+(?:me|nos|le|les)\s+(?:l[oa]s?\s+)?"
                                   r"(?:cobraron|cobro)|(?:me|nos|le|les)\s+(?:l[oa]s?\s+)?dieron\s+gratis)\b")


def _net(text: str, found: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """The amounts as charges: change and refunds count against the charge, a price not charged
    does not count."""
    out = []
    for value, start, end in found:
        after, before = fold(text[end:end + 45]), fold(text[max(0, start - 30):start])
        if _NOT_CHARGED_AFTER_RE.search(after):
            continue
        back = _CHANGE_AFTER_RE.search(after) or _GIVEN_BACK_BEFORE_RE.search(before) or (
            _GIVEN_BEFORE_RE.search(before) and _HANDED_OVER_RE.search(fold(text[:start])))
        out.append((-value if back else value, start, end))
    return out


# "o sea si me cobraron 600", "creo q 1,150": the figure that follows restates the charge
# "como mil y pico", "11 mil y feria", "unos 500": a rough figure the person may then make exact
_ROUGH_AFTER_RE = re.compile(r"^\s*(?:pesos\s+)?y\s+(?:pico|feria|tantos|cacho|algo)\b")
_STATED_RE = re.compile(r"\b(?:fueron|son|eran|fue)\s*\$?\s*$")
_BECAUSE_AFTER_RE = re.compile(r"^\s*(?:pesos\s+)?(?:porque|xq|pq|por\s+que|ya\s+que|pues)\b")
_SUM_WORD_RE = re.compile(r"\b(?:y|e|mas)\b|\+")
_ADDED_BETWEEN_RE = re.compile(r"\b(?:otros?|otras?|ademas|aparte|tambien|mas|luego|despues|cada)\b")
# Words that put a figure forward as an estimate ("como 300", "unos 250", "aprox $1,200"): the
# one list for this reader and the dialogue's (bot/dialogue/money.py), folded, longest first.
ESTIMATE_BEFORE = ("algo asi como", "alrededor de", "aproximadamente", "aproximado", "mas o menos",
                   "masomenos", "como unos", "como de", "cerca de", "aprox", "como", "unos", "unas",
                   "casi")
_ROUGH_BEFORE_RE = re.compile(r"\b(?:" + "|".join(w.replace(" ", r"\s+") for w in ESTIMATE_BEFORE)
                              + r")\s*\$?\s*$")


def _exact_over_rough(text: str, found: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """A rough figure followed by the exact one it rounds ("11 mil y feria… fueron 11,300"),
    or one figure repeated ("900… bueno, 900"), is one charge told twice: one figure stays."""
    out = []
    for i, (value, start, end) in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        rough = _ROUGH_AFTER_RE.search(fold(text[end:end + 15])) or _ROUGH_BEFORE_RE.search(
            fold(text[max(0, start - 20):start]))
        between = fold(text[end:nxt[1]]) if nxt is not None else ""
        if rough and nxt is not None and value <= nxt[0] < 1.5 * value \
                and not _ADDED_BETWEEN_RE.search(between):
            continue
        if nxt is not None and nxt[0] == value and not _ADDED_BETWEEN_RE.search(between) \
                and not _LABEL_BETWEEN_RE.match(between) and not _SUM_WORD_RE.search(between):
            continue  # "900... bueno 900 y aparte 150": the same figure said twice
        out.append((value, start, end))
    return out


def combine_amounts(text: str, found: list[tuple[float, int, int]]) -> tuple[float, bool]:
    """Amounts found in one message ([(value, start, end)] in the original text, in order):
    (the amount charged, whether it is the sum of separate charges)."""
    text = text or ""
    found = _exact_over_rough(text, found)
    if len(found) == 2 and _NOT_THE_OTHER_RE.fullmatch(fold(text[found[0][2]:found[1][1]])):
        return found[0][0], False  # "fue de 1100 no de 1200": the first, the second denied
    if len(found) > 1 and _RESTATED_BETWEEN_RE.search(fold(text[found[-2][2]:found[-1][1]])):
        return found[-1][0], False
    if len(found) > 1:
        net = _net(text, found)
        if net and sum(v for v, _s, _e in net) > 0 and net != found:
            return float(sum(v for v, _s, _e in net)), False  # no breakdown of a net figure
    for value, start, end in found:
        if _TOTAL_RE.search(fold(text[max(0, start - 25):start])) or _EQUALS_BEFORE_RE.search(
                text[max(0, start - 4):start]) or TOTAL_AFTER_RE.search(
                fold(text[end:end + 25])):
            return value, False
        if _STATED_RE.search(fold(text[max(0, start - 12):start])) and _BECAUSE_AFTER_RE.search(
                fold(text[end:end + 12])):
            return value, False  # "fueron 1100 xq también me cobraron 100": the total, explained
    if len(found) < 2:
        return (found[-1][0] if found else 0.0), False
    for (_v1, _s1, e1), (_v2, s2, _e2) in itertools.pairwise(found):
        between = fold(text[e1:s2])
        if _CORRECTION_BETWEEN_RE.search(between) or not (_SUM_BETWEEN_RE.search(
                ascii_lower(text[e1:s2])) or _LABEL_BETWEEN_RE.match(between)):
            return found[-1][0], False
    return float(sum(v for v, _s, _e in found)), True
