"""Amounts as the dialogue reads them in answers and corrections: a figure written alone, the
answer to "¿cuánto te cobraron?", a corrected amount, a charge added on top, an estimate ("como
300 creo"), a figure that opens an answer about the place. The NLU's number words and the
combining of several amounts (bot/nlu/numbers.py, bot/nlu/amounts.py) are the one home of the
rules underneath."""

from __future__ import annotations

import re

from bot.nlu import amounts
from bot.nlu.amounts import ESTIMATE_BEFORE, count_told, price_each  # noqa: F401  (read as U.* too)
from bot.nlu.numbers import number_runs
from core.text.fold import ascii_lower, fold
from core.text.money import monto_in_range
from core.text.number_words import NUMBER_WORDS

_DIGITS_RE = re.compile(r"\$?\s*(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(k|mil)?(?![\d/])")


def _peso_runs(k: str) -> list[tuple[float, int, int]]:
    """The figures of a lowercase, accent-free text that can be pesos: not a year (unless pesos
    are named), not a small count in words ("son los dos", "las tres"), within the range."""
    money_named = re.search(r"\b(?:pesos|mil)\b|\$", k) is not None
    out = []
    for value, start, end in number_runs(k):
        if 1900 <= value <= 2100 and not money_named and re.fullmatch(r"\d{4}", k[start:end]):
            # a year is four bare digits ("en 2019"); "2,100", "2k" and "dos mil cien" are pesos
            continue
        if value < 20 and not k[start].isdigit() and not re.match(r"\s*(?:pesos|mil)\b", k[end:]):
            continue
        if value <= 0 or not monto_in_range(value):
            continue
        out.append((float(value), start, end))
    return out


def amount(text: str | None) -> float | None:
    """A peso amount written alone or in a short phrase: '3500', '$3,500', 'fueron 1.200 pesos',
    '3 mil', 'tres mil quinientos', 'dos mil 600'. None when there is none (years and phone
    numbers excluded). The numbers are read by the NLU's one table (bot/nlu/numbers.py)."""
    found = _peso_runs(ascii_lower((text or "")[:500]))
    return found[0][0] if found else None


def amount_answer(text: str | None) -> float | None:
    """The answer to "¿cuánto te cobraron?": one figure, or several charges added up ("el
    antibiótico 310 y el paracetamol 95" -> 405; "250 y 180, en total 430" -> 430)."""
    k = ascii_lower((text or "")[:500])
    found = _peso_runs(k)
    if not found and re.fullmatch(r"\s*(\d{4})\s*", k):
        return float(k)  # "2100" alone, asked how much: pesos, not a year
    if len(found) > 1 and any(v >= 20 for v, _s, _e in found):
        found = [f for f in found if f[0] >= 20]  # "fui 3 veces y me cobraron 250": a count
    found = [(v * amounts.times(k, s, e), s, e) for v, s, e in found]  # "3 veces 250"
    if len(found) < 2:
        return found[0][0] if found else None
    total, _summed = amounts.combine_amounts(k, found)
    return float(total)


def last_amount(text: str | None) -> float | None:
    """The corrected amount: one stated as the amount ('fueron 1800 porque la consulta fue de
    300', '6,300 con todo'), else the last one written ('no eran 300, eran 350'), passing over
    one the person negates ('fueron 1800 no 1500', 'no de 100')."""
    k = ascii_lower((text or "")[:500])
    found = _peso_runs(k)
    if not found:
        return None
    kept = [(v, s, e) for v, s, e in found if not _NEGATED_BEFORE.search(k[max(0, s - 12):s])]
    values = [v for v, _s, _e in kept]
    if len(values) >= 3:
        for v in values:  # "1900, fueron 900 la sutura y mil de la vacuna": the total and its parts
            if abs(v * 2 - sum(values)) < 0.01:
                return v
    stated = [v for v, s, e in kept if _STATED_BEFORE.search(k[max(0, s - 16):s])
              or amounts.TOTAL_AFTER_RE.search(k[e:e + 25])]
    if stated:
        return stated[0]
    return float((kept or found)[-1][0])


