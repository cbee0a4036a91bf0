"""Reading the patient's age from a lay message.

"mi bebé de 8 meses" -> 0.67, "tengo 64 años" -> 64, "mi hijo de 3" -> 3, "un año y medio" -> 1.5.
Not an age: gestation ("nació de 7 meses", "tengo 5 meses de embarazo", "32 semanas de gestación"),
counts ("mis 3 niños", "tengo 2 hijos"), durations ("desde hace 2 años", "tengo 3 años con
diabetes") and money ("me cobraron 500").
"""

from __future__ import annotations

import re

from core.coverage.text import fold
from core.text.number_words import TENS, UNITS

_TENS = {**TENS, "cien": 100}  # ages reach "cien"; amounts read it among the HUNDREDS

_NUMBER_WORD = "|".join(sorted(list(UNITS) + list(_TENS), key=len, reverse=True))
# A number: digits (with a decimal part) or Spanish words ("cuarenta y cinco").
_NUM = (
    rf"(?:\d+(?:[.,]\d+)?|(?:{_NUMBER_WORD})(?:\s+y\s+(?:{_NUMBER_WORD}))?)"
)
_UNIT = r"(?:anos?|anitos?|meses|mes|mesecitos?|semanas?|dias?)"
# "tengo 40", "cumplió 62": the figure said of someone, not followed by more digits
_HAVE_N = rf"\b(?:tengo|tiene|cumpli|cumplio)\s*({_NUM})(?!\s*(?:[.,]\d|\d))"

# Phrases right after "N <unit>" that make it a duration or gestation, not an age.
_AFTER_NOT_AGE = re.compile(
    r"^\s*(?:de\s+|con\s+)?(?:embarazo|embarazada|gestacion|gestando|evolucion|casad|"
    r"con\s+(?:el|la|los|las|un|una|dolor|esto|eso|diabetes|presion|tos|fiebre|diarrea|"
    r"problemas?|molestias?|sintomas?)|padeciendo|sufriendo|enferm|tomando|esperando|"
    r"afiliad|en\s+(?:el|la)\s+seguro|de\s+(?:tratamiento|diagnostic|afiliad|vigencia|"
    r"espera|retraso|atraso|trabajo|servicio))"
)
# Words right before "N <unit>" that make it a duration or gestation.
_BEFORE_NOT_AGE = re.compile(
    r"(?:hace|desde|desde\s+los|desde\s+que\s+tenia|durante|por|llevo|lleva|llevamos|llevan|cada|dentro\s+de|en|de\s+hace|"
    # "tos de más de 15 días", "estuvo dos días", "fue de 9 meses" (the pregnancy): how long
    r"(?<!tiene\s)(?<!tengo\s)(?:mas|menos)\s+de|estuvo|estuve|estuvimos|estuvieron|fue\s+de|"
    r"(?:hace|desde\s+hace)\s+(?:mas\s+de|menos\s+de|casi|como|unos|unas|ya)|"
    r"nacio\s+de|nacio\s+a\s+los|nacio\s+a\s+las|nacio\s+con|naci\s+de|naci\s+a\s+las|"
    r"embarazada\s+de|embarazo\s+de|gestacion\s+de|"
    r"prematuro\s+de|prematura\s+de|sietemesino|antes\s+de|despues\s+de|hasta|"
    r"mis|sus|tus|primeros?|ultimos?|cumplir\s+los|otros?)\s*$"
)
_AGE_RE = re.compile(rf"(?<![\w.,])({_NUM})\s*(?:y\s+(medio)\s+)?({_UNIT})\b(?:\s+y\s+medio\b)?")
# "1 año y 3 meses", "1 año 3 meses", "2 años con 4 meses"
_HALF_AFTER = re.compile(rf"^\s*(?:y\s+|con\s+)?({_NUM})\s*(meses|mes)\b")
# "tiene año y medio" with no number before "año"
_YEAR_AND_HALF = re.compile(r"\bano\s+y\s+medio\b")  # after the readers of "N años y medio"
# born today or a few days ago without a figure: "recién nacido", "nació ayer", "acaba de nacer"
_JUST_BORN = re.compile(r"\b(?:recien\s+nacid[oa]s?|acaba\s+de\s+nacer|naci[oa]\s+(?:ayer|hoy|antier|"
                        r"antenoche|anoche|esta\s+manana|en\s+la\s+madrugada))\b")
