"""GSM-7, the SMS alphabet (GSM 03.38): which characters it holds, how many segments a text
needs, and how Spanish text is rewritten into it. One home for the bot's SMS sender and for the
coverage answers that must fit two segments.

A single SMS carries 160 septets (GSM-7) or 70 UTF-16 code units (UCS-2); a multipart SMS carries
153 / 67 per part (the rest is the concatenation header). Characters of the extension table
(€ [ ] { } ~ ^ | \\ and form feed) take two septets and are never split across parts; neither is a
UTF-16 surrogate pair (emoji).
"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
MULTI = {"gsm7": 153, "ucs2": 67}

# Spanish letters outside GSM-7 (ñ, é, ü, Ñ, É, Ü, ¿, ¡ are inside and stay).
_SPANISH = str.maketrans({"á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O",
                          "Ú": "U", "Ê": "E", "ê": "e", "ç": "c", "Ë": "E", "ë": "e", "Ï": "I", "ï": "i"})
# Typographic punctuation that phones often insert.
_PUNCT = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "´": "'",
                        "–": "-", "—": "-", "‑": "-", "…": "...", "•": "-", "·": "-", "\u00a0": " ",
                        "\u200b": "", "\u200d": "", "\ufe0f": "", "\u2060": ""})
# A few emoji that carry meaning in the bot's texts; the rest are dropped.
_EMOJI_WORDS = {"✅": "OK", "✔": "OK", "❌": "X", "⚠": "!", "📞": "Tel.", "👉": "->", "➡": "->",
                "1️⃣": "1", "2️⃣": "2", "3️⃣": "3", "4️⃣": "4", "5️⃣": "5", "6️⃣": "6"}


def encoding_of(text: str) -> str:
    """'gsm7' when every character is in the GSM-7 basic or extension table, else 'ucs2'."""
    return "gsm7" if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text) else "ucs2"


def units(text: str, encoding: str) -> list[int]:
    """Per character, how many septets (GSM-7) or UTF-16 code units (UCS-2) it takes."""
    if encoding == "gsm7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segment_count(text: str) -> int:
    """How many SMS segments the text needs (0 for an empty text)."""
    if not text:
        return 0
    encoding = encoding_of(text)
    per_char = units(text, encoding)
    if sum(per_char) <= SINGLE[encoding]:
        return 1
    # Multipart: fill each part without splitting a two-unit character.
    parts, used = 1, 0
    for unit in per_char:
        if used + unit > MULTI[encoding]:
            parts += 1
            used = 0
        used += unit
    return parts


def _drop_emoji(text: str) -> str:
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Cs", "Co", "Cn", "Mn", "Cf") or ord(ch) > 0xFFFF:
            continue  # emoji, symbols, combining marks, invisible formatting
        out.append(ch)
    return re.sub(r"[ \t]{2,}", " ", "".join(out))


def transliterate(text: str) -> str:
    """Text rewritten into GSM-7 where possible: á í ó ú → a i o u (ñ é ü stay), typographic
    punctuation to ASCII, emoji dropped or turned into short words, anything else via unidecode."""
    text = unicodedata.normalize("NFC", text).translate(_SPANISH).translate(_PUNCT)
    text = _drop_emoji(text)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
        else:
            out.append(unidecode(ch))
    return "".join(out)