_NEGATED_BEFORE = re.compile(r"(?:^|\W)(?:no|ni)\s+(?:de\s+|eran\s+|era\s+|fue\s+|fueron\s+)?\$?$")
_STATED_BEFORE = re.compile(r"(?:^|\W)(?:fueron|eran|son|en total|total|todo junto|en todo)"
                            r"(?:\s+(?:de|unos|como))?\s+\$?$")


# "y también los análisis, 620", "aparte nos pidieron otros 500": a charge on top of the one
# already noted, not a correction of it
_ADDS_RE = re.compile(r"^(?:(?:y|pero|ah|a|ha|oh|ay|e|eh|se me olvido|olvide decirle)\s+)*"
                      r"(?:tambien|tmb|tb|tbn|tambn|ademas|aparte|encima|luego|despues|"
                      r"mas(?!\s+(?:o\s+menos|bien|que))|\+)"
                      r"|\b(?:y tambien|ademas|aparte de eso|otros|otras|otro pago|otra cuota|y aparte)\b"
                      r"|\btambien\s+(?:me|nos|le|les)\s+(?:cobraron|pidieron|hicieron pagar)\b"
                      r"|\b(?:agreguelo|agregalo|agreguele|agregale|sumele|sumale|sumelo|sumalo)\b"
                      r"|\b(?:ponle|ponlo|pongale|pongalo|juntalo|juntale)\s+(?:todo\s+)?(?:junto|todo)\b"
                      r"|\b(?:se me olvido|se me olvidaba|olvide decir|me falto)\b.{0,30}\btambien\b")
_CORRECTS_RE = re.compile(r"^(?:no|nel|perdon|perdona|perdone)\b|\b(?:me equivoque|corrijo|mejor dicho|"
                          r"mas bien|en realidad|eran|no eran|no fueron|total|en total|con todo|"
                          r"(?<!ponle )(?<!ponlo )(?<!pongale )(?<!pongalo )todo junto)\b")


def adds_charge(text: str | None) -> bool:
    """The amount in `text` is one more charge, to be added to the one already noted."""
    k = fold(text)
    if (text or "").lstrip().startswith("+"):  # "+120 d la inyeccion"
        k = "+ " + k
    return bool(_ADDS_RE.search(k)) and not _CORRECTS_RE.search(k)


# "la radiografía fue de 900, no de 1000", "el especialista fue 950 no 900", "no eran 300 sino
# 350": one part of the charge corrected (new figure, then the old one; or the old, then the new)
_PART_NEW_OLD_RE = re.compile(r"(?P<new>\d[\d,.]*)\s*(?:pesos\s*)?,?\s*no\s+(?:de\s+|eran\s+|era\s+|fue\s+)?"
                              r"\$?\s*(?P<old>\d[\d,.]*)")
_PART_OLD_NEW_RE = re.compile(r"\bno\s+(?:fue|fueron|eran|era|es|son)?\s*(?:de\s+)?\$?\s*(?P<old>\d[\d,.]*)"
                              r"\s*(?:pesos\s*)?,?\s*(?:sino|fue|fueron|eran|era|son|es)\s+(?:de\s+)?\$?\s*"
                              r"(?P<new>\d[\d,.]*)")
_DETAIL_FIGURE_RE = re.compile(r"\$\s*(\d[\d,]*(?:\.\d+)?)")


def replaced_part(text: str | None, total: float, detalle: str | None) -> tuple[float, float] | None:
    """(old part, new part) when `text` corrects one part of a charge made of several (the
    parts are the figures of `detalle`); None when it corrects nothing or the whole."""
    parts = [float(x.replace(",", "")) for x in _DETAIL_FIGURE_RE.findall(detalle or "")]
    if len(parts) < 2:
        return None
    k = fold(text)
    for rx in (_PART_NEW_OLD_RE, _PART_OLD_NEW_RE):
        m = rx.search(k)
        if m:
            old, new = amount(m.group("old")), amount(m.group("new"))
            if old is not None and new is not None and old in parts and old != new and old != total:
                return old, new
    return None


def dont_know(text: str | None) -> bool:
    k = fold(text)
    return bool(re.search(r"\b(?:no se|no recuerdo|no me acuerdo|ni idea|no lo se|no estoy segur[oa])\b", k))


_MONEY_CUE_RE = re.compile(r"(?:\$|\bpesos\b|\bmil\b|\bcobr|\bpagu?e|\bfueron\b|\bson\b|\beran\b)")


