"""The fecha entity: when it happened, as written ("el 3 de marzo", "el lunes pasado", "ayer",
"hace 3 días", "en marzo"); never how long or how often."""

from __future__ import annotations

import re

from core.text.number_words import UNITS

from .folded import Folded, fold

_MONTHS = (
    r"(?:enero|ene|febrero|feb|marzo|mar|abril|abr|mayo|junio|jun|julio|jul|agosto|ago|"
    r"septiembre|setiembre|sept|sep|octubre|oct|noviembre|nov|diciembre|dic)"
)
# a day of the month in words, from the one number-word table: "el quince de mayo"
_DAY_WORDS = "(?:primero|treinta(?:\\s+y\\s+uno)?|" + "|".join(
    sorted((w for w, v in UNITS.items() if 1 <= v <= 29), key=len, reverse=True)) + ")"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:o|ro|er)?"  # "1o de junio", "1ro", "1er"
_WEEKDAY = r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)"
# "de marzo", "de este mes", "del mes pasado"
_OF_MONTH = rf"(?:(?:de\s+)?{_MONTHS}\.?|de(?:l)?\s+(?:este|esta)\s+mes|del\s+mes(?:\s+pasado)?)"
_ORDINAL = r"(?:primer|primera|segundo|segunda|tercer|tercera|cuarta|cuarto|ultimo|ultima|penultimo)"
# a figure right after a weekday that is money, not the day
# or a count: "el martes 300 pesos", "al dia 2 veces"
_NOT_A_DAY_AFTER = (r"(?!\s*(?:pesos|peso|pesitos|varos|mil|mxn|%|por\s+ciento|[.,]\d|de\s+(?!este|mes)\w"
                    r"|(?:veces|vez|horas?|dias?|semanas?|meses|pastillas|tabletas|cajas|citas|"
                    r"consultas|personas|fichas)(?![a-z])))")
_FECHA_RE = re.compile(
    r"(?<![0-9a-z])(?:"
    r"(?P<num>(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])(?:[/.-](?:\d{4}|\d{2}))?)"
    rf"|(?:{_WEEKDAY}\s+|dia\s+)?(?:{_DAY}|{_DAY_WORDS})\s+{_OF_MONTH}"
    r"(?:\s*(?:de|del|,)?\s*(?:20\d{2}|19\d{2}))?"
    rf"|{_MONTHS}\s+(?:0?[1-9]|[12]\d|3[01])(?:\s*(?:de|del|,)?\s*20\d{{2}})?"
    # "el viernes 22", "el dia 2", "el dia quince"
    rf"|{_WEEKDAY}\s+(?:0?[1-9]|[12]\d|3[01])(?![0-9a-z]){_NOT_A_DAY_AFTER}"
    rf"|dia\s+(?:(?:0?[1-9]|[12]\d|3[01])(?![0-9a-z]){_NOT_A_DAY_AFTER}|{_DAY_WORDS})"
    # "la primera semana de diciembre", "el último viernes del mes pasado"
    rf"|{_ORDINAL}\s+(?:semana|quincena|{_WEEKDAY})\s+{_OF_MONTH}"
    r")(?![0-9a-z])"
)
# "salió el 14", "me cobraron … el 27": a day of this month named alone, at the end of a clause
_BARE_DAY_RE = re.compile(
    r"(?<![0-9a-z])el\s+(?P<day>0?[1-9]|[12]\d|3[01])(?:o|ro)?"
    r"(?=\s*(?:$|[,.;:!?)]|y\s|en\s|a\s+las\s|que\s|cuando\s))")
# the words before "el 14" that make it a bed, a room or an address, not a day
_BARE_DAY_NOT_AFTER = re.compile(
    r"(?:^|\s)(?:en|cama|cuarto|consultorio|sala|piso|calle|numero|folio|turno|ficha|modulo|"
    r"ventanilla|lote)\s*$")
_RELATIVE_WORDS = rf"(?:\d{{1,2}}|un\s+par\s+de|un|una|unos|unas|{_DAY_WORDS})"
# "en la madrugada del sábado", "en la consulta del martes" (not "el partido del domingo")
_AFTER_EVENT = "(?:" + "|".join(f"(?<={w} )" for w in ("manana", "tarde", "noche", "madrugada",
                                                         "consulta", "cita")) + ")"
_HOLIDAYS = (r"(?:navidad|nochebuena|ano\s+nuevo|semana\s+santa|dia\s+de\s+(?:muertos|reyes|"
             r"la\s+madre|las\s+madres|la\s+candelaria)|domingo\s+de\s+ramos|jueves\s+santo|"
             r"viernes\s+santo|fin\s+de\s+ano)")
