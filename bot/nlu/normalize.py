"""Text and folio normalisers shared by the classifier and the entity extractors.

Everything here is pure and cheap: no data files, no model.
"""

from __future__ import annotations

import re

from core.text.fold import ascii_lower

# A few emojis carry intent (thanks, ok, anger); they become plain tokens before unidecode
# would silently drop them.
_EMOJI_TOKENS = {
    "👍": " emojiok ",
    "👌": " emojiok ",
    "✅": " emojiok ",
    "🙏": " emojigracias ",
    "😡": " emojienojo ",
    "🤬": " emojienojo ",
    "😠": " emojienojo ",
    "😤": " emojienojo ",
    "😢": " emojitriste ",
    "😭": " emojitriste ",
    "😞": " emojitriste ",
    "👋": " emojihola ",
    "❤": " emojifeliz ",
    "😊": " emojifeliz ",
    "😀": " emojifeliz ",
    "😁": " emojifeliz ",
    "🥰": " emojifeliz ",
    "👏": " emojiaplauso ",
    "👎": " emojino ",
    "❌": " emojino ",
}
_EMOJI_RE = re.compile("|".join(re.escape(e) for e in _EMOJI_TOKENS))

# Texting shorthand -> full words (applied on whole tokens, after lowercasing and unidecode).
SLANG: dict[str, str] = {
    "q": "que",
    "k": "que",
    "ke": "que",
    "qe": "que",
    "xq": "porque",
    "xk": "porque",
    "pq": "porque",
    "porq": "porque",
    "porke": "porque",
    "x": "por",
    "tmb": "tambien",
    "tmbn": "tambien",
    "tb": "tambien",
    "tbn": "tambien",
    "tambn": "tambien",
    "d": "de",
    "dl": "del",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfavor": "por favor",
    "plis": "por favor",
    "pls": "por favor",
    "plz": "por favor",
    "hla": "hola",
    "ola": "hola",
    "holi": "hola",
    "grax": "gracias",
    "grasias": "gracias",
    "graxias": "gracias",
    "grs": "gracias",
    "thx": "gracias",
    "thanks": "gracias",
    "bn": "bien",
    "msj": "mensaje",
    "dr": "doctor",
    "dra": "doctora",
    "drs": "doctores",
    "sr": "senor",
    "sra": "senora",
    "hosp": "hospital",
    "sp": "seguro popular",
    "cs": "centro de salud",
    "c.s": "centro de salud",
    "tmp": "tampoco",
    "tampok": "tampoco",
    "nd": "nada",
    "ntc": "no te creas",
    "aki": "aqui",
    "aca": "aqui",
    "kiero": "quiero",
    "keja": "queja",
    "kejas": "quejas",
    "kejarme": "quejarme",
    "kejo": "quejo",
    "kedo": "quedo",
    "keria": "queria",
    "kisiera": "quisiera",
    "kien": "quien",
    "kuanto": "cuanto",
    "cuanto": "cuanto",
    "xo": "pero",
    "pro": "pero",
    "toy": "estoy",
    "tas": "estas",
    "ta": "esta",
    "pa": "para",
    "pal": "para el",
    "ps": "pues",
    "pss": "pues",
    "oka": "ok",
    "okey": "ok",
    "okay": "ok",
    "oki": "ok",
    "va": "ok",
    "sip": "si",
    "sep": "si",
    "simon": "si",
    "nop": "no",
    "nel": "no",
    "nones": "no",
    "yes": "si",
    "info": "informacion",
    "infor": "informacion",
    "medicamentos": "medicamento",
    "medicinas": "medicina",
    "consultas": "consulta",
    "estudios": "estudio",
}

_REPEAT_RE = re.compile(r"([a-z])\1{2,}")  # 3+ repeats of a letter -> one ("holaaa")
_DOUBLE_VOWEL_END_RE = re.compile(r"([aeiousd])\1\b")  # "holaa", "buenass" (word end only)
_NON_WORD_RE = re.compile(r"[^a-z0-9$ñ]+")
_MAX_CHARS = 2000