def amount_with_cue(text: str | None) -> float | None:
    """An amount only when the message talks about money ('son 15 mil', 'pagué 300')."""
    if not _MONEY_CUE_RE.search(fold(text) if "$" not in (text or "") else "$"):
        return None
    return amount(text)


# "450 en el hospital general de cuautla": inside a charge report with no amount yet, a figure
# that opens the message is what was paid (not "12 de marzo", "2 hijos", "3 dias")
_LEADING_FIGURE_RE = re.compile(r"^\s*\$?\s*((?:\d{1,3}(?:[,.]\d{3})+|\d{2,7})(?:\.\d{1,2})?)\s*(?:pesos\s*)?"
                                r"(?=$|[,.;]|\s+(?:en|de|del|por|y|la|el|los|las|que)\b)(?!\s+de\s+"
                                r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|sep|oct|nov|dic|"
                                r"la\s+(?:manana|tarde|noche)))")


def leading_amount(text: str | None) -> float | None:
    m = _LEADING_FIGURE_RE.match(ascii_lower((text or "")[:500]))
    value = amount(m.group(0)) if m else None
    return value if value is not None and value >= 20 else None


# "como 300 creo", "unos 250 pesos", "aprox $1,200", "300 más o menos": an amount given as an
# estimate. Only read inside a cobro report, where the bot asked how much they paid. The words
# before the figure are the NLU's ESTIMATE_BEFORE; the words after it are this reader's own.
_APPROX_AFTER = ("creo", "aprox", "aproximadamente", "mas o menos", "masomenos", "o algo asi",
                 "o asi", "o por ahi", "mas o menos creo", "pesos creo", "pesos aprox",
                 "pesos mas o menos", "pesos aproximadamente")
_NOT_PESOS_AFTER = frozenset({
    "anos", "ano", "meses", "mes", "dias", "dia", "horas", "hora", "hrs", "semanas", "semana",
    "minutos", "min", "veces", "vez", "personas", "gente", "kilos", "km", "metros", "cuadras",
    "pastillas", "tabletas", "cajas", "citas", "consultas", "sesiones", "de", "del", "am", "pm",
})
_NUM_TOKEN_RE = re.compile(r"^(?:\$?\d[\d,.]*k?|\$)$")


def _is_amount_word(w: str) -> bool:
    return bool(_NUM_TOKEN_RE.match(w)) or w in NUMBER_WORDS


def approx_amount(text: str | None) -> float | None:
    """An estimated amount: 'como 300 creo', 'unos 250 pesos', '1200 más o menos'."""
    raw = ascii_lower((text or "")[:500])
    words = re.sub(r"[^a-z0-9$,. ]+", " ", raw).replace(", ", " ").replace(". ", " ").split()
    words = [w.strip(",.") or w for w in words]
    n = len(words)
    for i in range(n):
        for cue in ESTIMATE_BEFORE:
            cw = cue.split()
            if words[i:i + len(cw)] != cw:
                continue
            j = i + len(cw)
            k = j
            while k < n and (_is_amount_word(words[k]) or (words[k] == "y" and k > j)):
                k += 1
            value = _estimate(words, j, k)
            if value is not None:
                return value
    for i in range(n):
        if not _is_amount_word(words[i]) or (i > 0 and _is_amount_word(words[i - 1])):
            continue
        k = i
        while k < n and (_is_amount_word(words[k]) or (words[k] == "y" and k > i)):
            k += 1
        tail = " ".join(words[k:k + 3])
        if any(tail == cue or tail.startswith(cue + " ") for cue in _APPROX_AFTER):
            value = _estimate(words, i, k)
            if value is not None:
                return value
    return None


def _estimate(words: list[str], start: int, end: int) -> float | None:
    while end > start and words[end - 1] == "y":
        end -= 1
    if end <= start:
        return None
    after = words[end] if end < len(words) else ""
    if after in _NOT_PESOS_AFTER:
        return None  # "como 3 horas", "como 15 de marzo"
    value = amount(" ".join(words[start:end]))
    if value is None:
        return None
    money = words[start].startswith("$") or after in ("pesos", "peso", "varos", "mxn")
    if value < 20 and not money:
        return None
    return value