# When, said relative to today: "ayer", "antier", "el lunes pasado", "la semana pasada", "hace
# 3 días", "hace un rato", "en navidad" (never a wait or a bare duration: _duration_or_frequency).
_RELATIVE_FECHA_RE = re.compile(
    r"(?<![0-9a-z])(?:"
    r"(?:apenas\s+)?(?:ayer|antier|anteayer|antes\s+de\s+ayer|anoche|antenoche|anteanoche|"
    r"hoy(?:\s+en\s+la\s+(?:manana|tarde|noche))?|esta\s+manana)"
    # said in English: "yesterday", "last tuesday"
    rf"|yesterday|last\s+(?:week|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?:en|desde)\s+el\s+(?:verano|invierno|puente)"
    rf"|(?:el|este|el\s+pasado|{_AFTER_EVENT}del)\s+{_WEEKDAY}"
    r"(?:\s+pasado)?"
    r"|(?:la|esta)\s+semana(?:\s+(?:pasada|antepasada))?|d?el\s+(?:mes|ano)\s+(?:pasado|antepasado)"
    r"|el\s+fin\s+de\s+semana(?:\s+pasado)?|el\s+finde"
    r"|a\s+(?:principios|mediados|finales|fines)\s+del?\s+(?:(?:este|esta)\s+)?(?:mes|semana|ano)"
    r"(?:\s+pasad[oa])?"
    r"|hace\s+(?:un\s+)?rat(?:o|ito)|hace\s+(?:un|una)\s+momento"
    rf"|hace\s+(?:(?:como|unos|unas|casi|apenas)\s+)?{_RELATIVE_WORDS}\s+"
    r"(?:dias?|semanas?|mes(?:es)?|anos?|horas?)"
    rf"|(?:en|el|la|desde|para)\s+{_HOLIDAYS}"
    r")(?![0-9a-z])"
)


# a month named alone as the when: "la renové en marzo", "no hay salbutamol desde diciembre"
_MONTH_ONLY_RE = re.compile(
    r"(?<![0-9a-z])(?:en|desde|durante|en\s+todo|a principios de|a finales de|a mediados de|"
    r"a fines de)\s+"
    r"(?:el mes de\s+|este\s+|el pasado\s+)?(?P<month>enero|febrero|marzo|abril|mayo|junio|julio|"
    r"agosto|septiembre|setiembre|octubre|noviembre|diciembre)(?![0-9a-z])")


def find_fechas(f: Folded) -> list[dict]:
    out = []
    for m in _FECHA_RE.finditer(f.text):
        if m.group("num"):
            # dd/mm needs a separator other than '.' unless a year follows ("3.5" is not a date)
            raw = m.group("num")
            if raw.count(".") and raw.count(".") < 2:
                continue
        s, e = f.span(m.start(), m.end())
        out.append({"entity": "fecha", "value": f.original[s:e], "start": s, "end": e})
    if not out:
        for m in _BARE_DAY_RE.finditer(f.text):
            if _BARE_DAY_NOT_AFTER.search(f.text, max(0, m.start() - 25), m.start()):
                continue
            s, e = f.span(m.start(), m.end())
            out.append({"entity": "fecha", "value": f.original[s:e], "start": s, "end": e})
            break
    if not out:
        for m in _RELATIVE_FECHA_RE.finditer(f.text):
            if _duration_or_frequency(f.text, m):
                continue
            s, e = f.span(m.start(), m.end())
            out.append({"entity": "fecha", "value": f.original[s:e], "start": s, "end": e})
            break  # the first one: "ayer… y hoy otra vez" tells when it started
    if not out:
        m = _MONTH_ONLY_RE.search(f.text)
        if m:
            s, e = f.span(m.start("month"), m.end("month"))
            out.append({"entity": "fecha", "value": f.original[s:e], "start": s, "end": e})
    return out


def relative_when(text: str) -> str | None:
    """The first when said relative to today in `text` ('ayer', 'hace 3 dias', 'el lunes pasado'),
    folded; None when there is none or it is a duration. The dialogue reads answers with it."""
    folded = fold(text).text
    for m in _RELATIVE_FECHA_RE.finditer(folded):
        if not _duration_or_frequency(folded, m):
            return m.group(0)
    return None


_STATE_NOW_RE = re.compile(r"(?<![a-z])(?:tengo|tiene|tenemos|tienen|llevo|lleva|llevamos|llevan)"
                           r"(?![a-z])")


def _duration_or_frequency(text: str, m: re.Match) -> bool:
    """'desde hace 3 semanas', 'hace 2 meses que no le dan', 'el recibo de hace un año',
    'tengo dolor hace 2 semanas', '2 veces a la semana', 'toda la semana': how long or how often,
    not when it happened."""
    before = text[max(0, m.start() - 12):m.start()]
    after = text[m.end():m.end() + 6]
    said = m.group(0)
    if said.startswith("hace") and (before.endswith(("desde ", "ya ", " de ")) or after.startswith(" que ")):
        return True
    clause = re.split(r"[,.;:!?]", text[max(0, m.start() - 40):m.start()])[-1]
    if said.startswith("hace") and _STATE_NOW_RE.search(clause):
        return True  # "tengo dolor de muela hace 2 semanas": how long it has lasted
    # "2 veces a la semana", "toda la semana", "durante la semana"
    return "semana" in said and re.search(r"(?:^|\s)(?:a|por|cada|toda|durante)\s$", before) is not None