def normalize_text(text: object) -> str:
    """Canonical lowercase ASCII form used for classification.

    Strips accents (unidecode), squashes stretched letters, expands texting shorthand,
    keeps digits and '$', drops punctuation. Never raises, whatever the input.
    """
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    text = text[:_MAX_CHARS]
    text = _EMOJI_RE.sub(lambda m: _EMOJI_TOKENS[m.group(0)], text)
    text = ascii_lower(text)
    text = _REPEAT_RE.sub(r"\1", text)
    text = _DOUBLE_VOWEL_END_RE.sub(r"\1", text)
    text = _NON_WORD_RE.sub(" ", text)
    words = []
    for tok in text.split():
        words.append(SLANG.get(tok, tok))
    return " ".join(words)


# --------------------------------------------------------------------------- folio

FOLIO_PREFIX = "SINAC"
_O_IN_NUMBER_RE = re.compile(
    r"(?<![A-Za-z])[0-9Oo]*[0-9][0-9Oo]*(?![A-Za-z])|(?<=[Cc])[0-9][0-9Oo]*(?![A-Za-z])"
)
_SINAC_RE = re.compile(r"s\s*[i1l]\s*n\s*a\s*c", re.IGNORECASE)

# SINAC-2026-000123, sinac 2026/123, SINAC2026000123, sinac #2026-123
_FOLIO_FULL_RE = re.compile(
    r"(?P<prefix>s[i1l]nac)\s*[-_/#.:]?\s*(?:no\.?\s*|num\.?\s*)?"
    r"(?P<year>20\d{2})\s*[-_/#. ]?\s*(?P<seq>\d{1,6})(?!\d)",
    re.IGNORECASE,
)
# 2026 123 / 2026-123 / 2026/000123 (no prefix)
_FOLIO_BARE_RE = re.compile(r"(?<!\d)(?P<year>20\d{2})\s*[-_/ ]\s*(?P<seq>\d{1,6})(?!\d)"
                            # all ten digits run together, as the folio is copied: 2026000777
                            r"|(?<![\d-])(?P<year2>20\d{2})(?P<seq2>\d{6})(?![\d-])"
                            # the year after the number: "el 614 del 2026", "folio 045/2026" (three
                            # digits at least: "el 3 de 2026", "12/2026" are dates)
                            r"|(?<![\d-])(?P<seq3>\d{3,6})\s*(?:\s(?:del?|del ano)\s|/)\s*(?P<year3>20\d{2})(?![\d-])",
                            re.IGNORECASE)


def _fix_letter_o(text: str) -> str:
    """Inside digit runs, the letter O is a zero ("2O26" -> "2026")."""
    return _O_IN_NUMBER_RE.sub(lambda m: m.group(0).replace("O", "0").replace("o", "0"), text)


def canonical_folio(year: str | int, seq: str | int) -> str:
    return f"{FOLIO_PREFIX}-{int(year):04d}-{int(seq):06d}"


def find_folio(text: str) -> tuple[str, int, int] | None:
    """Locate a recoverable folio: (canonical, start, end) in the original text, or None."""
    if not text:
        return None
    fixed = _fix_letter_o(_SINAC_RE.sub(lambda m: "sinac" + " " * (len(m.group(0)) - 5), text))
    # _fix_letter_o and the prefix rewrite keep lengths, so offsets map 1:1 onto `text`.
    m = _FOLIO_FULL_RE.search(fixed)
    if m and int(m.group("seq")) > 0:
        return canonical_folio(m.group("year"), m.group("seq")), m.start(), m.end()
    for m in _FOLIO_BARE_RE.finditer(fixed):
        year = m.group("year") or m.group("year2") or m.group("year3")
        seq = m.group("seq") or m.group("seq2") or m.group("seq3")
        if int(seq) > 0:
            return canonical_folio(year, seq), m.start(), m.end()
    return None


def normalize_folio(text: object) -> str | None:
    """'sinac 2026/123' -> 'SINAC-2026-000123'; None when no year+sequence is recoverable."""
    if not isinstance(text, str) or not text:
        return None
    found = find_folio(text[:_MAX_CHARS])
    return found[0] if found else None
