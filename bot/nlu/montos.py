"""The monto entity: pesos charged or paid for health care, read from digits, words or both
("mil 700", "$1.500", "2 mil y pico") next to a money cue; never ages, beds, times, days, counts,
phone or folio numbers. Several amounts in one message are combined by bot/nlu/amounts.py."""

from __future__ import annotations

import re

from core.text.number_words import HUNDREDS, NUMBER_WORDS, TENS, UNITS

from .amounts import TOTAL_AFTER_RE, combine_amounts, said_each, said_per_unit, times
from .charges import CONDITION_AFTER
from .folded import Folded
from .numbers import (
    as_number,
    spoken_cents,
    thousands_group,
    words_to_number,
)

_TOKEN_RE = re.compile(r"\$|\d+(?=mil(?![a-z]))|\d+(?:[.,]\d+)*k?(?![a-z\d])|[a-z]+")  # "3mil" = 3 mil
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
    "dio", "debia", "debo", "debiamos", "debemos", "debe", "adeudo", "adeudaba", "regresaban", "fueron",
    "regresaron", "regresarian", "devolvieron", "devolverian", "reembolsaran",
    "bajaron", "tumbaron", "transferi", "transferimos", "transferencia",
    "pagas", "pagues", "paguen", "pagan", "pagarian",
}  # fmt: skip
# what the money was for, named right after it: "3 mil de depósito", "500 de cooperación"
_MONEY_NOUNS_AFTER_DE = {
    "deposito", "garantia", "cooperacion", "coperacion", "cuota", "anticipo", "consulta",
    "medicamento", "medicamentos", "medicina", "medicinas", "estudio", "estudios", "ultrasonido",
    "placa", "placas", "laboratorio", "analisis", "parto", "cesarea", "cirugia", "operacion",
    "vacuna", "tomografia", "radiografia", "rayos", "hospitalizacion", "sutura", "curacion",
    "inyeccion", "ambulancia", "receta", "quimio", "hemodialisis", "dialisis", "legrado",
    "urgencias", "ecografia", "mastografia", "endoscopia", "resonancia", "certificado",
}  # fmt: skip
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
    "region", "jurisdiccion", "sector", "zona", "seccion",
    "cp", "expediente", "poliza", "ext", "interior", "exterior", "ventanilla", "turno", "ficha",
    "general", "regional", "civil", "comunitario", "integral", "hgz", "hg", "umaa", "uneme",
}  # fmt: skip
# "folio del recibo 45821": a document's number (long); "el ticket… 856" may be its amount
_DOCUMENT_BEFORE = frozenset({"recibo", "ticket", "factura", "referencia", "nota", "orden"})
_NON_HEALTH = {
    "pasaje", "pasajes", "camion", "camiones", "taxi", "uber", "combi", "transporte", "gano",
    "ganamos", "sueldo", "salario", "renta", "quincena",
    "gasolina", "luz", "agua", "estacionamiento", "colegiatura", "ganaba", "ganar", "vendo",
    "venta", "vende", "recarga", "saldo", "dolar", "dolares", "prestamo", "presta", "prestas",
    "tamales", "credito", "tarjeta", "predial", "tenencia", "multa",
}  # fmt: skip
# care that makes an everyday word's money a health charge: "la gasolina de la ambulancia"
_CARE_WORDS = frozenset({"ambulancia", "traslado", "trasladar", "hospital", "clinica", "paciente"})
_PRICE_VERBS = frozenset({"era", "es", "fue", "seria", "sale", "salia", "salio", "costaba", "cuesta", "costo"})
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


_CONDITION_AFTER_RE = re.compile(r"\s*" + CONDITION_AFTER)  # "(sin los 500) no me daban…"
_PERCENT_AFTER_RE = re.compile(r"\s*(?:%|por\s*ciento|porciento)")
_ARTICLES = frozenset({"la", "el", "los", "las", "un", "una", "su", "sus", "mi", "mis"})
_PEOPLE = frozenset({
    "papa", "mama", "hijo", "hija", "esposo", "esposa", "abuelo", "abuela", "abuelito", "abuelita",
    "suegro", "suegra", "bebe", "nino", "nina", "hermano", "hermana", "tio", "tia", "senor",
    "senora", "paciente", "muchacho", "muchacha", "sobrino", "sobrina", "nieto", "nieta", "primo",
    "prima", "chamaco", "hijito", "hijita", "papi", "mami", "viejito", "viejita", "persona",
})  # fmt: skip
_AGE_VERBS = frozenset({"tiene", "tengo", "tenia", "tenemos", "cumple", "cumplio", "cumpli",
                        "edad"})


def _inside(f: Folded, tok: tuple[str, int, int], taken: list[tuple[int, int]]) -> bool:
    a, b = f.span(tok[1], tok[2])
    return any(s < b and a < e for s, e in taken)


