"""The fecha entity: when it happened, as written ("el 3 de marzo", "el lunes pasado", "ayer",
"hace 3 días", "en marzo"); never how long or how often."""

from __future__ import annotations

import re

from .folded import Folded

_MONTHS = (
    r"(?:enero|ene|febrero|feb|marzo|mar|abril|abr|mayo|junio|jun|julio|jul|agosto|ago|"
    r"septiembre|setiembre|sept|sep|octubre|oct|noviembre|nov|diciembre|dic)"
)
_DAY_WORDS = (
    r"(?:primero|treinta\s+y\s+uno|treinta|veintinueve|veintiocho|veintisiete|veintiseis|"
    r"veinticinco|veinticuatro|veintitres|veintidos|veintiuno|veinte|diecinueve|dieciocho|"
    r"diecisiete|dieciseis|quince|catorce|trece|doce|once|diez|nueve|ocho|siete|seis|cinco|"
    r"cuatro|tres|dos|uno)"
)
_WEEKDAY = r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)"
_FECHA_RE = re.compile(
    r"(?<![0-9a-z])(?:"
    r"(?P<num>(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])(?:[/.-](?:\d{4}|\d{2}))?)"
    rf"|(?:{_WEEKDAY}\s+)?(?:0?[1-9]|[12]\d|3[01]|{_DAY_WORDS})\s+(?:de\s+)?{_MONTHS}\.?"
    r"(?:\s*(?:de|del|,)?\s*(?:20\d{2}|19\d{2}))?"
    rf"|{_MONTHS}\s+(?:0?[1-9]|[12]\d|3[01])(?:\s*(?:de|del|,)?\s*20\d{{2}})?"
    r")(?![0-9a-z])"
)
# When, said relative to today: "ayer", "antier", "el lunes pasado", "la semana pasada", "hace
# 3 días" (never hours: "hace 3 horas esperando" is a wait, and never a bare duration).
_RELATIVE_FECHA_RE = re.compile(
    r"(?<![0-9a-z])(?:"
    r"(?:apenas\s+)?(?:ayer|antier|anteayer|antes\s+de\s+ayer|anoche|hoy(?:\s+en\s+la\s+"
    r"(?:manana|tarde|noche))?|esta\s+manana)"
    rf"|(?:el|este|el\s+pasado)\s+{_WEEKDAY}(?:\s+pasado)?"
    r"|(?:la|esta)\s+semana(?:\s+pasada)?|el\s+(?:mes|ano)\s+pasado|el\s+fin\s+de\s+semana"
    r"(?:\s+pasado)?"
    rf"|hace\s+(?:\d{{1,2}}|un|una|{_DAY_WORDS})\s+(?:dias?|semanas?|mes(?:es)?)"
    r")(?![0-9a-z])"
)


# a month named alone as the when: "la renové en marzo", "no hay salbutamol desde diciembre"
_MONTH_ONLY_RE = re.compile(
    r"(?<![0-9a-z])(?:en|desde|a principios de|a finales de|a mediados de|a fines de)\s+"
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


def _duration_or_frequency(text: str, m: re.Match) -> bool:
    """'desde hace 3 semanas', 'hace 2 meses que no le dan', '2 veces a la semana': how long or
    how often, not when it happened."""
    before = text[max(0, m.start() - 12):m.start()]
    after = text[m.end():m.end() + 6]
    said = m.group(0)
    if said.startswith("hace") and (before.endswith(("desde ", "ya ")) or after.startswith(" que ")):
        return True
    return "semana" in said and before.endswith(("a ", "por ", "cada "))