_HALF_WORD = re.compile(r"^\s*y\s+medio\b")

# "mi hijo de 3", "mi abuelita de 80", "una señora de 70": a person followed by "de N" with no unit.
_PERSON = (
    r"(?:hij[oa]s?|hijit[oa]|nin[oa]|ninit[oa]|nene|nena|bebe|bebes|chamac[oa]|muchach[oa]|"
    r"mij[oa]|sobrin[oa]|niet[oa]|herman[oa]|hermanit[oa]|prim[oa]|papa|mama|padre|madre|apa|ama|"
    r"jefecit[oa]|jefa|jefe|abue|"
    r"abuel[oa]|abuelit[oa]|espos[oa]|marido|senor|senora|senorita|senito|suegr[oa]|ti[oa]|"
    r"pacient[e]|adolescente|joven|chavo|chava|morr[oa]|criatura|persona|adulto|adulta|"
    r"hombre|mujer|varon|chiquit[oa])"
)
_PERSON_DE_N = re.compile(rf"\b{_PERSON}\s+(?:de|con(?!\s+(?:un|una|uno)\b))\s+({_NUM})(?!\s*(?:[.,]\d|\d))(?!\s*{_UNIT})"
                          r"(?!\s*(?:pesos|mil|hijos|ninos|hermanos|kilos|kg|cm))\b")
_SOY_N = re.compile(rf"\b(?:tengo|tiene|cumpli|cumplio|soy\s+de|edad\s+(?:de\s+)?)\s*({_NUM})"
                    rf"(?!\s*(?:[.,]\d|\d))(?=\s*(?:$|[,.;!?]|y\s+(?:tengo|me|mi|tiene|estoy|soy)))")

# "tengo 40 y necesito…", "mi hijo tiene 19 y se inyecta…": a grown-up's age before "y" and
# whatever follows (a child's "tengo 2 y…" may be a count: only 15 and over)
_SOY_N_ADULT = re.compile(_HAVE_N + r"(?=\s*y\s+(?!medio\b|cacho\b|tantos\b|pico\b)[a-z])")
# "tengo 34 me siento cansada", "tengo 62 cubre la consulta?": a grown-up's age and the next
# word, unless that word says what was counted or measured ("tengo 38 de fiebre", "16 puntadas")
_SOY_N_WORD = re.compile(_HAVE_N + r"(?=\s+(?!(?:de|del|con|grados|pesos|mil|kilos|kg|cm|hijos|hijas|ninos|"
                         r"ninas|nietos|pastillas|tabletas|cajas|citas|consultas|dias|meses|semanas|"
                         r"anos|horas|minutos|veces|mas|o|puntos|puntadas|sesiones|embarazos|"
                         r"partos|cesareas|ml|mg|gramos|litros)\b)[a-z])")

_A_LOS_N = re.compile(rf"\ba\s+los\s+({_NUM})(?!\s*(?:[.,]\d|\d))(?!\s*{_UNIT})"
                      r"(?!\s*(?:pesos|mil|dias|kilos|kg|cm|minutos|horas|que|de\s+\w+))\b")


_COUNTED_BEFORE = re.compile(r"\b(?:hij[oa]s|embarazos|partos|cesareas|ninos)\b")


def _number(text: str) -> float | None:
    t = text.strip()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", t):
        return float(t.replace(",", "."))
    parts = [p for p in re.split(r"\s+y\s+", t) if p]
    total = 0.0
    for p in parts:
        if p in UNITS:
            total += UNITS[p]
        elif p in _TENS:
            total += _TENS[p]
        else:
            return None
    return total


def _to_years(n: float, unit: str) -> float:
    if unit.startswith("an"):
        return n
    if unit.startswith("mes"):
        return n / 12.0
    if unit.startswith("semana"):
        return n * 7 / 365.0
    return n / 365.0


