"""SMS bodies: transliteration when it saves segments, and splitting into several messages of
at most `MAX_SEGMENTS` segments each. The alphabet and the segment arithmetic are GSM 03.38's,
in core/text/gsm7.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.text.gsm7 import encoding_of, segment_count, transliterate  # noqa: F401  (encoding_of: the tests)

MAX_SEGMENTS = 2

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
        cut = _sentence_end(current)
        if cut and segment_count((current[cut:] + piece).strip()) <= max_segments:
            # end the message where a sentence ends, not mid-sentence
            parts.append(current[:cut].strip())
            current = current[cut:].lstrip() + piece
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


_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s)|\n")
SENTENCE_MIN_SHARE = 0.4  # a message ends at a sentence only if it keeps this much of its room


def _sentence_end(text: str) -> int:
    """Where the last sentence (or line) of `text` ends, if late enough in it; 0 if none."""
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    return ends[-1] if ends and ends[-1] >= SENTENCE_MIN_SHARE * len(text) else 0


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
