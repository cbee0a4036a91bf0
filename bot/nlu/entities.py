"""Rule, regex and lookup entity extractors with normalised values.

All extractors run on a *folded* copy of the message (accents stripped, lowercase) that keeps
a map back to the original characters, so `start`/`end` always index the text as received and
"as written" values are slices of it.

Entities: estado (official name from core.estados), folio (SINAC-YYYY-NNNNNN when recoverable,
else the digits as written), monto (number of pesos charged/paid to the health service), curp
(uppercase, check digit valid), fecha (calendar date as written), unidad (named health unit as
written).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from unidecode import unidecode

from core.estados import NOMBRES
from core.text.curp import CURP_SEARCH_RE, is_well_formed

from .amounts import TOTAL_AFTER_RE, combine_amounts, times
from .normalize import find_folio
from .numbers import (
    HUNDREDS,
    NUMBER_WORDS,
    TENS,
    UNITS,
    as_number,
    thousands_group,
    words_to_number,
)

MAX_ENTITY_CHARS = 5000

# --------------------------------------------------------------------------- folding


@dataclass(frozen=True)
class Folded:
    original: str
    text: str  # folded: unidecode + lowercase
    index: tuple[int, ...]  # folded position -> original position (len(text) + 1 entries)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Folded [start, end) -> original [start, end)."""
        o_start = self.index[start]
        o_end = self.index[end - 1] + 1 if end > start else o_start
        return o_start, o_end

    def slice(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


def fold(text: str) -> Folded:
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            rep = ch.lower()
        elif ch in "ñÑ":
            rep = "n"
        else:
            rep = unidecode(ch).lower()
            if len(rep) > 1 and not rep.isalpha():
                rep = " "  # symbols that unidecode spells out ("[?]", "EUR") become a space
        for c in rep:
            out.append(c)
            index.append(i)
    index.append(len(text))
    return Folded(text, "".join(out), tuple(index))


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class Gazetteer:
    pattern: re.Pattern | None
    values: dict[str, str]  # folded variant -> official estado name


_BLOCKERS_BEFORE = re.compile(
    r"(?:calle|av|avenida|col|colonia|blvd|boulevard|dr|doctor|doctora|dra|lic|licenciado|"
    r"licenciada|sr|sra|senor|senora|enfermera|enfermero|miguel|jose\s+maria|benito|ignacio|"
    r"vicente|ejido|fracc|fraccionamiento|apellido|calzada)[\s.]*$"
)


_NEGATED_BEFORE = re.compile(r"(?<![a-z])no\s+(?:(?:es|era|fue|en|de|del|estado\s+de)\s+){0,2}$")


def _fold_plain(s: str) -> str:
    return re.sub(r"\s+", " ", unidecode(s).lower().strip())


def _variant_regex(variant: str) -> str:
    parts = [re.escape(p) for p in re.split(r"[\s.]+", variant.strip(" .")) if p]
    return r"[\s.,-]*".join(parts) + (r"\.?" if variant.endswith(".") else "")


def build_gazetteer(lookups: dict[str, list[str]], synonyms: dict[str, str]) -> Gazetteer:
    """Estado variants and cities from the lookup tables; values from the synonyms."""
    official = {_fold_plain(n): n for n in NOMBRES}
    values: dict[str, str] = {}
    for table in ("estado", "ciudad"):
        for entry in lookups.get(table, []):
            key = _fold_plain(entry)
            value = synonyms.get(entry.lower()) or synonyms.get(key) or official.get(key)
            if value is None and key in official:
                value = official[key]
            if value not in NOMBRES:
                raise ValueError(f"lookup entry {entry!r} does not map to an official estado")
            values[key.rstrip(".")] = value
    if not values:
        return Gazetteer(None, {})
    alts = sorted(values, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(_variant_regex(a) for a in alts) + r")(?![a-z0-9])"
    )
    return Gazetteer(pattern, values)


_GAZ_LOCK = threading.Lock()
_GAZ_CACHE: dict[str, Gazetteer] = {}


def get_gazetteer(data_dir: Path | str | None = None) -> Gazetteer:
    from .data import default_data_dir, load_training_data

    path = str(data_dir) if data_dir is not None else str(default_data_dir())
    gaz = _GAZ_CACHE.get(path)
    if gaz is None:
        with _GAZ_LOCK:
            gaz = _GAZ_CACHE.get(path)
            if gaz is None:
                data = load_training_data(path)
                gaz = build_gazetteer(data.lookups, data.synonyms)
                _GAZ_CACHE[path] = gaz
    return gaz


def _estado(f: Folded, gaz: Gazetteer) -> list[dict]:
    out: list[dict] = []
    if gaz.pattern is None:
        return out
    for m in gaz.pattern.finditer(f.text):
        if _BLOCKERS_BEFORE.search(f.text, max(0, m.start() - 30), m.start()):
            continue
        key = re.sub(r"[\s.,-]+", " ", m.group(0)).strip()
        value = gaz.values.get(key) or gaz.values.get(key.replace(" ", ""))
        if value is None:
            # variants written with dots/spaces ("d.f.", "edo. mex")
            value = next((v for k, v in gaz.values.items() if _squash(k) == _squash(key)), None)
        if value is None:
            continue
        s, e = f.span(m.start(), m.end())
        negated = bool(_NEGATED_BEFORE.search(f.text, max(0, m.start() - 20), m.start()))
        out.append({"entity": "estado", "value": value, "start": s, "end": e, "_neg": negated})
    # "es Tlaxcala, no Puebla": a state named only to be denied is dropped when another remains
    if any(not x["_neg"] for x in out):
        out = [x for x in out if not x["_neg"]]
    for x in out:
        del x["_neg"]
    return out


def _squash(s: str) -> str:
    return re.sub(r"[\s.,-]+", "", s)


# --------------------------------------------------------------------------- curp / folio


def _curp(f: Folded) -> list[dict]:
    out = []
    for m in CURP_SEARCH_RE.finditer(f.original):
        value = m.group(0).upper()
        if is_well_formed(value):  # a one-character slip keeps the CURP (core/text/curp.py)
            out.append({"entity": "curp", "value": value, "start": m.start(), "end": m.end()})
    return out


_FOLIO_KEY_RE = re.compile(
    r"(?:folio|n[uo]m(?:ero|\.)?\s+de\s+(?:caso|reporte|queja|tramite|seguimiento)|"
    r"numero\s+de\s+folio|no\.?\s+de\s+folio)"
    r"[\s:#.]*(?:es|era|num(?:ero)?|no\.?|n[°º]|el)?[\s:#.]*"
    r"(?P<num>(?:s[i1l]nac\s*[-/#.]?\s*)?[0-9o][0-9o\-/ ]*[0-9o])(?![0-9a-z])"
)
_BARE_FOLIO_MSG_RE = re.compile(
    r"^[\W_]*(?:(?:mi|el|es|este|mi\s+numero|numero)\s+)*(?P<num>20\d{2}\s*[-/ ]\s*\d{1,6})[\W_]*$"
)


def _folio(f: Folded) -> list[dict]:
    found = find_folio(f.original)
    if found:
        value, s, e = found
        # a bare "2026 123" needs a folio keyword or to be (nearly) the whole message
        prefixed = re.match(r"\s*s", f.original[s:e], re.IGNORECASE) is not None
        fs = f.index.index(s) if s in f.index else 0
        keyed = re.search(
            r"folio|caso|reporte|seguimiento|tramite|queja|numero", f.text[max(0, fs - 40) : fs]
        )
        if prefixed or keyed or _BARE_FOLIO_MSG_RE.match(f.text):
            return [{"entity": "folio", "value": value, "start": s, "end": e}]
    m = _FOLIO_KEY_RE.search(f.text)
    if m:
        s, e = f.span(m.start("num"), m.end("num"))
        raw = f.original[s:e].strip()
        canonical = find_folio(raw)
        value = canonical[0] if canonical else raw
        if re.search(r"\d", value):
            return [{"entity": "folio", "value": value, "start": s, "end": s + len(raw)}]
    return []


# --------------------------------------------------------------------------- fecha

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


def _fecha(f: Folded) -> list[dict]:
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


# --------------------------------------------------------------------------- monto

_TOKEN_RE = re.compile(r"\$|\d+(?:[.,]\d+)*k?(?![a-z])|\d+(?=mil(?![a-z]))|[a-z]+")  # "3mil" = 3 mil
_CURRENCY_AFTER = {"pesos", "peso", "pesitos", "varos", "baros", "mxn", "mn", "pesotes", "mx"}
_MONEY_CUES = {
    "cobraron", "cobro", "cobrar", "cobra", "cobran", "cobrando", "cobrado", "cobrada",
    "cobre", "cobraran", "cobraban", "cobrarme", "cobrarnos", "cobrarle", "pague", "pago", "pagar", "pagamos", "pagaron", "pagando", "pagado", "pagarle",
    "pagarles", "pagaba", "pagabamos", "pagarla", "pagarlo", "pagamo",
    "cuesta", "costo", "costaron", "cuestan", "costaba", "salio", "salieron", "sale",
    "pidieron", "pidio", "piden", "pide", "pedian", "exigieron", "exigen", "exigio",
    "di", "dimos", "dar", "darles", "darle", "dejar", "deje", "dejamos", "deposite",
    "depositar", "gaste", "gastamos", "gastado", "gastar", "cuota", "cooperacion",
    "desembolse", "desembolsar", "reembolso", "reembolsen", "devuelvan", "devolvieran",
    "regresen", "precio", "total", "cargo", "cargaron", "pagué",
    "cobros", "pagos", "monto", "importe", "recibo", "ticket", "factura", "coperacion",
    "aportacion", "donativo", "dieron", "cobrandome", "cobrandonos", "pagandole",
    "paid", "charged", "pay", "charge", "depositamos", "depositaron", "deposito",
    "pagara", "pagaramos", "pagaran", "vendio", "vendieron", "vendian", "vende", "pagare",
    "garantia", "soltar", "solte", "soltamos", "sacaron", "quitaron", "poner", "puse",
    "pusimos", "compramos", "compre", "comprar", "gastos", "costar",
    "pidiendo", "pedir", "exigiendo", "devolvian", "devolver", "devuelven",
    "regresaran", "regresar", "reembolsaron", "reembolsar", "anticipo", "liquidar",
    "liquidaramos", "liquidamos", "liquide", "liquidaron", "liquidara", "saldar",
}  # fmt: skip
# what the money was for, named right after it: "3 mil de depósito", "500 de cooperación"
_MONEY_NOUNS_AFTER_DE = {"deposito", "garantia", "cooperacion", "coperacion", "cuota", "anticipo",
                         "consulta", "medicamento", "medicina", "estudios", "ultrasonido"}
_NON_MONEY_AFTER = {
    "anos", "ano", "meses", "mes", "dias", "dia", "horas", "hora", "hrs", "hr", "semanas",
    "semana", "minutos", "min", "mins", "veces", "vez", "hijos", "hijas", "hijo", "hija",
    "personas", "gente", "kilos", "kg", "cm", "km", "am", "pm", "gramos", "mg", "ml", "litros",
    "pastillas", "tabletas", "cajas", "piso", "cuadras", "semanitas", "puntos", "centimetros",
    "metros", "grados", "citas", "consultas", "recetas", "porciento", "sesiones",
}  # fmt: skip
# "de" after a number is usually a date or a count ("15 de marzo", "3 de mis hijos"); money
# "de" forms ("1 de 500"?) are rare enough.
_NON_MONEY_BEFORE = {
    "folio", "sinac", "curp", "numero", "num", "no", "tel", "cel", "telefono", "celular",
    "cama", "consultorio", "cuarto", "sala", "piso", "las", "la", "edad", "calle", "lote",
    "manzana", "mz", "lt", "km", "kilometro", "umf", "clinica", "hospital", "modulo", "salud",
    "cp", "expediente", "poliza", "ext", "interior", "exterior", "ventanilla", "turno", "ficha",
    "general", "regional", "civil", "comunitario", "integral", "hgz", "hg", "umaa", "uneme",
}  # fmt: skip
_NON_HEALTH = {
    "pasaje", "pasajes", "camion", "camiones", "taxi", "uber", "combi", "transporte", "gano",
    "ganamos", "sueldo", "salario", "renta", "quincena", "semana",
    "gasolina", "luz", "agua", "estacionamiento", "colegiatura", "ganaba", "ganar", "vendo",
    "venta", "vende", "recarga", "saldo", "dolar", "dolares", "prestamo", "presta", "prestas",
    "tamales", "credito", "tarjeta", "predial", "tenencia", "multa",
}  # fmt: skip
_WINDOW = 10
_WIDE_WINDOW = 16  # "me cobraron la consulta en su consultorio de adentro del centro de salud, 150"
_STRONG_CUES = frozenset({"cobraron", "cobro", "cobrar", "pague", "pagar", "pagamos", "gaste",
                          "gastamos", "cobran", "compramos", "comprar", "pagaron"})
_HAVE_NOT = {"tengo", "traigo", "tenia", "traia", "tenemos", "traemos", "teniamos", "alcanza"}
_NOT_MONEY_AFTER_DE = {
    "mis", "sus", "ellos", "ellas", "edad", "nosotros", "ustedes",
    "cada", "todos", "todas", "tus", "nuestros", "nuestras", "esos", "esas", "estos", "estas",
}  # fmt: skip
_MONTH_WORD_RE = re.compile(
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre|ene|feb|mar|abr|jun|jul|ago|sep|sept|oct|nov|dic"
)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _is_num_token(tok: str) -> bool:
    return tok[0].isdigit() or tok in NUMBER_WORDS


def _monto(f: Folded, taken: list[tuple[int, int]]) -> list[dict]:
    toks = _tokens(f.text)
    out: list[dict] = []
    i = 0
    last_money_idx = -100
    while i < len(toks):
        tok = toks[i][0]
        if not _is_num_token(tok) or tok in ("y", "medio"):
            i += 1
            continue
        j = i
        words: list[str] = []
        while j < len(toks) and _is_num_token(toks[j][0]):
            w = toks[j][0]
            if w == "y":
                # "treinta y cinco", "mil y medio"; otherwise "y" ends the amount
                nxt = toks[j + 1][0] if j + 1 < len(toks) else ""
                prev = words[-1] if words else ""
                if not ((prev in TENS and nxt in UNITS) or (prev == "mil" and nxt == "medio")):
                    break
            if words and w[0].isdigit() and words[-1][0].isdigit():
                if thousands_group(words, w):
                    words[0] += w  # "1 200 pesos"
                    j += 1
                    continue
                break  # two separate figures ("350 200")
            if w in ("medio",) and (not words or words[-1] not in ("y", "mil")):
                break
            words.append(w)
            j += 1
        start_i, end_i = i, j
        i = max(j, i + 1)
        if not words or all(w in ("un", "una", "uno", "y", "medio") for w in words):
            continue
        small_words = not any(
            w[0].isdigit() or w in HUNDREDS or w == "mil" or w in TENS for w in words
        )
        if small_words and not (start_i > 0 and toks[start_i - 1][0] == "$"):
            # small number words ("dos", "quince") are counts far more often than prices
            nxt = toks[end_i][0] if end_i < len(toks) else ""
            if nxt not in _CURRENCY_AFTER:
                continue
        value = words_to_number(words)
        if value is None or value <= 0:
            continue
        fs, fe = toks[start_i][1], toks[end_i - 1][2]
        dollar = start_i > 0 and toks[start_i - 1][0] == "$"
        if dollar:
            fs = toks[start_i - 1][1]
        os_, oe = f.span(fs, fe)
        if any(os_ < e and s < oe for s, e in taken):
            continue
        nxt = toks[end_i][0] if end_i < len(toks) else ""
        currency = nxt in _CURRENCY_AFTER
        prev = toks[start_i - 1][0] if start_i > 0 else ""
        if not (dollar or currency) and prev in _NON_MONEY_BEFORE:
            continue
        if prev == "ni" and start_i > 1 and toks[start_i - 2][0] in _HAVE_NOT:
            continue  # "no tengo ni 50 pesos": what they lack, not what they paid
        if not (dollar or currency) and nxt in _NON_MONEY_AFTER:
            continue
        if nxt in ("de", "del") and not (dollar or currency):
            nxt2 = toks[end_i + 1][0] if end_i + 1 < len(toks) else ""
            if nxt2 in _NOT_MONEY_AFTER_DE or _MONTH_WORD_RE.fullmatch(nxt2) or not nxt2:
                continue  # "15 de marzo", "3 de mis hijos"
        before = [t[0] for t in toks[max(0, start_i - _WINDOW) : start_i]]
        wide = [t[0] for t in toks[max(0, start_i - _WIDE_WINDOW) : start_i]]
        named_after = nxt in ("de", "del") and end_i + 1 < len(toks) \
            and toks[end_i + 1][0] in _MONEY_NOUNS_AFTER_DE
        # or named right after it: "6,300 con todo", "1800 me cobraron", "500 que pagué"
        cue_after = any(a in _STRONG_CUES for a in (t[0] for t in toks[end_i:end_i + 3])) \
            or bool(TOTAL_AFTER_RE.search(f.text[fe:fe + 25]))
        cue = (any(b in _MONEY_CUES for b in before) or any(b in _STRONG_CUES for b in wide)
               or (start_i - last_money_idx) <= _WINDOW or named_after or cue_after)
        if not (dollar or currency or cue):
            continue
        after = [t[0] for t in toks[end_i : end_i + 4]]
        if any(b in _NON_HEALTH for b in before[-6:]) or any(a in _NON_HEALTH for a in after):
            continue
        if not (dollar or currency) and value < 20:
            continue  # "cobraron ... 3" is a count, not pesos
        if (
            not (dollar or currency)
            and len(words) == 1
            and re.fullmatch(r"(?:19|20)\d\d", words[0])
            and prev not in _MONEY_CUES
        ):
            continue  # a year next to "pague"
        if not (dollar or currency) and value >= 1_000_000:
            continue  # phone numbers, ids
        out.append({"entity": "monto", "value": as_number(value), "start": os_, "end": oe})
        last_money_idx = end_i
    return out


# --------------------------------------------------------------------------- unidad

_UNIT_HEAD_RE = re.compile(
    r"(?<![a-z0-9])(?:centro\s+de\s+salud|centro\s+medico|casa\s+de\s+salud|hospital(?:ito)?|"
    r"clinica|unidad\s+medica(?:\s+familiar)?|umf|uneme|cessa|sanatorio|hosp\.?|hgz?|"
    r"modulo\s+de\s+afiliacion|modulo\s+del\s+seguro(?:\s+popular)?|mao|caravana\s+de\s+salud|"
    r"(?:(?<=del )|(?<=al )|(?<=el ))general(?=\s+de\s))(?![a-z0-9])"
)
_UNIT_QUALIFIERS = re.compile(
    r"\s+(?:general|civil|comunitario|regional|integral|rural|urbano|materno[\s-]+infantil|"
    r"de\s+la\s+mujer|del\s+nino|de\s+la\s+madre\s+y\s+el\s+nino|infantil|de\s+especialidades|"
    r"de\s+alta\s+especialidad|universitario|de\s+ginecobstetricia|de\s+ginecologia|"
    r"psiquiatrico|basico|pediatrico|de\s+la\s+amistad)(?![a-z0-9])"
)
_UNIT_NUMBER = re.compile(r"\s*(?:no\.?|num\.?|numero|#|n[°º])\s*\d{1,4}(?![0-9a-z])")
_UNIT_BARE_NUMBER = re.compile(r"\s*\d{1,3}(?![0-9a-z,.])")
_NUMBERED_HEADS = ("umf", "clinica", "unidad medica")
_NEXT_WORD_RE = re.compile(r" +([a-z0-9]+)")
_INTRO_LEAD = {"de", "del", "la", "el", "los", "las"}
_INTRO_AFTER_DE = {"la", "los", "las", "el"}
_SAINTS = {"san", "santa", "santo", "nuestra", "sagrado", "virgen"}
_NAME_STOP = {
    "me", "le", "les", "nos", "te", "se", "lo", "y", "e", "o", "u", "pero", "porque", "que",
    "ayer", "hoy", "antier", "manana", "por", "para", "con", "sin", "a", "al", "en", "cuando",
    "donde", "no", "si", "ya", "mi", "mis", "su", "sus", "tu", "estaba", "estuve", "fui", "fue",
    "fuimos", "hay", "un", "una", "unos", "unas", "desde", "hace", "pues", "entonces", "ni", "es",
    "son", "esta", "estan", "era", "muy", "todo", "todos", "nada", "nunca", "siempre", "como",
    "asi", "solo", "tambien", "favor", "gracias", "hola", "buenos", "buenas", "dia", "dias",
    "tardes", "noches", "semana", "mes", "ano", "hrs", "horas", "imss", "issste", "pemex",
    "sedena", "seguro", "popular", "aqui", "alla", "ahi", "alli", "q", "k", "xq", "pq", "tmb",
    "doctor", "doctora", "dr", "dra", "enfermera", "enfermero", "medico", "pesos", "peso",
    "urgencias", "consulta", "cita", "porfa", "ese", "esa", "este", "mismo", "misma", "otro",
    "otra", "de", "del", "la", "las", "los", "el", "tenian", "tienen", "tiene", "habia",
    "nomas", "namas", "pa", "xfa", "porfavor", "the", "and", "mas", "menos", "bien",
    "mal", "tan", "bueno", "buena", "excelente", "pesimo", "pesima", "hasta", "sobre", "entre",
    "ante", "tras", "segun", "durante", "mediante", "cerca", "lejos", "cual", "quien",
    "eso", "esto", "ella", "ellos", "ellas", "usted", "ustedes", "yo", "nosotros",
    "medicamento", "medicina", "medicinas", "receta", "estudio", "parto", "cesarea", "cirugia",
    "operacion", "ultrasonido", "laboratorio", "farmacia", "area", "piso", "sala", "cuarto",
    "tratan", "trata", "cobran", "cobra", "atienden", "atiende", "abre", "abren", "cierra",
    "cierran", "dan", "da", "dice", "dicen", "piden", "pide", "necesito",
    "quiero", "tengo", "voy", "va", "van", "todavia",
    "ahora", "antes", "despues", "luego", "pasado", "pasada", "anoche", "temprano", "tarde",
    "noche", "madrugada", "cubre", "cubren", "sirve", "funciona", "cobro", "cobre", "fines",
    "fin", "semanas", "meses", "anos", "lunes", "martes", "miercoles", "jueves", "viernes",
    "sabado", "sabados", "domingo", "domingos", "turno", "horario", "mananas", "diario",
}  # fmt: skip
_GENERIC_NAMES = {
    "colonia", "pueblo", "rancho", "comunidad", "zona", "municipio", "ciudad", "barrio",
    "localidad", "region", "estado", "ejido", "ranchito", "pueblito", "cabecera", "centro",
}  # fmt: skip
_VERBISH = re.compile(r"(?:aron|ieron|aban|ando|iendo|amos|emos|imos|aste|iste|aria|eria|iria)$")


def _unit_name(f: Folded, cursor: int, end: int, places: re.Pattern | None) -> tuple[int, bool]:
    """Scan the name after a unit head: up to 4 content words, joined by de/del/de la.

    A name written right after the head (no "de") must look like one: Capitalised, a known
    place, or a saint's name ("hospital San José"); a known place also ends the name.
    """
    text = f.text
    content = 0
    generic_only = True
    connectors: list[str] = []
    while content < 4:
        w = _NEXT_WORD_RE.match(text, cursor)
        if not w:
            break
        word = w.group(1)
        if word in _INTRO_LEAD and (
            (not connectors and (content == 0 or word in ("de", "del")))
            or (connectors == ["de"] and word in _INTRO_AFTER_DE)
        ):
            connectors.append(word)
            cursor = w.end()
            continue
        if word in _NAME_STOP or _VERBISH.search(word) or word.isdigit() or len(connectors) > 2:
            break
        place = places.match(text, w.start(1)) if places is not None else None
        if content == 0 and not connectors:
            written = f.slice(w.start(1), w.end(1))
            if not (written[:1].isupper() or place or word in _SAINTS):
                break
        connectors = []
        content += 1
        if word not in _GENERIC_NAMES:
            generic_only = False
        if place:
            end = place.end()
            content = 4  # the place closes the name ("hospital general de ecatepec tratan...")
            break
        end = cursor = w.end()
    return end, bool(content) and not generic_only


def _unidad(f: Folded, gaz: Gazetteer) -> list[dict]:
    out: list[dict] = []
    text = f.text
    pos = 0
    while True:
        m = _UNIT_HEAD_RE.search(text, pos)
        if not m:
            break
        end = m.end()
        pos = m.end()
        qualified = False
        q = _UNIT_QUALIFIERS.match(text, end)
        if q:
            end, qualified = q.end(), True
        named = False
        numbered = _UNIT_NUMBER.match(text, end)
        if not numbered and m.group(0).startswith(_NUMBERED_HEADS):
            numbered = _UNIT_BARE_NUMBER.match(text, end)
        if numbered:
            end, named = numbered.end(), True
        else:
            end, named = _unit_name(f, end, end, gaz.pattern)
        if not (named or qualified):
            continue
        pos = end
        s, e = f.span(m.start(), end)
        out.append({"entity": "unidad", "value": f.original[s:e], "start": s, "end": e})
    return out


# --------------------------------------------------------------------------- public


def extract_entities(text: object, data_dir: Path | str | None = None) -> list[dict]:
    """All entities in `text`, in order of appearance: [{entity, value, start, end}]."""
    if not isinstance(text, str):
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        else:
            return []
    text = text[:MAX_ENTITY_CHARS]
    if not text.strip():
        return []
    f = fold(text)
    found: list[dict] = []
    found += _curp(f)
    found += _folio(f)
    found += _fecha(f)
    gaz = get_gazetteer(data_dir)
    found += _unidad(f, gaz)
    found += _estado(f, gaz)
    taken = [(e["start"], e["end"]) for e in found if e["entity"] in ("curp", "folio", "fecha")]
    found += _combined(text, _monto(f, taken))
    found.sort(key=lambda e: (e["start"], e["end"]))
    return found


def _combined(text: str, montos: list[dict]) -> list[dict]:
    """The amount charged: one monto, the sum (or the correction, or the stated total) of those
    found, each multiplied when the text says how many times it was paid; `parts` keeps them."""
    if not montos:
        return []
    parts = [(float(m["value"]) * times(text, m["start"], m["end"]), m["start"], m["end"])
             for m in montos]
    if len(parts) == 1 and parts[0][0] == float(montos[0]["value"]):
        return montos
    total, _summed = combine_amounts(text, parts)
    chosen = next((m for m, p in zip(montos, parts, strict=True) if p[0] == total), None)
    start = montos[0]["start"] if chosen is None else chosen["start"]
    end = montos[-1]["end"] if chosen is None else chosen["end"]
    return [{"entity": "monto", "value": as_number(total), "start": start, "end": end,
             "parts": [[as_number(v), s, e] for v, s, e in parts]}]
