"""SMS bodies: GSM-7 vs UCS-2 segment counting, transliteration when it saves segments, and
splitting into several messages of at most `MAX_SEGMENTS` segments each.

GSM 03.38: a single SMS carries 160 septets (GSM-7) or 70 UTF-16 code units (UCS-2); a
multipart SMS carries 153 / 67 per part (the rest is the concatenation header). Characters of
the extension table (€ [ ] { } ~ ^ | \\ and form feed) take two septets and are never split
across parts; neither is a UTF-16 surrogate pair (emoji).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from unidecode import unidecode

MAX_SEGMENTS = 2

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


def _units(text: str, encoding: str) -> list[int]:
    """Per character, how many septets (GSM-7) or UTF-16 code units (UCS-2) it takes."""
    if encoding == "gsm7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segment_count(text: str) -> int:
    """How many SMS segments the text needs (0 for an empty text)."""
    if not text:
        return 0
    encoding = encoding_of(text)
    units = _units(text, encoding)
    if sum(units) <= SINGLE[encoding]:
        return 1
    # Multipart: fill each part without splitting a two-unit character.
    parts, used = 1, 0
    for unit in units:
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


_MARKUP = [
    (re.compile(r"```(.+?)```", re.DOTALL), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), r"\1"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), r"\1"),
]


def strip_whatsapp_markup(text: str) -> str:
    """*negritas*, _cursivas_, ~tachado~ and ```monoespaciado``` → plain text (URLs keep their _)."""
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text


@dataclass(frozen=True)
class SmsPlan:
    parts: list[str]  # one string per SMS message to send, in order
    transliterated: bool

    @property
    def segments(self) -> int:
        return sum(segment_count(p) for p in self.parts)


def split_to_fit(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    """Greedy split into messages of at most `max_segments` segments each, at paragraph, line,
    sentence or word boundaries (a single over-long word is cut)."""
    text = text.strip()
    if not text:
        return []
    if segment_count(text) <= max_segments:
        return [text]
    pieces: list[str] = []
    for piece in re.split(r"(\n+)", text):
        pieces.extend(p for p in re.split(r"(?<=[.!?;:,])(?=\s)|(?<=\s)(?=\S)", piece) if p)
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + piece
        if segment_count(candidate.strip()) <= max_segments:
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece.lstrip()
        while current and segment_count(current) > max_segments:  # one huge word
            cut = _longest_prefix(current, max_segments)
            parts.append(current[:cut])
            current = current[cut:]
    if current.strip():
        parts.append(current.strip())
    return parts


def _longest_prefix(text: str, max_segments: int) -> int:
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if segment_count(text[:mid]) <= max_segments:
            low = mid
        else:
            high = mid - 1
    return low


def plan_sms(text: str, max_segments: int = MAX_SEGMENTS) -> SmsPlan:
    """Plain text for SMS: markup stripped; transliterated only when that saves segments or
    messages; split into several messages when still longer than `max_segments` segments."""
    plain = strip_whatsapp_markup(unicodedata.normalize("NFC", text or "")).strip()
    original = split_to_fit(plain, max_segments)
    ascii_like = transliterate(plain).strip()
    if ascii_like == plain or not ascii_like:  # nothing to gain, or only emoji: keep as written
        return SmsPlan(original, False)
    translit = split_to_fit(ascii_like, max_segments)
    cost_orig = (len(original), sum(segment_count(p) for p in original))
    cost_trans = (len(translit), sum(segment_count(p) for p in translit))
    if cost_trans < cost_orig:
        return SmsPlan(translit, True)
    return SmsPlan(original, False)