# what a laboratory result measures: "los triglicéridos salieron en 280"
_LAB_VALUES = frozenset({"glucosa", "azucar", "trigliceridos", "colesterol", "presion", "hemoglobina",
                         "plaquetas", "creatinina", "urico", "leucocitos", "tsh", "sodio",
                         "potasio", "saturacion", "oxigenacion", "temperatura", "fiebre", "calentura"})
_RESULT_VERBS = frozenset({"salio", "salieron", "sale", "salen", "esta", "estaba", "anda", "andaba", "tengo",
                           "tiene", "traigo", "trae", "marco", "marca", "dio"})
_RESULT_FILLER = frozenset({"me", "le", "en", "de", "la", "el", "mi", "su", "mis", "sus", "los", "las", "como",
                            "a", "hasta", "arriba", "muy", "alta", "alto", "baja", "bajo"})


def _a_result(toks: list[tuple[str, int, int]], start_i: int) -> bool:
    """'los triglicéridos salieron en 280', 'mi azúcar anda en 250': a measured value."""
    seen_verb = False
    for k in range(start_i - 1, max(-1, start_i - 6), -1):
        w = toks[k][0]
        if w in _LAB_VALUES:
            return seen_verb
        if w in _RESULT_VERBS:
            seen_verb = True
        elif w not in _RESULT_FILLER:
            return False
    return False


def _a_name(f: Folded, tok: tuple[str, int, int]) -> bool:
    """A capitalised word in a message not written in capitals: a name ("Agua Prieta", "Luz"),
    or "luz" in "dar a luz" (a birth, not the electricity bill)."""
    written = f.slice(tok[1], tok[2])
    if tok[0] == "luz" and _GAVE_BIRTH_RE.search(f.text[max(0, tok[1] - 16):tok[1]]):
        return True
    return written[:1].isupper() and not f.original.isupper()


_GAVE_BIRTH_RE = re.compile(r"\b(?:d\w*|alumbr\w*|vin\w*)\s+a\s+$")


def _an_age(toks: list[tuple[str, int, int]], start_i: int) -> bool:
    """'mi papá de 55', 'mi suegra de 77', 'tengo 62', 'mi mamá tiene 79': an age, not pesos."""
    prev = toks[start_i - 1][0] if start_i > 0 else ""
    if prev in _AGE_VERBS:
        return True
    return prev == "de" and start_i > 1 and toks[start_i - 2][0] in _PEOPLE


# a document number written as year-dash-number ("2025-4411", "2024/00123")
_ID_RUN_RE = re.compile(r"(?:19|20)\d{2}[-/]\d{3,}")


def _run_around(text: str, start: int, end: int) -> str:
    """The run of digits, dashes and slashes that holds text[start:end]."""
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in "-/"):
        start -= 1
    while end < len(text) and (text[end].isdigit() or text[end] in "-/"):
        end += 1
    return text[start:end]


