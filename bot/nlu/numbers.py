"""Spanish amounts written in words or mixed digits: "mil doscientos", "3 mil", "2 mil 500"."""

from __future__ import annotations

import re

from core.text.number_words import HUNDREDS, NUMBER_WORDS, TENS, UNITS

_DIGITS_RE = re.compile(r"^\d+(?:[.,]\d+)*$")


def parse_digits(token: str) -> float | None:
    """'1,200' -> 1200, '350.50' -> 350.5, '1.200' -> 1200 (dot as thousands), '3k' -> 3000."""
    token = token.strip().lstrip("$").strip()
    mult = 1
    if token[-1:] in ("k", "K"):
        token, mult = token[:-1], 1000
    if not token or not _DIGITS_RE.match(token):
        return None
    if "," in token and "." in token:
        # 1,200.50 (Mexican) or 1.200,50 (European); the last separator is the decimal one.
        if token.rfind(",") > token.rfind("."):
            token = token.replace(".", "").replace(",", ".")
        else:
            token = token.replace(",", "")
    elif "," in token:
        parts = token.split(",")
        if all(len(p) == 3 for p in parts[1:]):
            token = token.replace(",", "")
        elif len(parts) == 2:
            token = token.replace(",", ".")
        else:
            return None
    elif "." in token:
        parts = token.split(".")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] != "0"):
            if not all(len(p) == 3 for p in parts[1:]):
                return None
            token = token.replace(".", "")
    try:
        return float(token) * mult
    except ValueError:  # pragma: no cover - guarded by the regex
        return None


def words_to_number(words: list[str]) -> float | None:
    """Value of a run of number tokens (words and/or digits): ['mil', 'doscientos'] -> 1200.

    Returns None when the run is not a well-formed amount.
    """
    total = 0.0
    current = 0.0
    seen = False
    for w in words:
        if w == "y":
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in HUNDREDS:
            current += HUNDREDS[w]
        elif w == "mil":
            if current >= 1000:
                continue  # "5,500 mil pesos": the thousands were already written in the figure
            total += (current or 1) * 1000
            current = 0
        elif w == "medio":
            # "mil y medio" / "dos mil y medio": half of the last thousand
            current += 500 if total else 0.5
        else:
            value = parse_digits(w)
            if value is None:
                return None
            current += value
        seen = True
    if not seen:
        return None
    return total + current


# "mil trescientos punto cincuenta", "450 pesos con 50 centavos", "2500 coma cero cero": the
# cents dictated after the pesos
_CENTS_LEAD = frozenset({"punto", "coma", "con"})


def spoken_cents(words: list[str]) -> tuple[float, int] | None:
    """(cents as a fraction of a peso, words used) when `words` (what follows an amount) open with
    dictated decimals: ['punto', 'cincuenta'] -> (0.5, 2), ['pesos', 'con', '50', 'centavos'] ->
    (0.5, 4), ['punto', 'cinco'] -> (0.5, 2), ['coma', 'cero', 'cero'] -> (0.0, 3)."""
    i = 1 if words[:1] in (["pesos"], ["peso"]) else 0
    if i >= len(words) or words[i] not in _CENTS_LEAD:
        return None
    lead = words[i]
    j = i + 1
    digits: list[str] = []
    while j < len(words) and len(digits) < 3 and (
            words[j] in UNITS or words[j] in TENS or words[j] == "y" or re.fullmatch(r"\d{1,2}", words[j])):
        digits.append(words[j])
        j += 1
    while digits and digits[-1] == "y":
        digits.pop()
        j -= 1
    if not digits:
        return None
    named = j < len(words) and words[j] in ("centavos", "centavo", "ctvs", "cts")
    if lead == "con" and not named:
        return None  # "500 con 20 de propina" is not cents
    if named:
        j += 1
    if all(d == "cero" for d in digits):
        return 0.0, j
    value = words_to_number(digits)
    if value is None or value >= 100 or (lead == "coma" and value < 10 and not named):
        return None  # "300 coma dos consultas": a dictated comma, then a count
    # "punto cinco" is half a peso; "punto cincuenta", "punto 05" and "con 5 centavos" are cents
    single = len(digits) == 1 and not named and not (digits[0].isdigit() and len(digits[0]) == 2)
    return (value / 10 if single and value < 10 else value / 100), j


def as_number(value: float) -> int | float:
    """Integral floats become ints (350.0 -> 350)."""
    return int(value) if float(value).is_integer() else round(value, 2)


_RUN_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*k?(?![a-z0-9])|\d+(?=mil\b)|[a-z]+")
_ARTICLES = frozenset({"un", "una", "uno", "y", "medio"})
_LUCAS = frozenset({"luca", "lucas"})


def thousands_group(before: list[str], tok: str) -> bool:
    """'1 200', '12 500': a figure of one or two digits alone, then exactly three digits, is one
    amount written with a space for the thousands (not two figures like '350 200')."""
    return len(before) == 1 and bool(re.fullmatch(r"\d{1,2}", before[0])) \
        and bool(re.fullmatch(r"\d{3}", tok))


def number_runs(folded: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of each amount written in digits, words or both, in a lowercase,
    accent-free text: 'dos mil 600' -> 2600, 'mil 300' -> 1300, '7 mil 200' -> 7200,
    'tres mil quinientos' -> 3500. Two figures in a row are two amounts ('350 200'); a lone
    'un'/'una' is an article, not an amount."""
    toks = [(m.group(0), m.start(), m.end()) for m in _RUN_TOKEN_RE.finditer(folded)]
    out: list[tuple[float, int, int]] = []
    run: list[tuple[str, int, int]] = []

    def close() -> None:
        while run and run[-1][0] == "y":
            run.pop()
        words = [w for w, _s, _e in run]
        if words and not all(w in _ARTICLES for w in words):
            value = words_to_number(words)
            if value is not None and value > 0:
                out.append((value, run[0][1], run[-1][2]))
        run.clear()

    for tok, s, e in toks:
        if run and folded[run[-1][2]:s].strip():
            close()  # "250, una por cada consulta": punctuation ends an amount
        if tok in _LUCAS and run:
            tok = "mil"  # "5 lucas", "cinco lucas": slang for thousands of pesos (never "Lucas" alone)
        is_num = tok[0].isdigit() or tok in NUMBER_WORDS
        if is_num and tok[0].isdigit() and run and run[-1][0][0].isdigit():
            if thousands_group([w for w, _s, _e in run], tok):
                run[-1] = (run[-1][0] + tok, run[-1][1], e)
                continue
            close()  # "350 200": two figures
        if is_num and not (tok == "y" and not run):
            run.append((tok, s, e))
        elif run:
            close()
    close()
    return _with_cents(folded, out)


def _with_cents(folded: str, runs: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Dictated cents join the amount before them: 'mil trescientos punto cincuenta' is 1300.5,
    not 1300 and 50."""
    out: list[tuple[float, int, int]] = []
    for value, start, end in runs:
        if out and start < out[-1][2]:
            continue  # the cents of the amount before
        after = list(_RUN_TOKEN_RE.finditer(folded, end, min(len(folded), end + 60)))
        cents = spoken_cents([m.group(0) for m in after[:6]])
        if cents is not None:
            value, end = value + cents[0], after[cents[1] - 1].end()
        out.append((value, start, end))
    return out