# "nació hace 8 días", "desde que nació hace 3 semanas": the age, though "hace" says how long
_BORN_AGO = re.compile(rf"\bnaci[oa]\b(?:\s+\w+){{0,4}}?\s+hace\s+({_NUM})\s*({_UNIT})\b")


def extract_age(text: str) -> float | None:
    """Age in years (rounded to 2 decimals) read from `text`, or None."""
    s = fold(text)
    s = re.sub(r"[¿¡]", " ", s)
    s = re.sub(r"\s+", " ", s)
    born = _BORN_AGO.search(s)
    if born and (n := _number(born.group(1))) is not None:
        return round(_to_years(n, born.group(2)), 2)
    for m in _AGE_RE.finditer(s):
        before = s[max(0, m.start() - 25): m.start()]
        after = s[m.end(): m.end() + 40]
        if _BEFORE_NOT_AGE.search(before) or _AFTER_NOT_AGE.search(after):
            continue
        if not m.group(3).startswith("an") and re.search(r"\b(?:tengo|ando de|voy en)\s*$", before):
            continue  # "tengo 8 semanas y estoy sangrando": her pregnancy, not her age
        n = _number(m.group(1))
        if n is None:
            continue
        unit = m.group(3)
        years = _to_years(n, unit)
        if m.group(2) or m.group(0).endswith("medio"):  # "un año y medio", "2 y medio años"
            years += _to_years(0.5, unit)
        elif unit.startswith("an"):
            extra = _HALF_AFTER.match(after)
            if extra:
                months = _number(extra.group(1))
                if months is not None:
                    years += months / 12.0
        if years > 120:
            continue
        return round(years, 2)
    if _YEAR_AND_HALF.search(s):
        return 1.5
    for rx in (_PERSON_DE_N, _SOY_N, _SOY_N_ADULT, _SOY_N_WORD, _A_LOS_N):
        m = rx.search(s)
        if m and rx in (_SOY_N, _SOY_N_ADULT, _SOY_N_WORD) and _COUNTED_BEFORE.search(s[max(0, m.start() - 40):m.start()]):
            continue  # "para ya no tener hijos, ya tengo 4": how many, not how old
        if m:
            n = _number(m.group(1))
            if n is not None and (15 if rx in (_SOY_N_ADULT, _SOY_N_WORD) else 0) < n <= 110:
                return round(n, 2)
    if _JUST_BORN.search(s):
        return 0.0
    return None


# Non-numeric hints about the patient, used only for ranking (never reported as edad).
_INFANT_RE = re.compile(
    r"\b(bebe|bebes|bebito|bebita|bb|recien nacid[oa]|neonat\w*|lactante|nacio|naci|"
    r"acaba de nacer|mi nene|mi nena|criatura)\b"
)
_CHILD_RE = re.compile(r"\b(nin[oa]s?|ninit[oa]s?|chamac[oa]s?|chiquit[oa]s?|infantil|pediatr\w*|"
                       r"menor de edad|escuincle|morrit[oa])\b")
_OLD_RE = re.compile(r"\b(abuel[oa]s?|abuelit[oa]s?|adulto mayor|adultos mayores|tercera edad|"
                     r"ancian[oa]s?|viejit[oa]s?|jubilad[oa])\b")
# someone the writer's own age or older: a spouse, a parent, a parent-in-law
_ADULT_RE = re.compile(r"\bmi (?:espos[oa]|marido|mujer|señora|senora|señor|senor|pareja|suegr[oa]|"
                       r"papa|papi|mama|mami|jefa|jefe|jefecita|padre|madre)\b")


def age_hint(text: str) -> float | None:
    """A rough age when the message only says "bebé", "niño", "abuelita" or "mi esposo" (never
    reported, only used to pick among age variants)."""
    s = fold(text)
    if _INFANT_RE.search(s):
        return 0.5
    if _CHILD_RE.search(s):
        return 6.0
    if _OLD_RE.search(s):
        return 70.0
    if _ADULT_RE.search(s):
        return 40.0
    return None