_ENGLISH = {"thousand": "mil", "thousands": "mil"}  # "me charged 2 thousand pesos"


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(_ENGLISH.get(m.group(0), m.group(0)), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _is_num_token(tok: str) -> bool:
    return tok[0].isdigit() or tok in NUMBER_WORDS


def _monto(f: Folded, taken: list[tuple[int, int]]) -> list[dict]:
    toks = _tokens(f.text)
    out: list[dict] = []
    i = 0
    last_money_idx = -100
    while i < len(toks):
        tok = toks[i][0]
        if not _is_num_token(tok) or tok in ("y", "medio") or (
                tok == "ciento" and i > 0 and toks[i - 1][0] == "por"):  # "30 por ciento"
            i += 1
            continue
        j = i
        words: list[str] = []
        while j < len(toks) and _is_num_token(toks[j][0]):
            w = toks[j][0]
            if words and f.text[toks[j - 1][2]:toks[j][1]].strip():
                break  # "$1,850.00 (mil ochocientos cincuenta pesos)": the same amount twice
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
        nxt_i = end_i  # the token after the amount (after its dictated cents)
        cents = spoken_cents([t[0] for t in toks[end_i:end_i + 6]])
        if cents is not None:  # "mil trescientos punto cincuenta", "490 pesos con 50 centavos"
            value += cents[0]
            i = max(i, end_i + cents[1])
            if toks[end_i][0] not in _CURRENCY_AFTER:
                nxt_i = end_i + cents[1]
                fe = toks[nxt_i - 1][2]
        dollar = start_i > 0 and toks[start_i - 1][0] == "$"
        if dollar:
            fs = toks[start_i - 1][1]
        os_, oe = f.span(fs, fe)
        if any(os_ < e and s < oe for s, e in taken):
            continue
        nxt = toks[nxt_i][0] if nxt_i < len(toks) else ""
        currency = nxt in _CURRENCY_AFTER
        prev = toks[start_i - 1][0] if start_i > 0 else ""
        # "cama 12", "hospital 450" (not "…del centro de salud, 150": a comma ends the name)
        apart = start_i > 0 and bool(re.search(r"[,;:]", f.text[toks[start_i - 1][2]:fs]))
        if not (dollar or currency) and prev in _NON_MONEY_BEFORE and not apart \
                and not said_per_unit(f.text, fe):  # "la cama 400 por noche" is a price
            continue
        if not (dollar or currency) and _ID_RUN_RE.fullmatch(_run_around(f.text, fs, fe)):
            continue  # "mi póliza es la 2025-4411": a year-numbered document, not money
        if not (dollar or currency) and prev in _DOCUMENT_BEFORE and value >= 10_000 \
                and "," not in f.text[fs:fe] and not apart:
            continue
        if not (dollar or currency) and _an_age(toks, start_i):
            continue  # "mi papá de 55", "mi mamá tiene 79"
        if not (dollar or currency) and _PERCENT_AFTER_RE.match(f.text, fe):
            continue  # "el 50%", "un 30 por ciento"
        if prev == "ni" and start_i > 1 and toks[start_i - 2][0] in _HAVE_NOT:
            continue  # "no tengo ni 50 pesos": what they lack, not what they paid
        if not (dollar or currency) and nxt in _NON_MONEY_AFTER:
            continue
        if nxt in ("de", "del") and not (dollar or currency):
            nxt2 = toks[nxt_i + 1][0] if nxt_i + 1 < len(toks) else ""
            if nxt2 in _NOT_MONEY_AFTER_DE or _MONTH_WORD_RE.fullmatch(nxt2) or not nxt2:
                continue  # "15 de marzo", "3 de mis hijos"
        before = [t[0] for t in toks[max(0, start_i - _WINDOW) : start_i]]
        wide = [t[0] for t in toks[max(0, start_i - _WIDE_WINDOW) : start_i]]
        # what it paid for, named right after it: "500 de depósito", "los 600 de la placa"
        named = [t[0] for t in toks[nxt_i + 1:nxt_i + 3]]
        named_after = nxt in ("de", "del") and bool(named) and (
            named[0] in _MONEY_NOUNS_AFTER_DE
            or (named[0] in _ARTICLES and named[1:2] and named[1] in _MONEY_NOUNS_AFTER_DE))
        # or named right after it: "6,300 con todo", "1800 me cobraron", "500 que pagué"
        cue_after = any(a in _STRONG_CUES for a in (t[0] for t in toks[nxt_i:nxt_i + 3])) \
            or bool(TOTAL_AFTER_RE.search(f.text[fe:fe + 25]))
        # or right after what it paid for: "la consulta 250 y la medicina 300"
        named_before = prev in _MONEY_NOUNS_AFTER_DE and not apart or (
            # "la consulta era de 200", "el estudio salía en 900": its price, told
            prev in ("de", "en") and start_i > 2 and toks[start_i - 2][0] in _PRICE_VERBS
            and toks[start_i - 3][0] in _MONEY_NOUNS_AFTER_DE)
        cue = (any(b in _MONEY_CUES for b in before) or any(b in _STRONG_CUES for b in wide) or named_before
               or (start_i - last_money_idx) <= _WINDOW or named_after or cue_after
               or said_each(f.text, fs, fe)
               or (prev in ("sin", "los", "las") and bool(_CONDITION_AFTER_RE.match(f.text, fe))))
        if not (dollar or currency or cue):
            continue
        # the words around it that make it money for something else ("pasaje", "renta"), neither
        # the unit of another figure ("45 dólares, no, perdón, 450 pesos") nor inside a date
        # ("pagué 800 la semana pasada")
        near = [toks[k] for k in [*range(max(0, start_i - 6), start_i), *range(nxt_i, nxt_i + 4)]
                if k < len(toks) and not (k < start_i and k > 0 and toks[k - 1][0][0].isdigit())]
        if any(t[0] in _NON_HEALTH and not _inside(f, t, taken) and not _a_name(f, t) for t in near) \
                and not any(t[0] in _CARE_WORDS for t in toks[max(0, start_i - 8):nxt_i + 7]):
            # ("800 pa la gasolina d la ambulancia" is a health charge)
            continue
        if not (dollar or currency) and _a_result(toks, start_i):
            continue  # "mi glucosa salió en 180": a result, not a price
        if re.match(r"\s*(?:pesos\s+)?(?:a la|por|x|cada)\s+semana\b(?!\s+pasad)", f.text[fe:fe + 30]):
            continue  # "800 a la semana": a wage or an allowance, not a charge
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


def find_montos(f: Folded, taken: list[tuple[int, int]]) -> list[dict]:
    """The amount charged in `f` (at most one monto, with its `parts` when several were combined),
    skipping spans `taken` by other entities (dates, folios, CURPs)."""
    return _combined(f.original, _monto(f, taken))


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
